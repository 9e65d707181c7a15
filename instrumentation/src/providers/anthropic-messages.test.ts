import { describe, expect, it } from 'vitest';
import { anthropicMessagesCodec as codec } from './anthropic-messages.js';
import type { LlmEndpoint, ResponseInfo, StreamEvent } from './types.js';

const endpoint: LlmEndpoint = {
  provider: 'anthropic',
  api: 'anthropic.messages',
  operation: 'chat',
  serverAddress: 'api.anthropic.com',
  serverPort: 443,
};

/** An SSE event as Anthropic sends it: the `event:` name repeats the data's `type`. */
const ev = (data: { type: string } & Record<string, unknown>): StreamEvent => ({ event: data.type, data: JSON.stringify(data) });

function fold(events: StreamEvent[]): ResponseInfo {
  const acc = codec.createStreamAccumulator(endpoint);
  for (const e of events) acc.accept(e);
  return acc.result();
}

const toolBody = {
  id: 'msg_01Aq9w938a90dw8q',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [
    { type: 'thinking', thinking: 'The user is in Paris; I should check the weather.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' },
    { type: 'text', text: "I'll check the weather in Paris." },
    { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'Paris, France', unit: 'celsius' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 50, cache_creation_input_tokens: 1500, cache_read_input_tokens: 2000, output_tokens: 120, service_tier: 'standard' },
};

describe('anthropic messages: request', () => {
  it('reads system blocks as system instructions and every block kind', () => {
    const body = {
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 1024,
      system: [{ type: 'text', text: 'You are a helpful assistant.', cache_control: { type: 'ephemeral' } }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://upload.wikimedia.org/a.jpg' } },
            { type: 'document', source: { type: 'file', file_id: 'file_011CNha8iCJcU1wXNR6q4V8w' } },
            { type: 'text', text: "What's the weather where this is?" },
          ],
        },
        { role: 'assistant', content: toolBody.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01A09q90qw90lq917835lq9', content: [{ type: 'text', text: '15 degrees' }] },
            { type: 'text', text: 'Thanks' },
          ],
        },
      ],
      temperature: 0.7,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['\n\nHuman:'],
      stream: true,
    };
    expect(codec.parseRequest(body, endpoint)).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      stream: true,
      temperature: 0.7,
      maxTokens: 1024,
      topP: 0.9,
      topK: 40,
      stopSequences: ['\n\nHuman:'],
      systemInstructions: [{ type: 'text', content: 'You are a helpful assistant.' }],
      inputMessages: [
        {
          role: 'user',
          parts: [
            { type: 'blob', modality: 'image', mime_type: 'image/png', content: 'iVBORw0KGgo=' },
            { type: 'uri', modality: 'image', uri: 'https://upload.wikimedia.org/a.jpg' },
            { type: 'file', modality: 'document', file_id: 'file_011CNha8iCJcU1wXNR6q4V8w' },
            { type: 'text', content: "What's the weather where this is?" },
          ],
        },
        {
          role: 'assistant',
          parts: [
            { type: 'reasoning', content: 'The user is in Paris; I should check the weather.' },
            { type: 'text', content: "I'll check the weather in Paris." },
            { type: 'tool_call', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', arguments: { location: 'Paris, France', unit: 'celsius' } },
          ],
        },
        {
          role: 'user',
          parts: [
            { type: 'tool_call_response', id: 'toolu_01A09q90qw90lq917835lq9', response: '15 degrees' },
            { type: 'text', content: 'Thanks' },
          ],
        },
      ],
      inputText:
        "You are a helpful assistant.\nWhat's the weather where this is?\nThe user is in Paris; I should check the weather.\nI'll check the weather in Paris.\n" +
        '{"location":"Paris, France","unit":"celsius"}\n15 degrees\nThanks',
    });
  });

  it('reads a string system prompt and string content', () => {
    expect(codec.parseRequest({ model: 'claude-3-5-haiku-latest', max_tokens: 10, system: 'Be brief.', messages: [{ role: 'user', content: 'Hello, Claude' }] }, endpoint)).toEqual({
      model: 'claude-3-5-haiku-latest',
      maxTokens: 10,
      systemInstructions: [{ type: 'text', content: 'Be brief.' }],
      inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'Hello, Claude' }] }],
      inputText: 'Be brief.\nHello, Claude',
    });
  });
});

