import { describe, expect, it } from 'vitest';
import { openAiResponsesCodec as codec } from './openai-responses.js';
import type { ResponseInfo, StreamEvent } from './types.js';
import { openAiEndpoint } from './openai-endpoint.fixture.js';

const endpoint = openAiEndpoint('openai.responses');

/** An SSE event as the Responses API sends it: the `event:` name repeats the data's `type`. */
const ev = (data: { type: string } & Record<string, unknown>): StreamEvent => ({ event: data.type, data: JSON.stringify(data) });

function fold(events: StreamEvent[]): ResponseInfo {
  const acc = codec.createStreamAccumulator(endpoint);
  for (const e of events) acc.accept(e);
  return acc.result();
}

const textResponse = {
  id: 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
  object: 'response',
  created_at: 1741476542,
  status: 'completed',
  error: null,
  incomplete_details: null,
  instructions: null,
  max_output_tokens: null,
  model: 'gpt-4.1-2025-04-14',
  output: [
    {
      type: 'message',
      id: 'msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'In a peaceful grove beneath a silver moon...', annotations: [] }],
    },
  ],
  parallel_tool_calls: true,
  service_tier: 'default',
  temperature: 1.0,
  text: { format: { type: 'text' } },
  usage: { input_tokens: 36, input_tokens_details: { cached_tokens: 0 }, output_tokens: 87, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 123 },
};

const toolResponse = {
  id: 'resp_tool',
  object: 'response',
  status: 'completed',
  error: null,
  incomplete_details: null,
  model: 'o4-mini-2025-04-16',
  output: [
    { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'The user wants the weather; call the tool.' }] },
    { type: 'function_call', id: 'fc_1', call_id: 'call_12345xyz', name: 'get_weather', arguments: '{"location":"Paris, France"}', status: 'completed' },
  ],
  service_tier: 'default',
  usage: { input_tokens: 1200, input_tokens_details: { cached_tokens: 1024 }, output_tokens: 180, output_tokens_details: { reasoning_tokens: 128 }, total_tokens: 1380 },
};

describe('openai responses: request', () => {
  it('reads instructions as system instructions and items as messages', () => {
    const body = {
      model: 'gpt-5',
      instructions: 'You are a weather bot.',
      input: [
        { role: 'developer', content: 'Use metric units.' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Weather in Paris?' },
            { type: 'input_image', image_url: 'https://example.com/paris.jpg', detail: 'auto' },
            { type: 'input_file', file_id: 'file-6F2ksmvXxt4VdoqmHRw6kL' },
            { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
          ],
        },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Need the weather tool.' }], encrypted_content: 'gAAAAA' },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"temp_c":14}' },
        { type: 'reasoning', id: 'rs_2', summary: [], encrypted_content: 'gAAAAB' },
      ],
      temperature: 0.5,
      top_p: 0.8,
      max_output_tokens: 500,
      stream: true,
      service_tier: 'priority',
      text: { format: { type: 'json_schema', name: 'weather', schema: { type: 'object' }, strict: true } },
    };
    expect(codec.parseRequest(body, endpoint)).toEqual({
      model: 'gpt-5',
      stream: true,
      temperature: 0.5,
      maxTokens: 500,
      topP: 0.8,
      outputType: 'json',
      serviceTier: 'priority',
      systemInstructions: [{ type: 'text', content: 'You are a weather bot.' }],
      inputMessages: [
        { role: 'developer', parts: [{ type: 'text', content: 'Use metric units.' }] },
        {
          role: 'user',
          parts: [
            { type: 'text', content: 'Weather in Paris?' },
            { type: 'uri', modality: 'image', uri: 'https://example.com/paris.jpg' },
            { type: 'file', modality: 'document', file_id: 'file-6F2ksmvXxt4VdoqmHRw6kL' },
            { type: 'blob', modality: 'document', mime_type: 'application/pdf', content: 'JVBERi0=' },
          ],
        },
        {
          role: 'assistant',
          parts: [
            { type: 'reasoning', content: 'Need the weather tool.' },
            { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } },
          ],
        },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: '{"temp_c":14}' }] },
      ],
      inputText: 'You are a weather bot.\nUse metric units.\nWeather in Paris?\nNeed the weather tool.\n{"city":"Paris"}\n{"temp_c":14}',
    });
  });

  it('reads a string input as one user message', () => {
    expect(codec.parseRequest({ model: 'gpt-4.1', input: 'Tell me a story.' }, endpoint)).toEqual({
      model: 'gpt-4.1',
      inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'Tell me a story.' }] }],
      inputText: 'Tell me a story.',
    });
  });
});

