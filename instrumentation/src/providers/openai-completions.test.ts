import { describe, expect, it } from 'vitest';
import { openAiCompletionsCodec as codec } from './openai-completions.js';
import type { LlmEndpoint, ResponseInfo, StreamEvent } from './types.js';

const endpoint: LlmEndpoint = {
  provider: 'vllm',
  api: 'openai.completions',
  operation: 'text_completion',
  serverAddress: 'gpu-box',
  serverPort: 8000,
};

const sse = (chunk: unknown): StreamEvent => ({ data: JSON.stringify(chunk) });

function fold(events: StreamEvent[]): ResponseInfo {
  const acc = codec.createStreamAccumulator(endpoint);
  for (const e of events) acc.accept(e);
  return acc.result();
}

const body = {
  id: 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7',
  object: 'text_completion',
  created: 1589478378,
  model: 'gpt-3.5-turbo-instruct',
  system_fingerprint: 'fp_44709d6fcb',
  choices: [{ text: '\n\nThis is indeed a test', index: 0, logprobs: null, finish_reason: 'length' }],
  usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
};

describe('openai legacy completions', () => {
  it('reads the request', () => {
    expect(
      codec.parseRequest(
        { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7, temperature: 0, top_p: 1, n: 1, stream: false, stop: '\n', seed: 3 },
        endpoint,
      ),
    ).toEqual({
      model: 'gpt-3.5-turbo-instruct',
      stream: false,
      temperature: 0,
      maxTokens: 7,
      topP: 1,
      stopSequences: ['\n'],
      seed: 3,
      choiceCount: 1,
      inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'Say this is a test' }] }],
      inputText: 'Say this is a test',
    });
  });

  it('reads a batch of prompts, and token-id prompts as no text', () => {
    expect(codec.parseRequest({ model: 'm', prompt: ['a', 'b'] }, endpoint).inputText).toBe('a\nb');
    expect(codec.parseRequest({ model: 'm', prompt: [1212, 318] }, endpoint)).toEqual({ model: 'm', inputText: '' });
  });

  it('reads the response', () => {
    expect(codec.parseResponse(body, endpoint)).toEqual({
      id: 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7',
      model: 'gpt-3.5-turbo-instruct',
      finishReasons: ['length'],
      usage: { inputTokens: 5, outputTokens: 7 },
      outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: '\n\nThis is indeed a test' }], finish_reason: 'length' }],
      outputText: '\n\nThis is indeed a test',
      systemFingerprint: 'fp_44709d6fcb',
    });
  });

  it('folds a stream into the non-stream result', () => {
    const chunk = (text: string, finish_reason: string | null) => ({
      id: body.id,
      object: 'text_completion',
      created: 1,
      model: body.model,
      system_fingerprint: body.system_fingerprint,
      choices: [{ text, index: 0, logprobs: null, finish_reason }],
    });
    const info = fold([
      sse(chunk('\n\n', null)),
      sse(chunk('This is', null)),
      sse(chunk(' indeed a test', 'length')),
      sse({ id: body.id, object: 'text_completion', created: 1, model: body.model, choices: [], usage: body.usage }),
      { data: '[DONE]' },
    ]);
    expect(info).toEqual(codec.parseResponse(body, endpoint));
  });

  it('reads errors and never throws on odd input', () => {
    expect(codec.parseResponse({ error: { message: 'x', type: 'invalid_request_error', code: 'context_length_exceeded' } }, endpoint).error).toEqual({
      type: 'context_length_exceeded',
      message: 'x',
    });
    for (const odd of [undefined, null, 1, 'x', [], { prompt: { a: 1 } }, { choices: [1, null, { text: 5 }] }]) {
      expect(() => codec.parseRequest(odd, endpoint)).not.toThrow();
      expect(() => codec.parseResponse(odd, endpoint)).not.toThrow();
    }
    const acc = codec.createStreamAccumulator(endpoint);
    for (const data of ['', '[DONE]', '{"choices":[{"text":1,"index":"0"}]}', '{"error":"boom"}']) acc.accept({ data });
    expect(acc.result().error).toEqual({ type: 'error', message: 'boom' });
  });
});