describe('anthropic messages: response', () => {
  it('adds cache reads and writes to input tokens', () => {
    expect(codec.parseResponse(toolBody, endpoint)).toEqual({
      id: 'msg_01Aq9w938a90dw8q',
      model: 'claude-sonnet-4-5-20250929',
      finishReasons: ['tool_use'],
      usage: { inputTokens: 3550, outputTokens: 120, cacheReadInputTokens: 2000, cacheCreationInputTokens: 1500 },
      outputMessages: [
        {
          role: 'assistant',
          parts: [
            { type: 'reasoning', content: 'The user is in Paris; I should check the weather.' },
            { type: 'text', content: "I'll check the weather in Paris." },
            { type: 'tool_call', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', arguments: { location: 'Paris, France', unit: 'celsius' } },
          ],
          finish_reason: 'tool_call',
        },
      ],
      outputText: 'The user is in Paris; I should check the weather.\nI\'ll check the weather in Paris.\n{"location":"Paris, France","unit":"celsius"}',
    });
  });

  it('normalizes the stop reasons', () => {
    const reasonOf = (stop_reason: string) => codec.parseResponse({ ...toolBody, stop_reason }, endpoint).outputMessages![0].finish_reason;
    expect(['end_turn', 'stop_sequence', 'max_tokens', 'refusal', 'pause_turn', 'model_context_window_exceeded'].map(reasonOf)).toEqual([
      'stop',
      'stop',
      'length',
      'content_filter',
      'stop',
      'length',
    ]);
  });

  it('reads the error body', () => {
    expect(codec.parseResponse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy' }, endpoint)).toEqual({
      finishReasons: [],
      outputText: '',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
  });
});

describe('anthropic messages: stream', () => {
  it('folds thinking, text and tool-use blocks into the non-stream result', () => {
    const events = [
      ev({
        type: 'message_start',
        message: { ...toolBody, content: [], stop_reason: null, usage: { input_tokens: 50, cache_creation_input_tokens: 1500, cache_read_input_tokens: 2000, output_tokens: 1, service_tier: 'standard' } },
      }),
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'The user is in Paris; ' } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'I should check the weather.' } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' } }),
      ev({ type: 'content_block_stop', index: 0 }),
      ev({ type: 'ping' }),
      ev({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }),
      ev({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: "I'll check" } }),
      ev({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: ' the weather in Paris.' } }),
      ev({ type: 'content_block_stop', index: 1 }),
      ev({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: {} } }),
      ev({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '' } }),
      ev({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"location": "Paris, France"' } }),
      ev({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: ', "unit": "celsius"}' } }),
      ev({ type: 'content_block_stop', index: 2 }),
      ev({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 120 } }),
      ev({ type: 'message_stop' }),
    ];
    expect(fold(events)).toEqual(codec.parseResponse(toolBody, endpoint));
  });

  it('takes input and cache counts repeated in message_delta, and a tool without input', () => {
    const info = fold([
      ev({ type: 'message_start', message: { id: 'msg_2', type: 'message', role: 'assistant', content: [], model: 'claude-opus-4-1', usage: { input_tokens: 10, output_tokens: 1 } } }),
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_2', name: 'now', input: {} } }),
      ev({ type: 'content_block_stop', index: 0 }),
      ev({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { input_tokens: 12, cache_read_input_tokens: 100, cache_creation_input_tokens: null, output_tokens: 30 } }),
    ]);
    expect(info.usage).toEqual({ inputTokens: 112, outputTokens: 30, cacheReadInputTokens: 100 });
    expect(info.outputMessages![0].parts).toEqual([{ type: 'tool_call', id: 'toolu_2', name: 'now', arguments: {} }]);
  });

  it('reports an error event mid-stream and keeps what arrived', () => {
    const info = fold([
      ev({ type: 'message_start', message: { id: 'msg_3', type: 'message', role: 'assistant', content: [], model: 'claude-sonnet-4-5', usage: { input_tokens: 5, output_tokens: 1 } } }),
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Partial' } }),
      ev({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
    ]);
    expect(info.error).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
    expect(info.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Partial' }], finish_reason: 'error' }]);
    expect(info.usage).toEqual({ inputTokens: 5, outputTokens: 1 });
  });
});

describe('anthropic messages: odd input', () => {
  it('never throws and returns what it can', () => {
    for (const body of [undefined, null, 1, 'x', [], {}, { system: 7, messages: [null, { content: [null, { type: 'image', source: 'x' }, { type: 'tool_result' }] }] }]) {
      expect(() => codec.parseRequest(body, endpoint)).not.toThrow();
      expect(() => codec.parseResponse(body, endpoint)).not.toThrow();
    }
    expect(codec.parseResponse({ type: 'message', content: 'text', stop_reason: 5, usage: { input_tokens: '3' } }, endpoint)).toEqual({ finishReasons: [], outputText: '' });
    expect(codec.parseResponse({ type: 'error' }, endpoint).error).toEqual({ type: 'error' });
    const acc = codec.createStreamAccumulator(endpoint);
    for (const data of ['', 'null', '{"type":"content_block_delta","index":9,"delta":{"type":"text_delta","text":"x"}}', '{"type":"message_start","message":[]}', '{"type":"content_block_start","index":0,"content_block":{"type":"tool_use"}}', '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\":"}}']) {
      expect(() => acc.accept({ data })).not.toThrow();
    }
    expect(acc.result().outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'tool_call', name: '', arguments: '{"a":' }], finish_reason: 'error' }]);
  });
});
