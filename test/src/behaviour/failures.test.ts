/**
 * Aborts and breakage, from the app's side and the span's: the app sees exactly the error it
 * would see without tokentrace (README: "A failure inside the instrumentation is recorded on the
 * span as `tokentrace.capture.error` and never reaches the app"), and the GenAI span ends with
 * error.type and an ERROR status, whatever went wrong: an abort before or during the response, a
 * connection cut by the server, no server at all, a provider answering garbage (an error,
 * invalid_response), a request body
 * that is not JSON, or one too large to inspect.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import axios from 'axios';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans } from '../harness/span-assertions.js';
import { startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';

const API_KEY = 'sk-failures-0123456789';
const harness = setupTracing({});
let emulator: ProviderEmulator;
let garbage: http.Server;
let garbageUrl: string;
let refusedUrl: string;

/** What a broken provider might send: a 200 with a JSON content type and a body that is not JSON. */
const GARBAGE_BODY = '{"id":"chatcmpl-x","choices":[{"message":<html>502 Bad Gateway</html>';

const escaped: unknown[] = [];
const onEscape = (err: unknown) => escaped.push(err);

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
  garbage = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(GARBAGE_BODY)) });
      res.end(GARBAGE_BODY);
    });
  });
  await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
  garbageUrl = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}`;
  // A port that was just free: nothing listens there any more.
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  refusedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  harness.instrumentation.setConfig({
    endpoints: [
      { baseUrl: emulator.url, provider: 'openai' },
      { baseUrl: garbageUrl, provider: 'openai' },
      { baseUrl: refusedUrl, provider: 'openai' },
    ],
  });
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
});
afterAll(async () => {
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
  garbage.closeAllConnections();
  await new Promise<void>((resolve) => garbage.close(() => resolve()));
  await emulator.close();
  await harness.shutdown();
});
beforeEach(() => {
  harness.reset();
  emulator.reset();
});
afterEach(() => {
  expect(escaped).toEqual([]);
});

const chatUrl = () => `${emulator.baseUrl}/chat/completions`;
const jsonHeaders = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };
const streamBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count slowly.' }], stream: true, stream_options: { include_usage: true } });
const plainBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello?' }] });
const LONG_TEXT = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen';

interface SeenError {
  name: string;
  message: string;
  code?: unknown;
  causeName?: string;
  causeMessage?: string;
  causeCode?: unknown;
}

function seen(err: unknown): SeenError {
  expect(err).toBeInstanceOf(Error);
  const e = err as Error & { code?: unknown; cause?: Error & { code?: unknown } };
  const out: SeenError = { name: e.name, message: e.message };
  if (e.code !== undefined) out.code = e.code;
  if (e.cause instanceof Error) {
    out.causeName = e.cause.name;
    out.causeMessage = e.cause.message;
    if (e.cause.code !== undefined) out.causeCode = e.cause.code;
  }
  return out;
}

/** Runs `scenario` instrumented, then with tokentrace disabled; returns the error the app saw each time. */
async function errorsInBothModes(scenario: () => Promise<unknown>): Promise<{ instrumented: SeenError; plain: SeenError; span: ReadableSpan }> {
  harness.reset();
  const instrumentedError = await scenario();
  const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
  harness.instrumentation.disable();
  let plainError: unknown;
  try {
    harness.reset();
    plainError = await scenario();
    await new Promise((r) => setTimeout(r, 30));
    expect(genAiSpans(harness.spans())).toEqual([]);
  } finally {
    harness.instrumentation.enable();
  }
  return { instrumented: seen(instrumentedError), plain: seen(plainError), span };
}

function expectErrorSpan(span: ReadableSpan, errorType: string): void {
  expect(span.attributes['error.type']).toBe(errorType);
  expect(span.status.code).toBe(2 /* ERROR */);
  expect(span.ended).toBe(true);
}

describe('fetch aborted by the app', () => {
  it('mid-stream: the app gets the same AbortError; the span ends with error.type AbortError', async () => {
    const scenario = async () => {
      emulator.enqueue({ text: LONG_TEXT, chunkDelayMs: 40 });
      const controller = new AbortController();
      const res = await fetch(chatUrl(), { method: 'POST', headers: jsonHeaders, body: streamBody, signal: controller.signal });
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort();
      return reader.read().then(() => new Error('read after abort resolved'), (e: unknown) => e);
    };
    const { instrumented, plain, span } = await errorsInBothModes(scenario);
    expect(instrumented).toEqual(plain);
    expect(instrumented).toMatchObject({ name: 'AbortError', message: 'This operation was aborted' });
    expectErrorSpan(span, 'AbortError');
    expect(span.status.message).toBe('This operation was aborted');
    expect(span.attributes['gen_ai.request.model']).toBe('gpt-4o-mini');
    expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
  });

  it('before the response: the same AbortError from fetch itself', async () => {
    const scenario = async () => {
      emulator.enqueue({ text: 'too late', firstChunkDelayMs: 400 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      return fetch(chatUrl(), { method: 'POST', headers: jsonHeaders, body: plainBody, signal: controller.signal })
        .then(() => new Error('fetch resolved'), (e: unknown) => e);
    };
    const { instrumented, plain, span } = await errorsInBothModes(scenario);
    expect(instrumented).toEqual(plain);
    expect(instrumented).toMatchObject({ name: 'AbortError', message: 'This operation was aborted' });
    expectErrorSpan(span, 'AbortError');
    expect(span.attributes['gen_ai.response.model']).toBeUndefined();
  });

  it('with a custom abort reason: the app gets its own reason back, unchanged', async () => {
    const reason = new Error('user navigated away');
    const scenario = async () => {
      emulator.enqueue({ text: 'too late', firstChunkDelayMs: 400 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 50);
      return fetch(chatUrl(), { method: 'POST', headers: jsonHeaders, body: plainBody, signal: controller.signal })
        .then(() => new Error('fetch resolved'), (e: unknown) => e);
    };
    harness.reset();
    const err = await scenario();
    expect(err).toBe(reason);
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.status).toEqual({ code: 2, message: 'user navigated away' });
    expect(span.attributes['error.type']).toBe('Error');
  });
});

describe('node:http aborted by the app', () => {
  it('mid-stream through an AbortSignal: the same errors; error.type AbortError', async () => {
    // Node reports the app's abort as an AbortError on the request, then ECONNRESET on the response.
    const scenario = () => new Promise<unknown>((resolve) => {
      emulator.enqueue({ text: LONG_TEXT, chunkDelayMs: 40 });
      const controller = new AbortController();
      let requestError: unknown;
      const req = http.request(chatUrl(), { method: 'POST', headers: jsonHeaders, signal: controller.signal }, (res) => {
        res.once('data', () => controller.abort());
        res.on('error', (err) => {
          expect(seen(err)).toEqual({ name: 'Error', message: 'aborted', code: 'ECONNRESET' });
          resolve(requestError);
        });
        res.on('end', () => resolve(new Error('response ended cleanly')));
      });
      req.on('error', (err) => (requestError = err));
      req.end(streamBody);
    });
    const { instrumented, plain, span } = await errorsInBothModes(scenario);
    expect(instrumented).toEqual(plain);
    expect(instrumented).toMatchObject({ name: 'AbortError', message: 'The operation was aborted', code: 'ABORT_ERR' });
    expectErrorSpan(span, 'AbortError');
  });
});

describe('the server cuts the connection mid-stream', () => {
  it('fetch: the app sees the same "terminated" error; error.type is the socket error code', async () => {
    const scenario = async () => {
      emulator.enqueue({ text: LONG_TEXT, failAfterChunks: 3, chunkDelayMs: 5 });
      const res = await fetch(chatUrl(), { method: 'POST', headers: jsonHeaders, body: streamBody });
      const reader = res.body!.getReader();
      for (;;) {
        const next = await reader.read().catch((e: unknown) => e);
        if (next instanceof Error) return next;
        if ((next as ReadableStreamReadResult<Uint8Array>).done) return new Error('stream ended cleanly');
      }
    };
    const { instrumented, plain, span } = await errorsInBothModes(scenario);
    expect(instrumented).toEqual(plain);
    expect(instrumented).toMatchObject({ name: 'TypeError', message: 'terminated', causeCode: 'UND_ERR_SOCKET' });
    expectErrorSpan(span, 'UND_ERR_SOCKET');
    expect(span.attributes['gen_ai.request.stream']).toBe(true);
    expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
  });

  it('node:http request: the response errors as without tokentrace; error.type is the error code the app got', async () => {
    const scenario = () => new Promise<unknown>((resolve) => {
      emulator.enqueue({ text: LONG_TEXT, failAfterChunks: 3, chunkDelayMs: 5 });
      const req = http.request(chatUrl(), { method: 'POST', headers: jsonHeaders }, (res) => {
        res.on('data', () => {});
        res.on('error', resolve);
        res.on('end', () => resolve(new Error('response ended cleanly')));
      });
      req.on('error', resolve);
      req.end(streamBody);
    });
    const { instrumented, plain, span } = await errorsInBothModes(scenario);
    expect(instrumented).toEqual(plain);
    expect(instrumented).toMatchObject({ name: 'Error', message: 'aborted', code: 'ECONNRESET' });
    // The server broke the connection: the same code the app got, not the AbortError of a cancelled call.
    expectErrorSpan(span, 'ECONNRESET');
  });

  it("axios with responseType 'stream': the same stream error; the span ends with an error", async () => {
    const scenario = async () => {
      emulator.enqueue({ text: LONG_TEXT, failAfterChunks: 3, chunkDelayMs: 5 });
      const res = await axios.post(chatUrl(), streamBody, { headers: jsonHeaders, responseType: 'stream' });
      return new Promise<unknown>((resolve) => {
        res.data.on('data', () => {});
        res.data.on('error', resolve);
        res.data.on('end', () => resolve(new Error('stream ended cleanly')));
      });
    };
    const { instrumented, plain, span } = await errorsInBothModes(scenario);
    expect(instrumented).toEqual(plain);
    expect(instrumented).toMatchObject({ message: 'aborted', code: 'ECONNRESET' });
    expectErrorSpan(span, 'ECONNRESET');
  });

  it('a JSON body cut in half over node:http: the app gets the partial bytes and the same error', async () => {
    const scenario = () => new Promise<unknown>((resolve) => {
      emulator.enqueue({ text: LONG_TEXT, failAfterChunks: 1 });
      const req = http.request(chatUrl(), { method: 'POST', headers: jsonHeaders }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => {
          expect(Buffer.concat(chunks).equals(emulator.lastRequest!.response.body)).toBe(true);
          resolve(err);
        });
        res.on('end', () => resolve(new Error('response ended cleanly')));
      });
      req.on('error', resolve);
      req.end(plainBody);
    });
    const { instrumented, plain, span } = await errorsInBothModes(scenario);
    expect(instrumented).toEqual(plain);
    expectErrorSpan(span, 'ECONNRESET');
    expect(span.attributes['tokentrace.capture.error']).toBeUndefined(); // a cut body is not a capture failure
  });
});

describe('no server listening', () => {
  it('fetch: "fetch failed" caused by ECONNREFUSED, as without tokentrace; error.type ECONNREFUSED', async () => {
    const scenario = () => fetch(`${refusedUrl}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders, body: plainBody })
      .then(() => new Error('fetch resolved'), (e: unknown) => e);
    const { instrumented, plain, span } = await errorsInBothModes(scenario);
    expect(instrumented).toEqual(plain);
    expect(instrumented).toMatchObject({ name: 'TypeError', message: 'fetch failed', causeCode: 'ECONNREFUSED' });
    expectErrorSpan(span, 'ECONNREFUSED');
    expect(span.attributes['server.port']).toBe(Number(new URL(refusedUrl).port));
  });

  it('node:http: the request emits the same ECONNREFUSED error', async () => {
    const scenario = () => new Promise<unknown>((resolve) => {
      const req = http.request(`${refusedUrl}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders }, () => resolve(new Error('got a response')));
      req.on('error', resolve);
      req.end(plainBody);
    });
    const { instrumented, plain, span } = await errorsInBothModes(scenario);
    expect(instrumented).toEqual(plain);
    expect(instrumented).toMatchObject({ code: 'ECONNREFUSED' });
    expectErrorSpan(span, 'ECONNREFUSED');
    expect(span.name).toBe('chat gpt-4o-mini'); // the body was written before the connection failed
  });
});

describe('a provider answering garbage with content-type application/json', () => {
  it('fetch: the app reads the same bytes; the span is an error, invalid_response (issue 12), and ends', async () => {
    const res = await fetch(`${garbageUrl}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders, body: plainBody });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(GARBAGE_BODY);
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
    expect(span.attributes['error.type']).toBe('invalid_response');
    expect(span.status).toMatchObject({ code: 2, message: 'HTTP 200, but the response body is not JSON (application/json)' });
    expect(span.attributes).toMatchObject({ 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.operation.name': 'chat' });
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.attributes['gen_ai.response.model']).toBeUndefined();
  });

  it('node:http: the same bytes reach the app', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${garbageUrl}/v1/chat/completions`, { method: 'POST', headers: jsonHeaders }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end(plainBody);
    });
    expect(text).toBe(GARBAGE_BODY);
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.attributes['error.type']).toBe('invalid_response');
    expect(span.status.code).toBe(2);
  });
});

describe('a request body that is not JSON', () => {
  it('fetch: sent unchanged, the provider 400 reaches the app unchanged, the parse failure is on the span', async () => {
    const body = 'model=gpt-4o-mini&prompt=hello {not json';
    const res = await fetch(chatUrl(), { method: 'POST', headers: { ...jsonHeaders, 'content-type': 'text/plain' }, body });
    const text = await res.text();
    const [exchange] = await emulator.waitForRequests(1);
    expect(exchange.request.body).toBe(body);
    expect(res.status).toBe(400);
    expect(Buffer.from(text).equals(exchange.response.body)).toBe(true);
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.attributes['tokentrace.capture.error']).toMatch(/^request body: /);
    expectErrorSpan(span, '400');
    expect(span.name).toBe('chat');
  });

  it('node:http: the same', async () => {
    const body = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22]); // not even UTF-8
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(chatUrl(), { method: 'POST', headers: { ...jsonHeaders, 'content-length': String(body.length) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(400);
    const [exchange] = await emulator.waitForRequests(1);
    expect(exchange.request.body).toBe(body.toString('utf8'));
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.attributes['tokentrace.capture.error']).toMatch(/^request body: /);
    expectErrorSpan(span, '400');
  });
});

describe('a request body larger than 8 MiB', () => {
  const hugeBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(9 * 1024 * 1024) }] });
  const tooLarge = 'request body: larger than 8388608 bytes; not inspected';

  it('fetch: passes through unchanged; the span says it was not inspected', async () => {
    expect(hugeBody.length).toBeGreaterThan(8 * 1024 * 1024);
    emulator.enqueue({ text: 'That was long.', inputTokens: 2_400_000, outputTokens: 4 });
    const res = await fetch(chatUrl(), { method: 'POST', headers: jsonHeaders, body: hugeBody });
    const bytes = Buffer.from(await res.arrayBuffer());
    const [exchange] = await emulator.waitForRequests(1);
    expect(exchange.request.body.length).toBe(hugeBody.length);
    expect(exchange.request.body === hugeBody).toBe(true);
    expect(res.status).toBe(200);
    expect(bytes.equals(exchange.response.body)).toBe(true);
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.attributes['tokentrace.capture.error']).toBe(tooLarge);
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 2_400_000, 'gen_ai.usage.output_tokens': 4, 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18' });
    expect(span.status.code).toBe(0);
  });

  it('node:http written in 1 MiB pieces: passes through unchanged', async () => {
    emulator.enqueue({ text: 'Also long.', inputTokens: 2_400_000, outputTokens: 3 });
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(chatUrl(), { method: 'POST', headers: jsonHeaders }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      const piece = 1024 * 1024;
      for (let i = 0; i < hugeBody.length; i += piece) req.write(hugeBody.slice(i, i + piece));
      req.end();
    });
    expect(status).toBe(200);
    const [exchange] = await emulator.waitForRequests(1);
    expect(exchange.request.body === hugeBody).toBe(true);
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.attributes['tokentrace.capture.error']).toBe(tooLarge);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(3);
  });
});
