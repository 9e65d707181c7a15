// Bedrock Runtime specifics with raw fetch, decoding the event stream with @smithy/eventstream-codec:
// frame headers and order, the `p` padding, usage split, exception frames, x-amzn-errortype.
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startBedrockEmulator } from './bedrock-emulator.js';
import { decodeEventStream, readEventStream, type EventStreamFrame } from './bedrock-event-stream.js';
import type { ProviderEmulator } from './emulator-server.js';

let emulator: ProviderEmulator;

beforeAll(async () => { emulator = await startBedrockEmulator(); });
afterAll(async () => { await emulator.close(); });
beforeEach(() => emulator.reset());

const modelId = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }], inferenceConfig: { maxTokens: 100 } });

function post(operation: 'converse' | 'converse-stream'): Promise<Response> {
  return fetch(`${emulator.baseUrl}/model/${encodeURIComponent(modelId)}/${operation}`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 Credential=test' }, body,
  });
}

async function frames(res: Response): Promise<EventStreamFrame[]> {
  const out: EventStreamFrame[] = [];
  for await (const frame of readEventStream(res.body!)) out.push(frame);
  return out;
}

it('answers Converse with the usage split like Anthropic and records the encoded model id', async () => {
  emulator.enqueue({ text: 'Hello from Bedrock.', inputTokens: 500, cachedInputTokens: 200, cacheCreationInputTokens: 100, outputTokens: 9 });
  const res = await post('converse');
  expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  expect(await res.json()).toMatchObject({
    output: { message: { role: 'assistant', content: [{ text: 'Hello from Bedrock.' }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: 200, cacheReadInputTokens: 200, cacheWriteInputTokens: 100, outputTokens: 9, totalTokens: 509 },
  });
  expect(emulator.lastRequest!.request.path).toBe('/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse');
});

it('streams ConverseStream as event-stream frames in the documented order', async () => {
  emulator.enqueue({ text: 'One two three four five.', inputTokens: 20, outputTokens: 6, toolCall: { name: 'lookup', arguments: { q: 'x' } } });
  const res = await post('converse-stream');
  expect(res.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
  const decoded = await frames(res);
  expect(decoded.every((f) => f.headers[':message-type'] === 'event' && f.headers[':content-type'] === 'application/json')).toBe(true);
  const types = decoded.map((f) => f.headers[':event-type']);
  expect(types[0]).toBe('messageStart');
  expect(types.slice(-2)).toEqual(['messageStop', 'metadata']);
  expect(types).toContain('contentBlockStart');
  const payloads = decoded.map((f) => f.payload as Record<string, unknown>);
  expect(payloads.every((p) => typeof p.p === 'string')).toBe(true);
  const text = payloads.map((p) => (p.delta as { text?: string } | undefined)?.text ?? '').join('');
  expect(text).toBe('One two three four five.');
  const input = payloads.map((p) => (p.delta as { toolUse?: { input: string } } | undefined)?.toolUse?.input ?? '').join('');
  expect(JSON.parse(input)).toEqual({ q: 'x' });
  expect(payloads.at(-2)!.stopReason).toBe('tool_use');
  expect(payloads.at(-1)).toMatchObject({ usage: { inputTokens: 20, outputTokens: 6, totalTokens: 26 }, metrics: { latencyMs: expect.any(Number) } });
});

it('decodes the recorded bytes with the smithy codec frame by frame', async () => {
  await frames(await post('converse-stream'));
  const bytes = emulator.lastRequest!.response.body;
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const first = codec.decode(bytes.subarray(0, bytes.readUInt32BE(0)));
  expect(first.headers[':event-type'].value).toBe('messageStart');
  expect(JSON.parse(toUtf8(first.body))).toMatchObject({ role: 'assistant' });
  expect(decodeEventStream(bytes).length).toBe(emulator.lastRequest!.response.chunks);
});

it('sends a scripted in-stream exception as an exception frame', async () => {
  emulator.enqueue({ text: 'a b c d e f', streamErrorEvent: { type: 'modelStreamErrorException', message: 'model failed' } });
  const decoded = await frames(await post('converse-stream'));
  const last = decoded.at(-1)!;
  expect(last.headers).toMatchObject({ ':message-type': 'exception', ':exception-type': 'modelStreamErrorException' });
  expect(last.payload).toEqual({ message: 'model failed' });
});

it('answers HTTP errors with x-amzn-errortype and a {message} body', async () => {
  emulator.enqueue({ status: 429 });
  const res = await post('converse');
  expect(res.status).toBe(429);
  expect(res.headers.get('x-amzn-errortype')).toMatch(/^ThrottlingException:/);
  expect(await res.json()).toEqual({ message: 'Too many requests, please wait before trying again.' });
});
