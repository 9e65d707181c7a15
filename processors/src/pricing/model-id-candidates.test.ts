import { describe, expect, it } from 'vitest';
import { modelIdCandidates } from './model-id-candidates.js';

describe('modelIdCandidates', () => {
  it('keeps the raw id first, then drops a snapshot date', () => {
    expect(modelIdCandidates('GPT-4o-2024-08-06')).toEqual([{ id: 'gpt-4o-2024-08-06' }, { id: 'gpt-4o' }]);
    expect(modelIdCandidates('claude-3-5-sonnet-20240620')).toEqual([{ id: 'claude-3-5-sonnet-20240620' }, { id: 'claude-3-5-sonnet' }]);
    expect(modelIdCandidates('mistral-large-latest')).toEqual([{ id: 'mistral-large-latest' }, { id: 'mistral-large' }]);
    expect(modelIdCandidates('gpt-4o')).toEqual([{ id: 'gpt-4o' }]);
  });

  it('unwraps Bedrock inference profiles, ARNs and version suffixes, naming the vendor', () => {
    expect(modelIdCandidates('us.anthropic.claude-3-5-sonnet-20240620-v1:0')).toEqual([
      { id: 'us.anthropic.claude-3-5-sonnet-20240620-v1:0' },
      { id: 'anthropic.claude-3-5-sonnet-20240620-v1:0' },
      { id: 'claude-3-5-sonnet-20240620-v1', vendor: 'anthropic' },
      { id: 'claude-3-5-sonnet-20240620', vendor: 'anthropic' },
      { id: 'claude-3-5-sonnet', vendor: 'anthropic' },
    ]);
    expect(modelIdCandidates('arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0')).toEqual([
      { id: 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0' },
      { id: 'eu.amazon.nova-pro-v1:0' },
      { id: 'amazon.nova-pro-v1:0' },
      { id: 'nova-pro-v1', vendor: 'amazon' },
      { id: 'nova-pro', vendor: 'amazon' },
    ]);
    expect(modelIdCandidates('anthropic.claude-v2:1')).toEqual([
      { id: 'anthropic.claude-v2:1' },
      { id: 'claude-v2', vendor: 'anthropic' },
      { id: 'claude', vendor: 'anthropic' },
    ]);
  });

  it('splits OpenRouter vendor/model ids and drops their variant suffix', () => {
    expect(modelIdCandidates('openai/gpt-4o')).toEqual([{ id: 'openai/gpt-4o' }, { id: 'gpt-4o', vendor: 'openai' }]);
    expect(modelIdCandidates('meta-llama/llama-3.3-70b-instruct:free')).toEqual([
      { id: 'meta-llama/llama-3.3-70b-instruct:free' },
      { id: 'meta-llama/llama-3.3-70b-instruct' },
      { id: 'llama-3.3-70b-instruct', vendor: 'meta-llama' },
    ]);
  });

  it('strips Gemini and Vertex resource prefixes and Vertex @versions', () => {
    expect(modelIdCandidates('models/gemini-1.5-pro-002')).toEqual([{ id: 'models/gemini-1.5-pro-002' }, { id: 'gemini-1.5-pro-002' }]);
    expect(modelIdCandidates('projects/p/locations/us-east5/publishers/anthropic/models/claude-3-5-sonnet-v2@20241022')).toEqual([
      { id: 'projects/p/locations/us-east5/publishers/anthropic/models/claude-3-5-sonnet-v2@20241022' },
      { id: 'claude-3-5-sonnet-v2@20241022' },
      { id: 'claude-3-5-sonnet-v2' },
    ]);
  });
});
