// Anthropic specifics through the real @anthropic-ai/sdk (v1): the exact SSE event order, cache
// token split, tool_use with input_json_delta, typed errors and the mid-stream `event: error`.
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startAnthropicEmulator } from './anthropic-emulator.js';
import type { ProviderEmulator } from './emulator-server.js';

let emulator: ProviderEmulator;
let client: Anthropic;

beforeAll(async () => {
  emulator = await startAnthropicEmulator();
  client = new Anthropic({ baseURL: emulator.baseUrl, apiKey: 'test-key', maxRetries: 0 });
});
afterAll(async () => { await emulator.close(); });
beforeEach(() => emulator.reset());

const request = { model: 'claude-haiku-4-5-20251001', max_tokens: 512, messages: [{ role: 'user' as const, content: 'Hi' }] };

it('splits the scripted input total into input, cache-read and cache-creation tokens', async () => {
  emulator.enqueue({ text: 'Hello!', inputTokens: 1000, cachedInputTokens: 600, cacheCreationInputTokens: 300, outputTokens: 12 });
  const message = await client.messages.create(request);
  expect(message.model).toBe('claude-haiku-4-5-20251001');
  expect(message.id).toMatch(/^msg_01/);
  expect(message.usage).toMatchObject({
    input_tokens: 100, cache_read_input_tokens: 600, cache_creation_input_tokens: 300, output_tokens: 12,
  });
  expect(emulator.lastRequest!.request.headers['anthropic-version']).toBeDefined();
});

it('streams the documented event sequence and the SDK accumulates the final message', async () => {
  emulator.enqueue({ text: 'One two three four five six.', inputTokens: 30, cachedInputTokens: 10, outputTokens: 8 });
  const stream = client.messages.stream(request);
  const types: string[] = [];
  stream.on('streamEvent', (event) => types.push(event.type));
  const final = await stream.finalMessage();
  expect(final.content).toEqual([{ type: 'text', text: 'One two three four five six.' }]);
  expect(final.usage).toMatchObject({ input_tokens: 20, cache_read_input_tokens: 10, output_tokens: 8 });
  expect(final.stop_reason).toBe('end_turn');
  const distinct = types.filter((t, i) => t !== types[i - 1]);
  expect(distinct).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  // ping is consumed by the SDK; check it on the wire, right after the first content_block_start.
  const wireEvents = [...emulator.lastRequest!.response.text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
  expect(wireEvents.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
  const messageStart = emulator.lastRequest!.response.text.split('\n').find((l) => l.includes('"message_start"'))!;
  expect(JSON.parse(messageStart.slice('data: '.length)).message.usage.output_tokens).toBe(1);
});

it('streams tool_use blocks with input_json_delta', async () => {
  emulator.enqueue({ text: 'Let me check.', toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
  const final = await client.messages.stream(request).finalMessage();
  expect(final.stop_reason).toBe('tool_use');
  expect(final.content[0]).toEqual({ type: 'text', text: 'Let me check.' });
  expect(final.content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
  expect(emulator.lastRequest!.response.text).toContain('"input_json_delta"');
});

it('surfaces HTTP errors as typed errors with the Anthropic error body', async () => {
  emulator.enqueue({ status: 429 }, { status: 529 });
  const rateLimited = await client.messages.create(request).catch((e: unknown) => e);
  expect(rateLimited).toBeInstanceOf(Anthropic.RateLimitError);
  expect((rateLimited as APIError).error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  expect((rateLimited as APIError).requestID).toMatch(/^req_01/);
  const overloaded = await client.messages.create(request).catch((e: unknown) => e);
  expect(overloaded).toBeInstanceOf(Anthropic.APIError);
  expect((overloaded as APIError).status).toBe(529);
});

it('surfaces a mid-stream `event: error` (overloaded_error) as an APIError', async () => {
  emulator.enqueue({ text: 'a b c d e f g h', streamErrorEvent: { type: 'overloaded_error', message: 'Overloaded' } });
  const stream = client.messages.stream(request);
  const error = await stream.finalMessage().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Anthropic.APIError);
  expect((error as APIError).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  expect(emulator.lastRequest!.response.text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"overloaded_error"/);
});

it('rejects a request without credentials like the API', async () => {
  const res = await fetch(`${emulator.baseUrl}/v1/messages`, { method: 'POST', body: JSON.stringify(request) });
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
});
