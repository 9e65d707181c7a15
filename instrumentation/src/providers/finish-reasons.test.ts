import { describe, expect, it } from 'vitest';
import { normalizeFinishReason } from './finish-reasons.js';

describe('normalizeFinishReason', () => {
  it('maps each provider onto stop | length | content_filter | tool_call | error', () => {
    expect(['stop', 'length', 'tool_calls', 'function_call', 'content_filter', 'model_length', 'insufficient_system_resource'].map((r) => normalizeFinishReason('openai', r))).toEqual([
      'stop',
      'length',
      'tool_call',
      'tool_call',
      'content_filter',
      'length',
      'error',
    ]);
    expect(['end_turn', 'max_tokens', 'tool_use', 'refusal'].map((r) => normalizeFinishReason('anthropic', r))).toEqual(['stop', 'length', 'tool_call', 'content_filter']);
    expect(['STOP', 'MAX_TOKENS', 'SAFETY', 'RECITATION', 'PROHIBITED_CONTENT', 'OTHER'].map((r) => normalizeFinishReason('gemini', r))).toEqual([
      'stop',
      'length',
      'content_filter',
      'content_filter',
      'content_filter',
      'error',
    ]);
    expect(['end_turn', 'tool_use', 'max_tokens', 'guardrail_intervened'].map((r) => normalizeFinishReason('bedrock', r))).toEqual(['stop', 'tool_call', 'length', 'content_filter']);
  });

  it('passes unknown values through and reads a missing one as error', () => {
    expect(normalizeFinishReason('openai', 'some_new_reason')).toBe('some_new_reason');
    expect(normalizeFinishReason('anthropic', undefined)).toBe('error');
    expect(normalizeFinishReason('gemini', '')).toBe('error');
  });

  it('does not mix the tables up', () => {
    expect(normalizeFinishReason('gemini', 'stop')).toBe('stop'); // not a Gemini value: passed through
    expect(normalizeFinishReason('openai', 'STOP')).toBe('STOP');
    expect(normalizeFinishReason('openai', 'constructor')).toBe('constructor');
  });
});