describe('openai responses: response', () => {
  it('reads a completed text response', () => {
    expect(codec.parseResponse(textResponse, endpoint)).toEqual({
      id: 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
      model: 'gpt-4.1-2025-04-14',
      finishReasons: ['stop'],
      usage: { inputTokens: 36, outputTokens: 87, cacheReadInputTokens: 0, reasoningOutputTokens: 0 },
      outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'In a peaceful grove beneath a silver moon...' }], finish_reason: 'stop' }],
      outputText: 'In a peaceful grove beneath a silver moon...',
      serviceTier: 'default',
    });
  });

  it('reports tool_call when the output has a function call, with reasoning and cached tokens', () => {
    expect(codec.parseResponse(toolResponse, endpoint)).toEqual({
      id: 'resp_tool',
      model: 'o4-mini-2025-04-16',
      finishReasons: ['tool_call'],
      usage: { inputTokens: 1200, outputTokens: 180, cacheReadInputTokens: 1024, reasoningOutputTokens: 128 },
      outputMessages: [
        {
          role: 'assistant',
          parts: [
            { type: 'reasoning', content: 'The user wants the weather; call the tool.' },
            { type: 'tool_call', id: 'call_12345xyz', name: 'get_weather', arguments: { location: 'Paris, France' } },
          ],
          finish_reason: 'tool_call',
        },
      ],
      outputText: 'The user wants the weather; call the tool.\n{"location":"Paris, France"}',
      serviceTier: 'default',
    });
  });

  it('maps incomplete and failed responses, and server-side tool calls', () => {
    const incomplete = codec.parseResponse(
      { ...textResponse, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [{ type: 'web_search_call', id: 'ws_1', status: 'completed' }, ...textResponse.output] },
      endpoint,
    );
    expect(incomplete.finishReasons).toEqual(['max_output_tokens']);
    expect(incomplete.outputMessages![0].finish_reason).toBe('length');
    expect(incomplete.outputMessages![0].parts[0]).toEqual({ type: 'server_tool_call', id: 'ws_1', name: 'web_search_call', server_tool_call: { type: 'web_search_call' } });
    const filtered = codec.parseResponse({ ...textResponse, status: 'incomplete', incomplete_details: { reason: 'content_filter' } }, endpoint);
    expect(filtered.outputMessages![0].finish_reason).toBe('content_filter');
    const failed = codec.parseResponse({ ...textResponse, status: 'failed', output: [], error: { code: 'server_error', message: 'The model failed to generate a response.' } }, endpoint);
    expect(failed.finishReasons).toEqual(['failed']);
    expect(failed.outputMessages).toBeUndefined();
    expect(failed.error).toEqual({ type: 'server_error', message: 'The model failed to generate a response.' });
  });

  it('reads an HTTP error body', () => {
    expect(
      codec.parseResponse({ error: { message: "The model 'gpt-9' does not exist", type: 'invalid_request_error', param: 'model', code: 'model_not_found' } }, endpoint),
    ).toEqual({ finishReasons: [], outputText: '', error: { type: 'model_not_found', message: "The model 'gpt-9' does not exist" } });
  });
});

