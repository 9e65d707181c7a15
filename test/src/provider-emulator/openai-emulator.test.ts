// OpenAI-specific behaviour, driven through the real openai SDK (v7): the include_usage rule,
// tool calls, the Responses API stream, legacy completions, embeddings, dated response models,
// typed errors and in-stream errors.
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderEmulator } from './emulator-server.js';
import { startOpenAIEmulator } from './openai-emulator.js';

let emulator: ProviderEmulator;
let client: OpenAI;

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
  client = new OpenAI({ baseURL: emulator.baseUrl, apiKey: 'test-key', maxRetries: 0 });
});
afterAll(async () => { await emulator.close(); });
beforeEach(() => emulator.reset());

const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }];

/** The `data:` payloads of an SSE body. */
function sseData(text: string): string[] {
  return text.split('\n\n').filter(Boolean).map((event) => event.replace(/^data: /, ''));
}

describe('chat completions', () => {
  it('reports the dated snapshot of the requested model', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.model).toBe('gpt-4o-mini-2024-07-18');
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    emulator.enqueue({ model: 'gpt-4.1-2025-04-14' });
    expect((await client.chat.completions.create({ model: 'gpt-4.1', messages })).model).toBe('gpt-4.1-2025-04-14');
  });

  it('sends a usage chunk with empty choices only when stream_options.include_usage is set', async () => {
    emulator.enqueue({ text: 'one two three four five', inputTokens: 11, outputTokens: 5 }, { text: 'one two three four five' });
    const withUsage = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of withUsage) chunks.push(chunk);
    expect(chunks[0].choices[0].delta).toMatchObject({ role: 'assistant', content: '' });
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(sseData(emulator.lastRequest!.response.text).at(-1)).toBe('[DONE]');

    const withoutUsage = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const plain: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of withoutUsage) plain.push(chunk);
    expect(plain.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
    expect(plain.at(-1)!.choices[0].finish_reason).toBe('stop');
  });

  it('returns a scripted tool call, streamed as tool_calls deltas', async () => {
    const toolCall = { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } };
    emulator.enqueue({ toolCall }, { toolCall });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion.choices[0].message.content).toBeNull();
    const [call] = completion.choices[0].message.tool_calls!;
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual(toolCall.arguments);

    const stream = client.chat.completions.stream({ model: 'gpt-4o-mini', messages });
    const final = await stream.finalChatCompletion();
    const streamed = final.choices[0].message.tool_calls![0];
    expect(streamed.type === 'function' && streamed.function.name).toBe('get_weather');
    expect(streamed.type === 'function' && JSON.parse(streamed.function.arguments)).toEqual(toolCall.arguments);
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    const argumentDeltas = sseData(emulator.lastRequest!.response.text).filter((d) => d.includes('"arguments"'));
    expect(argumentDeltas.length).toBeGreaterThan(2);
  });

  it('surfaces HTTP errors as the SDK typed errors with OpenAI error fields', async () => {
    emulator.enqueue({ status: 429, headers: { 'retry-after': '1' } });
    const error = await client.chat.completions.create({ model: 'gpt-4o-mini', messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'requests' });
    expect((error as APIError).requestID).toMatch(/^req_/);

    emulator.enqueue({ status: 400, error: { message: 'bad temperature', param: 'temperature', code: 'invalid_value' } });
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toMatchObject({
      constructor: OpenAI.BadRequestError, param: 'temperature', code: 'invalid_value',
    });
  });

  it('surfaces an in-stream error event as an APIError after some deltas', async () => {
    emulator.enqueue({ text: 'a b c d e f g h', streamErrorEvent: { type: 'server_error', message: 'The model crashed' } });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const deltas: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('The model crashed');
    expect(deltas.join('')).not.toBe('');
  });

  it('rejects requests without a bearer key, as the API does', async () => {
    const res = await fetch(`${emulator.baseUrl}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', code: null } });
  });
});

describe('responses API', () => {
  const script = { text: 'Paris is sunny today.', inputTokens: 50, cachedInputTokens: 20, outputTokens: 40, reasoningTokens: 25 };

  it('returns a completed response with usage details and a reasoning item before the message', async () => {
    emulator.enqueue(script);
    const response = await client.responses.create({ model: 'o4-mini', input: 'Weather in Paris?' });
    expect(response.status).toBe('completed');
    expect(response.model).toBe('o4-mini-2024-07-18');
    expect(response.output_text).toBe(script.text);
    expect(response.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
    expect(response.usage).toEqual({
      input_tokens: 50, input_tokens_details: { cached_tokens: 20 },
      output_tokens: 40, output_tokens_details: { reasoning_tokens: 25 }, total_tokens: 90,
    });
  });

  it('streams the typed event sequence that the SDK accumulates', async () => {
    emulator.enqueue(script);
    const stream = client.responses.stream({ model: 'o4-mini', input: 'Weather in Paris?' });
    const types: string[] = [];
    const deltas: string[] = [];
    stream.on('event', (event) => types.push(event.type));
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(script.text);
    expect(final.usage?.output_tokens_details.reasoning_tokens).toBe(25);
    expect(deltas.length).toBeGreaterThan(1);
    const distinct = types.filter((t, i) => t !== types[i - 1]);
    expect(distinct).toEqual([
      'response.created', 'response.in_progress',
      'response.output_item.added', 'response.output_item.done',
      'response.output_item.added', 'response.content_part.added', 'response.output_text.delta',
      'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed',
    ]);
    const raw = emulator.lastRequest!.response.text;
    expect(raw).toMatch(/^event: response\.created\ndata: \{"type":"response\.created","sequence_number":0,/);
  });

  it('streams function-call arguments and ends incomplete on `length`', async () => {
    emulator.enqueue({ toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } }, { ...script, finishReason: 'length' });
    const final = await client.responses.stream({ model: 'gpt-4o', input: 'Weather?' }).finalResponse();
    const call = final.output.find((o) => o.type === 'function_call');
    expect(call && call.type === 'function_call' && JSON.parse(call.arguments)).toEqual({ city: 'Paris' });
    const incomplete = await client.responses.create({ model: 'gpt-4o', input: 'Weather?' });
    expect(incomplete.status).toBe('incomplete');
    expect(incomplete.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  it('surfaces an in-stream error event', async () => {
    emulator.enqueue({ ...script, streamErrorEvent: { type: 'server_error', message: 'stream broke' } });
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'x', stream: true });
    await expect((async () => { for await (const _ of stream) void _; })()).rejects.toThrow(/stream broke/);
  });
});

describe('legacy completions and embeddings', () => {
  it('serves text_completion, streamed and not', async () => {
    emulator.enqueue({ text: 'Once upon a time there was a fox.', inputTokens: 4, outputTokens: 9 });
    const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Once' });
    expect(completion.choices[0].text).toBe('Once upon a time there was a fox.');
    expect(completion.usage).toEqual({ prompt_tokens: 4, completion_tokens: 9, total_tokens: 13 });

    emulator.enqueue({ text: 'Once upon a time there was a fox.', inputTokens: 4, outputTokens: 9 });
    const stream = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Once', stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('Once upon a time there was a fox.');
    expect(usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 9 });
  });

  it('serves embeddings in the base64 form the SDK asks for by default, and as floats', async () => {
    emulator.enqueue({ inputTokens: 6 }, { inputTokens: 6 });
    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'], dimensions: 8 });
    expect(JSON.parse(emulator.lastRequest!.request.body).encoding_format).toBe('base64');
    expect(decoded.data).toHaveLength(2);
    expect(decoded.data[0].embedding).toHaveLength(8);
    expect(decoded.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'], dimensions: 8, encoding_format: 'float' });
    expect(floats.data[0].embedding).toEqual(Array.from(decoded.data[0].embedding));
  });
});
