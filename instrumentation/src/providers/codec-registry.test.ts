/**
 * Conformance suite run against every codec: each realistic body and stream below is corrupted one
 * field at a time with values of the wrong type, and the codec must still return a well-formed
 * RequestInfo / ResponseInfo without throwing.
 */
import { describe, expect, it } from 'vitest';
import { codecFor } from './codec-registry.js';
import type { ApiKind, LlmEndpoint, RequestInfo, ResponseInfo, StreamEvent } from './types.js';

interface Sample {
  request: unknown;
  response: unknown;
  stream: StreamEvent[];
}

const json = (event: string | undefined, data: unknown): StreamEvent => ({ event, data: JSON.stringify(data) });

const SAMPLES: Record<ApiKind, Sample> = {
  'openai.chat_completions': {
    request: {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
        { role: 'tool', tool_call_id: 'c', content: 'r' },
      ],
      stop: ['x'],
      response_format: { type: 'json_object' },
      max_tokens: 5,
    },
    response: {
      id: 'c1',
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: 'x', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
    },
    stream: [
      json(undefined, { id: 'c1', model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'a', tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{' } }] } }] }),
      json(undefined, { id: 'c1', choices: [{ index: 0, delta: { content: 'b' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 2 } }),
    ],
  },
  'openai.responses': {
    request: {
      model: 'gpt-4.1',
      instructions: 'sys',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'hi' }, { type: 'input_image', image_url: 'https://x/y.png' }] },
        { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c', output: 'r' },
      ],
      text: { format: { type: 'json_schema' } },
    },
    response: {
      id: 'resp_1',
      object: 'response',
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      model: 'gpt-4.1',
      output: [
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 's' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'x' }] },
        { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
      ],
      usage: { input_tokens: 1, output_tokens: 2, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 1 } },
      error: null,
    },
    stream: [
      json('response.created', { type: 'response.created', response: { id: 'r', object: 'response', status: 'in_progress', output: [] } }),
      json('response.output_item.added', { type: 'response.output_item.added', output_index: 0, item: { type: 'message', role: 'assistant', content: [] } }),
      json('response.output_text.delta', { type: 'response.output_text.delta', output_index: 0, delta: 'x' }),
      json('error', { type: 'error', code: 'e', message: 'm' }),
    ],
  },
  'openai.embeddings': {
    request: { model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'base64' },
    response: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: 'AAAAAAAAAAA=' }], model: 'm', usage: { prompt_tokens: 2, total_tokens: 2 } },
    stream: [],
  },
  'openai.completions': {
    request: { model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 3, stop: 'x' },
    response: { id: 'c', model: 'm', choices: [{ text: 'x', index: 0, finish_reason: 'length' }], usage: { prompt_tokens: 1, completion_tokens: 1 } },
    stream: [json(undefined, { id: 'c', choices: [{ text: 'x', index: 0, finish_reason: null }] }), json(undefined, { choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } })],
  },
  'anthropic.messages': {
    request: {
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      system: [{ type: 'text', text: 'sys' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: { a: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'r' }] }] },
      ],
    },
    response: {
      id: 'msg',
      type: 'message',
      role: 'assistant',
      model: 'm',
      content: [{ type: 'thinking', thinking: 't' }, { type: 'text', text: 'x' }, { type: 'tool_use', id: 't', name: 'f', input: {} }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 3, cache_creation_input_tokens: 4 },
    },
    stream: [
      json('message_start', { type: 'message_start', message: { id: 'msg', model: 'm', usage: { input_tokens: 1, output_tokens: 1 } } }),
      json('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'f', input: {} } }),
      json('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } }),
      json('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 3 } }),
    ],
  },
  'gemini.generate_content': {
    request: {
      contents: [
        { role: 'user', parts: [{ text: 'hi' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
        { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'f', response: { r: 1 } } }] },
      ],
      systemInstruction: { parts: [{ text: 'sys' }] },
      generationConfig: { maxOutputTokens: 5, stopSequences: ['x'], responseMimeType: 'application/json' },
    },
    response: {
      candidates: [{ content: { role: 'model', parts: [{ text: 't', thought: true }, { text: 'x' }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 2, thoughtsTokenCount: 3, cachedContentTokenCount: 0 },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'r',
    },
    stream: [
      json(undefined, { candidates: [{ content: { role: 'model', parts: [{ text: 'a' }] } }], modelVersion: 'g' }),
      json(undefined, { candidates: [{ content: { role: 'model', parts: [{ text: 'b' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 2 } }),
    ],
  },
  'gemini.embed_content': {
    request: { requests: [{ model: 'models/e', content: { parts: [{ text: 'a' }] } }] },
    response: { embeddings: [{ values: [1, 2, 3] }] },
    stream: [],
  },
  'bedrock.converse': {
    request: {
      messages: [
        { role: 'user', content: [{ text: 'hi' }, { image: { format: 'png', source: { bytes: 'AAAA' } } }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'f', input: { a: 1 } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 't', content: [{ json: { r: 1 } }] } }] },
      ],
      system: [{ text: 'sys' }],
      inferenceConfig: { maxTokens: 5, stopSequences: ['x'] },
      additionalModelRequestFields: { top_k: 5 },
    },
    response: {
      output: { message: { role: 'assistant', content: [{ reasoningContent: { reasoningText: { text: 't' } } }, { text: 'x' }, { toolUse: { toolUseId: 't', name: 'f', input: {} } }] } },
      stopReason: 'tool_use',
      usage: { inputTokens: 1, outputTokens: 2, cacheReadInputTokens: 3, cacheWriteInputTokens: 4 },
    },
    stream: [
      json('messageStart', { role: 'assistant' }),
      json('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: 't', name: 'f' } } }),
      json('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '{}' } } }),
      json('messageStop', { stopReason: 'tool_use' }),
      json('metadata', { usage: { inputTokens: 1, outputTokens: 2 } }),
    ],
  },
};

const WRONG_VALUES: unknown[] = [null, 0, -1, 1.5, '', 'x', true, [], {}, [null], [1, 'x'], { a: 1 }];

/** Every way of replacing one value anywhere in `root` with a wrong one (the root included). */
function* corruptions(root: unknown): Generator<unknown> {
  for (const wrong of WRONG_VALUES) yield wrong;
  const paths: Array<Array<string | number>> = [];
  const walk = (node: unknown, path: Array<string | number>): void => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      const next = [...path, Array.isArray(node) ? Number(key) : key];
      paths.push(next);
      walk((node as Record<string, unknown>)[key], next);
    }
  };
  walk(root, []);
  for (const path of paths) {
    for (const wrong of WRONG_VALUES) {
      const copy = structuredClone(root) as Record<string | number, unknown>;
      let holder = copy;
      for (const key of path.slice(0, -1)) holder = holder[key] as Record<string | number, unknown>;
      holder[path[path.length - 1]] = wrong;
      yield copy;
    }
  }
}

function expectRequestShape(info: RequestInfo): void {
  expect(typeof info.inputText).toBe('string');
  for (const m of info.inputMessages ?? []) {
    expect(typeof m.role).toBe('string');
    expect(Array.isArray(m.parts)).toBe(true);
    for (const p of m.parts) expect(typeof p.type).toBe('string');
  }
  for (const p of info.systemInstructions ?? []) expect(typeof p.type).toBe('string');
  for (const key of ['temperature', 'maxTokens', 'topP', 'topK', 'seed', 'choiceCount'] as const) {
    if (info[key] !== undefined) expect(Number.isFinite(info[key])).toBe(true);
  }
  for (const s of info.stopSequences ?? []) expect(typeof s).toBe('string');
}

function expectResponseShape(info: ResponseInfo): void {
  expect(Array.isArray(info.finishReasons)).toBe(true);
  for (const r of info.finishReasons) expect(typeof r).toBe('string');
  expect(typeof info.outputText).toBe('string');
  for (const m of info.outputMessages ?? []) {
    expect(typeof m.role).toBe('string');
    expect(typeof m.finish_reason).toBe('string');
    for (const p of m.parts) expect(typeof p.type).toBe('string');
  }
  for (const value of Object.values(info.usage ?? {})) expect(Number.isFinite(value)).toBe(true);
  if (info.error) expect(typeof info.error.type).toBe('string');
}

const endpointFor = (api: ApiKind): LlmEndpoint => ({
  provider: 'test',
  api,
  operation: 'chat',
  urlModel: 'm',
  serverAddress: 'localhost',
  serverPort: 8080,
});

describe('codec registry', () => {
  for (const api of Object.keys(SAMPLES) as ApiKind[]) {
    describe(api, () => {
      const codec = codecFor(api);
      const endpoint = endpointFor(api);

      it('is the codec of its API', () => {
        expect(codec.api).toBe(api);
      });

      it('reads its realistic samples', () => {
        const sample = SAMPLES[api];
        expect(codec.parseRequest(sample.request, endpoint).inputText.length).toBeGreaterThan(0);
        const response = codec.parseResponse(sample.response, endpoint);
        expect(response.error).toBeUndefined();
        expect(response.outputMessages?.length ?? response.embeddingDimensions).toBeTruthy();
      });

      it('survives every field of the request and the response set to a wrong type', () => {
        const sample = SAMPLES[api];
        for (const body of corruptions(sample.request)) expectRequestShape(codec.parseRequest(body, endpoint));
        for (const body of corruptions(sample.response)) expectResponseShape(codec.parseResponse(body, endpoint));
      });

      it('survives every field of every stream event set to a wrong type', () => {
        const sample = SAMPLES[api];
        for (let i = 0; i < sample.stream.length; i++) {
          for (const corrupted of corruptions(JSON.parse(sample.stream[i].data))) {
            const acc = codec.createStreamAccumulator(endpoint);
            for (let j = 0; j < sample.stream.length; j++) {
              acc.accept(j === i ? { event: sample.stream[j].event, data: JSON.stringify(corrupted) } : sample.stream[j]);
            }
            expectResponseShape(acc.result());
          }
        }
        const acc = codec.createStreamAccumulator(endpoint);
        for (const data of ['', ' ', '[DONE]', 'null', '{', '"x"', '42', '[]']) acc.accept({ data, exception: false });
        expectResponseShape(acc.result());
        expectResponseShape(codec.createStreamAccumulator(endpoint).result());
      });
    });
  }
});
