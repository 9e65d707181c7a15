import { describe, expect, it } from 'vitest';
import { openAiChatCompletionsCodec as codec } from './openai-chat-completions.js';
import type { ResponseInfo, StreamEvent } from './types.js';
import { openAiEndpoint } from './openai-endpoint.fixture.js';

const endpoint = openAiEndpoint();

const sse = (chunk: unknown): StreamEvent => ({ data: JSON.stringify(chunk) });
const DONE: StreamEvent = { data: '[DONE]' };

function fold(events: StreamEvent[]): ResponseInfo {
  const acc = codec.createStreamAccumulator(endpoint);
  for (const e of events) acc.accept(e);
  return acc.result();
}

describe('openai chat completions: request', () => {
  it('reads parameters and every message kind', () => {
    const body = {
      model: 'gpt-4o-2024-08-06',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        {
          role: 'user',
          name: 'alice',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
            { type: 'file', file: { file_id: 'file-abc123' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'rainy, 14°C' },
      ],
      temperature: 0.2,
      max_completion_tokens: 256,
      max_tokens: 100,
      top_p: 0.9,
      frequency_penalty: 0.1,
      presence_penalty: 0.3,
      stop: ['END', 'STOP'],
      seed: 42,
      n: 2,
      stream: true,
      stream_options: { include_usage: true },
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } },
      service_tier: 'flex',
    };
    expect(codec.parseRequest(body, endpoint)).toEqual({
      model: 'gpt-4o-2024-08-06',
      stream: true,
      temperature: 0.2,
      maxTokens: 256,
      topP: 0.9,
      frequencyPenalty: 0.1,
      presencePenalty: 0.3,
      stopSequences: ['END', 'STOP'],
      seed: 42,
      choiceCount: 2,
      outputType: 'json',
      serviceTier: 'flex',
      inputMessages: [
        { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
        { role: 'developer', parts: [{ type: 'text', content: 'Answer in French.' }] },
        {
          role: 'user',
          name: 'alice',
          parts: [
            { type: 'text', content: 'What is in these?' },
            { type: 'uri', modality: 'image', uri: 'https://example.com/cat.png' },
            { type: 'blob', modality: 'image', mime_type: 'image/jpeg', content: '/9j/4AAQ' },
            { type: 'blob', modality: 'audio', mime_type: 'audio/wav', content: 'UklGRg==' },
            { type: 'file', modality: 'document', file_id: 'file-abc123' },
          ],
        },
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
        },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy, 14°C' }] },
      ],
      inputText: 'You are terse.\nAnswer in French.\nWhat is in these?\n{"city":"Paris"}\nrainy, 14°C',
    });
  });

  it('takes max_tokens when max_completion_tokens is absent, a single stop string, and json_object', () => {
    const info = codec.parseRequest(
      { model: 'llama-3.1-8b-instant', messages: [{ role: 'user', content: 'hi' }], max_tokens: 50, stop: 'END', response_format: { type: 'json_object' } },
      endpoint,
    );
    expect(info.maxTokens).toBe(50);
    expect(info.stopSequences).toEqual(['END']);
    expect(info.outputType).toBe('json');
    expect(info.stream).toBeUndefined();
  });

  it('reports speech for audio output modalities', () => {
    const info = codec.parseRequest({ model: 'gpt-4o-audio-preview', modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' }, messages: [] }, endpoint);
    expect(info.outputType).toBe('speech');
  });
});

const toolCallBody = {
  id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
  object: 'chat.completion',
  created: 1741570283,
  model: 'gpt-4o-2024-08-06',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":"Europe/Par' } },
        ],
        refusal: null,
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    },
  ],
  usage: {
    prompt_tokens: 82,
    completion_tokens: 40,
    total_tokens: 122,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
  service_tier: 'default',
  system_fingerprint: 'fp_f9f4fb6dbf',
};

