/**
 * Conformance suite for StreamAccumulator.isComplete, run against every streaming codec: a stream
 * is complete at its last event and not one event before, and an error event that ends a stream
 * completes it too. The capture layer relies on this to tell a client that let go of a finished
 * stream from one that cancelled it mid-way.
 */
import { describe, expect, it } from 'vitest';
import { codecFor } from './codec-registry.js';
import type { ApiKind, LlmEndpoint, StreamEvent } from './types.js';

const json = (event: string | undefined, data: unknown): StreamEvent => ({ event, data: JSON.stringify(data) });
const typed = (data: { type: string } & Record<string, unknown>): StreamEvent => json(data.type, data);

interface StreamSample {
  /** A whole stream; its last event is the one that ends it. */
  stream: StreamEvent[];
  /** An error event that ends a stream part-way. */
  error: StreamEvent;
}

const SAMPLES: Partial<Record<ApiKind, StreamSample>> = {
  'openai.chat_completions': {
    stream: [
      json(undefined, { id: 'c1', choices: [{ index: 0, delta: { role: 'assistant', content: 'a' } }] }),
      json(undefined, { id: 'c1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
      json(undefined, { id: 'c1', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } }),
      { data: '[DONE]' },
    ],
    error: json(undefined, { error: { type: 'server_error', message: 'boom' } }),
  },
  'openai.completions': {
    stream: [
      json(undefined, { id: 'x', choices: [{ index: 0, text: 'a', finish_reason: 'length' }] }),
      json(undefined, { id: 'x', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } }),
      { data: '[DONE]' },
    ],
    error: json(undefined, { error: { type: 'server_error', message: 'boom' } }),
  },
  'openai.responses': {
    stream: [
      typed({ type: 'response.created', response: { id: 'r', status: 'in_progress' } }),
      typed({ type: 'response.output_text.delta', output_index: 0, delta: 'a' }),
      typed({ type: 'response.completed', response: { id: 'r', status: 'completed', output: [], usage: { input_tokens: 1, output_tokens: 1 } } }),
    ],
    error: typed({ type: 'error', code: 'server_error', message: 'boom' }),
  },
  'anthropic.messages': {
    stream: [
      typed({ type: 'message_start', message: { id: 'm', model: 'claude', usage: { input_tokens: 1 } } }),
      typed({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      typed({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'a' } }),
      typed({ type: 'content_block_stop', index: 0 }),
      typed({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 1 } }),
      typed({ type: 'message_stop' }),
    ],
    error: typed({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
  },
  'gemini.generate_content': {
    stream: [
      json(undefined, { candidates: [{ content: { role: 'model', parts: [{ text: 'a' }] } }, { index: 1, content: { parts: [{ text: 'b' }] } }] }),
      json(undefined, { candidates: [{ content: { parts: [{ text: 'c' }] }, finishReason: 'STOP' }] }),
      // The second candidate finishes last: only then is the stream over.
      json(undefined, { candidates: [{ index: 1, content: { parts: [{ text: 'd' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 1 } }),
    ],
    error: json(undefined, { error: { code: 500, status: 'INTERNAL', message: 'boom' } }),
  },
  'bedrock.converse': {
    stream: [
      json('messageStart', { role: 'assistant' }),
      json('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'a' } }),
      json('contentBlockStop', { contentBlockIndex: 0 }),
      json('messageStop', { stopReason: 'end_turn' }),
      json('metadata', { usage: { inputTokens: 1, outputTokens: 1 }, metrics: { latencyMs: 1 } }),
    ],
    error: { event: 'throttlingException', data: JSON.stringify({ message: 'slow down' }), exception: true },
  },
};

const endpoint = (api: ApiKind): LlmEndpoint => ({ provider: 'p', api, operation: 'chat', urlStream: true, serverAddress: 'h', serverPort: 443 });

describe.each(Object.entries(SAMPLES) as Array<[ApiKind, StreamSample]>)('%s stream completion', (api, sample) => {
  it('is complete at the last event, not one event before', () => {
    const acc = codecFor(api).createStreamAccumulator(endpoint(api));
    for (const event of sample.stream) {
      expect(acc.isComplete()).toBe(false);
      acc.accept(event);
    }
    expect(acc.isComplete()).toBe(true);
  });

  it('is complete after an error event that ends the stream', () => {
    const acc = codecFor(api).createStreamAccumulator(endpoint(api));
    acc.accept(sample.stream[0]);
    acc.accept(sample.error);
    expect(acc.isComplete()).toBe(true);
    expect(acc.result().error).toBeDefined();
  });
});
