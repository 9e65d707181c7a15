// The shared server machinery: reply queue layering and validation, unknown routes, gzip on
// streams, client aborts, waiting for requests, the all-providers starter and its banner.
import { createConnection } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderEmulator } from './emulator-server.js';
import { startOpenAIEmulator } from './openai-emulator.js';
import { startProviderEmulators } from './provider-emulators.js';
import { DEFAULT_REPLY_TEXT } from './scripted-reply.js';

let emulator: ProviderEmulator;
let client: OpenAI;

beforeAll(async () => {
  emulator = await startOpenAIEmulator({ defaultReply: { text: 'default text', inputTokens: 9 } });
  client = new OpenAI({ baseURL: emulator.baseUrl, apiKey: 'test-key', maxRetries: 0 });
});
afterAll(async () => { await emulator.close(); });
beforeEach(() => emulator.reset());

const ask = (): Promise<OpenAI.ChatCompletion> =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

describe('reply queue', () => {
  it('uses queued replies in order, layered over the default, then the default', async () => {
    emulator.enqueue({ outputTokens: 3 }, { text: 'second' });
    expect(emulator.pendingReplies).toBe(2);
    const first = await ask();
    expect(first.choices[0].message.content).toBe('default text');
    expect(first.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 3 });
    expect((await ask()).choices[0].message.content).toBe('second');
    expect((await ask()).choices[0].message.content).toBe('default text');
    emulator.enqueue({ toolCall: { name: 'f', arguments: {} } });
    expect((await ask()).choices[0].message).toMatchObject({ content: null, tool_calls: [{ function: { name: 'f' } }] });
    emulator.setDefaultReply({});
    expect((await ask()).choices[0].message.content).toBe(DEFAULT_REPLY_TEXT);
  });

  it('rejects impossible scripts with a message naming the key', () => {
    expect(() => emulator.enqueue({ inputTokens: 10, cachedInputTokens: 11 })).toThrow(/ScriptedReply\.inputTokens/);
    expect(() => emulator.enqueue({ outputTokens: 1.5 })).toThrow(/ScriptedReply\.outputTokens must be a non-negative integer/);
    expect(() => emulator.enqueue({ status: 99 })).toThrow(/ScriptedReply\.status/);
  });
});

describe('wire behaviour', () => {
  it('answers unknown paths with 404 in the provider error shape, without consuming a reply', async () => {
    emulator.enqueue({ text: 'kept' });
    const res = await fetch(`${emulator.url}/v1/nope`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: '{}' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/no route for POST \/v1\/nope/) } });
    expect(emulator.pendingReplies).toBe(1);
    expect(emulator.lastRequest!.route).toBe('unknown');
  });

  it('gzips a stream chunk by chunk when scripted, and the SDK still reads it', async () => {
    emulator.enqueue({ text: 'compressed stream of several words', gzip: true, firstChunkDelayMs: 150 });
    const started = performance.now();
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    let firstAt = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content && firstAt === 0) firstAt = performance.now() - started;
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('compressed stream of several words');
    expect(firstAt).toBeGreaterThanOrEqual(145);
    const { response } = emulator.lastRequest!;
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.text).toContain('data: [DONE]');
  });

  it('records a client that goes away mid-stream as aborted', async () => {
    emulator.enqueue({ text: 'a b c d e f g h i j', chunkDelayMs: 50 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }, { signal: controller.signal });
    for await (const _ of stream) { void _; controller.abort(); }
    const [exchange] = await emulator.waitForRequests(1);
    expect(exchange.response.aborted).toBe(true);
  });

  it('destroys the connection before any response for a non-streamed failAfterChunks: 0', async () => {
    emulator.enqueue({ failAfterChunks: 0 });
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('rejects waitForRequests after its timeout', async () => {
    await expect(emulator.waitForRequests(1, 50)).rejects.toThrow(/0 of 1 requests finished within 50 ms/);
  });
});

describe('startProviderEmulators', () => {
  it('starts all five, describes them as emulators and frees the ports on close', async () => {
    const emulators = await startProviderEmulators({ firstChunkDelayMs: 0 });
    const banner = emulators.describe();
    expect(banner).toMatch(/EMULATORS/);
    for (const name of ['OpenAI API', 'Azure OpenAI', 'Anthropic API', 'Gemini API', 'Amazon Bedrock Runtime']) expect(banner).toContain(name);
    expect(emulators.urls.openai).toBe(`${emulators.openai.url}/v1`);
    expect(new Set(emulators.all.map((e) => e.port)).size).toBe(5);
    const port = emulators.anthropic.port;
    await emulators.close();
    await expect(new Promise((resolve, reject) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => { socket.destroy(); resolve('connected'); });
      socket.on('error', reject);
    })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