describe('openai chat completions: response', () => {
  it('reads a text completion with cached and reasoning tokens', () => {
    const body = {
      id: 'chatcmpl-123',
      object: 'chat.completion',
      created: 1741569952,
      model: 'o3-mini-2025-01-31',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Bonjour !', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: 2006,
        completion_tokens: 300,
        total_tokens: 2306,
        prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 256, audio_tokens: 0 },
      },
      service_tier: 'default',
      system_fingerprint: 'fp_44709d6fcb',
    };
    expect(codec.parseResponse(body, endpoint)).toEqual({
      id: 'chatcmpl-123',
      model: 'o3-mini-2025-01-31',
      finishReasons: ['stop'],
      usage: { inputTokens: 2006, outputTokens: 300, cacheReadInputTokens: 1920, reasoningOutputTokens: 256 },
      outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'Bonjour !' }], finish_reason: 'stop' }],
      outputText: 'Bonjour !',
      serviceTier: 'default',
      systemFingerprint: 'fp_44709d6fcb',
    });
  });

  it('reads tool calls, parsing arguments that are JSON and keeping those that are not', () => {
    const info = codec.parseResponse(toolCallBody, endpoint);
    expect(info.finishReasons).toEqual(['tool_calls']);
    expect(info.outputMessages).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'tool_call', id: 'call_a', name: 'get_weather', arguments: { city: 'Paris' } },
          { type: 'tool_call', id: 'call_b', name: 'get_time', arguments: '{"tz":"Europe/Par' },
        ],
        finish_reason: 'tool_call',
      },
    ]);
    expect(info.usage).toEqual({ inputTokens: 82, outputTokens: 40, cacheReadInputTokens: 0, reasoningOutputTokens: 0 });
  });

  it('keeps a refusal and normalizes length and content_filter per choice', () => {
    const info = codec.parseResponse(
      {
        id: 'chatcmpl-9',
        model: 'gpt-4o',
        choices: [
          { index: 0, message: { role: 'assistant', content: null, refusal: "I'm sorry, I can't help with that." }, finish_reason: 'stop' },
          { index: 1, message: { role: 'assistant', content: 'Once upon a' }, finish_reason: 'length' },
          { index: 2, message: { role: 'assistant', content: '' }, finish_reason: 'content_filter' },
        ],
      },
      endpoint,
    );
    expect(info.finishReasons).toEqual(['stop', 'length', 'content_filter']);
    expect(info.outputMessages!.map((m) => m.finish_reason)).toEqual(['stop', 'length', 'content_filter']);
    expect(info.outputMessages![0].parts).toEqual([{ type: 'text', content: "I'm sorry, I can't help with that." }]);
    expect(info.outputText).toBe("I'm sorry, I can't help with that.\nOnce upon a");
  });

  it('reads DeepSeek reasoning_content and prompt_cache_hit_tokens', () => {
    const info = codec.parseResponse(
      {
        id: 'e1b0c8f2',
        object: 'chat.completion',
        model: 'deepseek-reasoner',
        choices: [{ index: 0, message: { role: 'assistant', content: '9.11 < 9.8', reasoning_content: 'Compare decimals.' }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: 30,
          completion_tokens: 120,
          total_tokens: 150,
          prompt_tokens_details: { cached_tokens: undefined },
          completion_tokens_details: { reasoning_tokens: 100 },
          prompt_cache_hit_tokens: 24,
          prompt_cache_miss_tokens: 6,
        },
      },
      endpoint,
    );
    expect(info.usage).toEqual({ inputTokens: 30, outputTokens: 120, cacheReadInputTokens: 24, reasoningOutputTokens: 100 });
    expect(info.outputMessages![0].parts).toEqual([
      { type: 'reasoning', content: 'Compare decimals.' },
      { type: 'text', content: '9.11 < 9.8' },
    ]);
    expect(info.outputText).toBe('Compare decimals.\n9.11 < 9.8');
  });

  it('adds xAI reasoning tokens, which xAI counts outside completion_tokens', () => {
    const info = codec.parseResponse(
      {
        id: 'x',
        model: 'grok-3-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: '4' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 32, completion_tokens: 9, total_tokens: 135, completion_tokens_details: { reasoning_tokens: 94 } },
      },
      endpoint,
    );
    expect(info.usage).toEqual({ inputTokens: 32, outputTokens: 103, reasoningOutputTokens: 94 });
  });

  it('reads audio output with its transcript', () => {
    const info = codec.parseResponse(
      {
        id: 'chatcmpl-a',
        model: 'gpt-4o-audio-preview',
        choices: [{ index: 0, message: { role: 'assistant', content: null, audio: { id: 'audio_1', data: 'UklGRg==', transcript: 'Hello there', expires_at: 1 } }, finish_reason: 'stop' }],
      },
      endpoint,
    );
    expect(info.outputMessages![0].parts).toEqual([{ type: 'blob', modality: 'audio', content: 'UklGRg==', transcript: 'Hello there' }]);
    expect(info.outputText).toBe('Hello there');
  });

  it('reads error bodies of OpenAI, vLLM and Ollama', () => {
    expect(
      codec.parseResponse(
        { error: { message: 'Rate limit reached for gpt-4o', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
        endpoint,
      ),
    ).toEqual({ finishReasons: [], outputText: '', error: { type: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-4o' } });
    expect(codec.parseResponse({ error: { message: 'bad', type: 'invalid_request_error', param: 'x', code: null } }, endpoint).error).toEqual({
      type: 'invalid_request_error',
      message: 'bad',
    });
    expect(codec.parseResponse({ object: 'error', message: 'model not found', type: 'NotFoundError', param: null, code: 404 }, endpoint).error).toEqual({
      type: 'NotFoundError',
      message: 'model not found',
    });
    expect(codec.parseResponse({ error: 'model "llama9" not found, try pulling it first' }, endpoint).error).toEqual({
      type: 'error',
      message: 'model "llama9" not found, try pulling it first',
    });
  });
});

describe('openai chat completions: stream', () => {
  const base = { id: 'chatcmpl-123', object: 'chat.completion.chunk', created: 1694268190, model: 'gpt-4o-mini', system_fingerprint: 'fp_44709d6fcb', service_tier: 'default' };

  it('folds a text stream with include_usage into the non-stream result', () => {
    const events = [
      sse({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }], usage: null }),
      sse({ ...base, choices: [{ index: 0, delta: { content: 'Hello' }, logprobs: null, finish_reason: null }], usage: null }),
      sse({ ...base, choices: [{ index: 0, delta: { content: ' world' }, logprobs: null, finish_reason: null }], usage: null }),
      sse({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null }),
      sse({ ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } } }),
      DONE,
    ];
    const body = {
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello world', refusal: null }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
    };
    const streamed = fold(events);
    expect(streamed).toEqual(codec.parseResponse(body, endpoint));
    expect(streamed.outputText).toBe('Hello world');
  });

  it('assembles parallel tool calls from argument deltas', () => {
    const b = { id: toolCallBody.id, object: 'chat.completion.chunk', created: 1, model: toolCallBody.model, system_fingerprint: toolCallBody.system_fingerprint, service_tier: 'default' };
    const events = [
      sse({ ...b, choices: [{ index: 0, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, finish_reason: null }] }),
      sse({ ...b, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }, finish_reason: null }] }),
      sse({ ...b, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] }, finish_reason: null }] }),
      sse({ ...b, choices: [{ index: 0, delta: { tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '' } }] }, finish_reason: null }] }),
      sse({ ...b, choices: [{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: '{"tz":"Europe/Par' } }] }, finish_reason: null }] }),
      sse({ ...b, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
      sse({ ...b, choices: [], usage: toolCallBody.usage }),
      DONE,
    ];
    expect(fold(events)).toEqual(codec.parseResponse(toolCallBody, endpoint));
  });

  it('keeps n > 1 choices apart by index, and leaves usage out when none was sent', () => {
    const c = (index: number, delta: object, finish_reason: string | null = null) => sse({ ...base, choices: [{ index, delta, finish_reason }] });
    const info = fold([c(0, { role: 'assistant', content: 'A' }), c(1, { role: 'assistant', content: 'B' }), c(1, { content: 'b' }, 'length'), c(0, { content: 'a' }, 'stop'), DONE]);
    expect(info.finishReasons).toEqual(['stop', 'length']);
    expect(info.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Aa' }], finish_reason: 'stop' },
      { role: 'assistant', parts: [{ type: 'text', content: 'Bb' }], finish_reason: 'length' },
    ]);
    expect(info.usage).toBeUndefined();
    expect(info.outputText).toBe('Aa\nBb');
  });

  it('folds DeepSeek reasoning deltas and takes usage sent on every chunk (last wins)', () => {
    const u = (completion: number) => ({ prompt_tokens: 10, completion_tokens: completion, total_tokens: 10 + completion, prompt_cache_hit_tokens: 8 });
    const info = fold([
      sse({ id: 'd', model: 'deepseek-reasoner', choices: [{ index: 0, delta: { role: 'assistant', reasoning_content: 'Think' } }], usage: u(1) }),
      sse({ id: 'd', model: 'deepseek-reasoner', choices: [{ index: 0, delta: { reasoning_content: 'ing.' } }], usage: u(2) }),
      sse({ id: 'd', model: 'deepseek-reasoner', choices: [{ index: 0, delta: { content: 'Yes.' }, finish_reason: 'stop' }], usage: u(3) }),
    ]);
    expect(info.outputMessages![0].parts).toEqual([
      { type: 'reasoning', content: 'Thinking.' },
      { type: 'text', content: 'Yes.' },
    ]);
    expect(info.usage).toEqual({ inputTokens: 10, outputTokens: 3, cacheReadInputTokens: 8 });
  });

  it('reads usage from Groq x_groq and skips Azure prompt-filter chunks with an empty model', () => {
    const info = fold([
      sse({ id: '', model: '', object: '', choices: [], prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] }),
      sse({ id: 'chatcmpl-g', model: 'llama-3.3-70b-versatile', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' } }] }),
      sse({ id: 'chatcmpl-g', model: 'llama-3.3-70b-versatile', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], x_groq: { id: 'req_1', usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13 } } }),
      DONE,
    ]);
    expect(info.id).toBe('chatcmpl-g');
    expect(info.model).toBe('llama-3.3-70b-versatile');
    expect(info.usage).toEqual({ inputTokens: 12, outputTokens: 1 });
  });

  it('reports an error chunk and marks an unfinished choice as error', () => {
    const info = fold([
      sse({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Part' } }] }),
      sse({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } }),
    ]);
    expect(info.error).toEqual({ type: 'server_error', message: 'The server had an error while processing your request.' });
    expect(info.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Part' }], finish_reason: 'error' }]);
    expect(info.finishReasons).toEqual([]);
  });

  it('accepts tool calls sent whole without an index', () => {
    const info = fold([
      sse({ id: 'm', model: 'mistral-large-latest', choices: [{ index: 0, delta: { role: 'assistant', content: '', tool_calls: [{ id: 'a1', function: { name: 'f', arguments: '{"x":1}' } }] } }] }),
      sse({ id: 'm', model: 'mistral-large-latest', choices: [{ index: 0, delta: { tool_calls: [{ id: 'b2', function: { name: 'g', arguments: '{}' } }] }, finish_reason: 'tool_calls' }] }),
    ]);
    expect(info.outputMessages![0].parts).toEqual([
      { type: 'tool_call', id: 'a1', name: 'f', arguments: { x: 1 } },
      { type: 'tool_call', id: 'b2', name: 'g', arguments: {} },
    ]);
  });
});