describe('openai responses: stream', () => {
  const created = { ...textResponse, status: 'in_progress', output: [], usage: null };
  const msgId = textResponse.output[0].id;
  const textEvents = [
    ev({ type: 'response.created', sequence_number: 0, response: created }),
    ev({ type: 'response.in_progress', sequence_number: 1, response: created }),
    ev({ type: 'response.output_item.added', sequence_number: 2, output_index: 0, item: { id: msgId, type: 'message', status: 'in_progress', role: 'assistant', content: [] } }),
    ev({ type: 'response.content_part.added', sequence_number: 3, item_id: msgId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }),
    ev({ type: 'response.output_text.delta', sequence_number: 4, item_id: msgId, output_index: 0, content_index: 0, delta: 'In a peaceful grove' }),
    ev({ type: 'response.output_text.delta', sequence_number: 5, item_id: msgId, output_index: 0, content_index: 0, delta: ' beneath a silver moon...' }),
  ];

  it('reads the final response of response.completed', () => {
    const info = fold([
      ...textEvents,
      ev({ type: 'response.output_text.done', sequence_number: 6, item_id: msgId, output_index: 0, content_index: 0, text: 'In a peaceful grove beneath a silver moon...' }),
      ev({ type: 'response.output_item.done', sequence_number: 7, output_index: 0, item: textResponse.output[0] }),
      ev({ type: 'response.completed', sequence_number: 8, response: textResponse }),
    ]);
    expect(info).toEqual(codec.parseResponse(textResponse, endpoint));
  });

  it('rebuilds the output from deltas when the stream is cut before the final event', () => {
    expect(fold(textEvents)).toEqual({
      id: textResponse.id,
      model: textResponse.model,
      finishReasons: [],
      outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'In a peaceful grove beneath a silver moon...' }], finish_reason: 'error' }],
      outputText: 'In a peaceful grove beneath a silver moon...',
      serviceTier: 'default',
    });
  });

  it('rebuilds function-call arguments from deltas too', () => {
    const info = fold([
      ev({ type: 'response.created', response: { id: 'resp_x', object: 'response', status: 'in_progress', model: 'gpt-4.1', output: [] } }),
      ev({ type: 'response.output_item.added', output_index: 0, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_weather', arguments: '' } }),
      ev({ type: 'response.function_call_arguments.delta', output_index: 0, item_id: 'fc_1', delta: '{"city":' }),
      ev({ type: 'response.function_call_arguments.delta', output_index: 0, item_id: 'fc_1', delta: '"Paris"}' }),
    ]);
    expect(info.outputMessages![0].parts).toEqual([{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }]);
  });

  it('takes the event type from the SSE event name when the data has none', () => {
    const named = (event: string, data: Record<string, unknown>): StreamEvent => ({ event, data: JSON.stringify(data) });
    const item = textResponse.output[0];
    const info = fold([
      named('response.created', { response: created }),
      named('response.output_item.added', { output_index: 0, item: { ...item, content: [] } }),
      named('response.output_text.delta', { output_index: 0, delta: 'partial' }),
      named('response.output_item.done', { output_index: 0, item }),
    ]);
    expect(info.outputText).toBe('In a peaceful grove beneath a silver moon...');
  });

  it('reports response.failed and error events', () => {
    const failed = fold([
      ev({ type: 'response.created', response: created }),
      ev({ type: 'response.failed', response: { ...created, status: 'failed', error: { code: 'server_error', message: 'boom' } } }),
    ]);
    expect(failed.error).toEqual({ type: 'server_error', message: 'boom' });
    expect(failed.finishReasons).toEqual(['failed']);
    const errored = fold([...textEvents, ev({ type: 'error', code: 'ERR_SOMETHING', message: 'Something went wrong', param: null, sequence_number: 9 })]);
    expect(errored.error).toEqual({ type: 'ERR_SOMETHING', message: 'Something went wrong' });
    expect(errored.outputText).toBe('In a peaceful grove beneath a silver moon...');
  });
});

describe('openai responses: odd input', () => {
  it('never throws and returns what it can', () => {
    for (const body of [undefined, null, 3, 'x', [], {}, { input: 5 }, { input: [null, 1, { type: 'function_call' }, { role: 'user', content: [null, { type: 'input_image' }] }] }]) {
      expect(() => codec.parseRequest(body, endpoint)).not.toThrow();
      expect(() => codec.parseResponse(body, endpoint)).not.toThrow();
    }
    expect(codec.parseResponse({ object: 'response', status: 'completed', output: [null, 'x', { type: 'message', content: 'hi' }, { type: 7 }], usage: [] }, endpoint)).toEqual({
      finishReasons: ['stop'],
      outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'hi' }], finish_reason: 'stop' }],
      outputText: 'hi',
    });
    const acc = codec.createStreamAccumulator(endpoint);
    for (const data of ['', '[DONE]', '{"type":"response.output_text.delta","delta":5}', '{"type":"response.completed","response":"x"}', '{"type":"response.output_item.done","output_index":0,"item":null}']) {
      expect(() => acc.accept({ data })).not.toThrow();
    }
    expect(acc.result()).toEqual({ finishReasons: [], outputText: '' });
  });
});