describe('openai chat completions: odd input', () => {
  it('never throws and returns what it can', () => {
    for (const body of [undefined, null, 42, 'text', [], {}, { messages: 'nope' }, { messages: [null, 1, { role: 5, content: { text: 'x' } }] }]) {
      expect(() => codec.parseRequest(body, endpoint)).not.toThrow();
      expect(() => codec.parseResponse(body, endpoint)).not.toThrow();
    }
    expect(codec.parseRequest({ model: 7, temperature: '0.5', stop: [1, 'x'], messages: [{ role: 'user', content: [{ type: 'image_url', image_url: 3 }, { type: 'text', text: 'ok' }] }] }, endpoint)).toEqual({
      stopSequences: ['x'],
      inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'ok' }] }],
      inputText: 'ok',
    });
    expect(codec.parseResponse({ choices: [null, { message: 'x', finish_reason: 3 }], usage: 'lots' }, endpoint)).toEqual({
      finishReasons: [],
      outputMessages: [{ role: 'assistant', parts: [], finish_reason: 'error' }],
      outputText: '',
    });
    const acc = codec.createStreamAccumulator(endpoint);
    for (const data of ['', 'not json', '[DONE]', 'null', '[1,2]', '{"choices":"x"}', '{"choices":[{"delta":{"tool_calls":[null,{"function":7}]}}]}']) {
      expect(() => acc.accept({ data })).not.toThrow();
    }
    expect(() => acc.result()).not.toThrow();
  });
});
