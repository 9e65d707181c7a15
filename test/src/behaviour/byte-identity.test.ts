/**
 * README guarantee: "The app's request and response are byte-identical to an uninstrumented run
 * (the tracking headers aside)". Every scenario runs twice, instrumented and with tokentrace
 * disabled, and in both runs the app's bytes are compared with what the emulator recorded on the
 * wire (the ground truth): raw fetch, plain node:http and node:http2 sessions (against emulators
 * serving HTTP/2), JSON, gzip, SSE, Bedrock event streams, error responses, and the response
 * headers the app sees.
 */
import http from 'node:http';
import http2 from 'node:http2';
import { request as namedHttpRequest } from 'node:http';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans } from '../harness/span-assertions.js';
import {
  startBedrockEmulator,
  startOpenAIEmulator,
  type ProviderEmulator,
  type RecordedExchange,
  type ScriptedReply,
} from '../provider-emulator/index.js';

const API_KEY = 'sk-byte-identity-0123456789';
const TRACKING_HEADERS = { 'Helicone-User-Id': 'user-7', 'Helicone-Property-Feature': 'bytes', 'Tokentrace-Session-Id': 'sess-9' };
const TRACKING_NAMES = Object.keys(TRACKING_HEADERS).map((h) => h.toLowerCase());
/**
 * Response headers that differ between two runs whatever the client: the server's clock, ids the
 * emulator draws per response, and the length of a gzip body (random ids compress differently).
 * Each run checks them against what the emulator wrote.
 */
const VOLATILE_RESPONSE_HEADERS = ['date', 'x-request-id', 'x-amzn-requestid', 'content-length'];
const BEDROCK_MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';

const harness = setupTracing({});
let openai: ProviderEmulator;
let bedrock: ProviderEmulator;
/** The same emulators over HTTP/2 (h2c), recognised by shape. */
let openaiHttp2: ProviderEmulator;
let bedrockHttp2: ProviderEmulator;

beforeAll(async () => {
  openai = await startOpenAIEmulator();
  bedrock = await startBedrockEmulator();
  openaiHttp2 = await startOpenAIEmulator({ http2: true });
  bedrockHttp2 = await startBedrockEmulator({ http2: true });
  harness.instrumentation.setConfig({
    endpoints: [
      { baseUrl: openai.url, provider: 'openai' },
      { baseUrl: bedrock.url, format: 'bedrock' },
    ],
  });
});
afterAll(async () => {
  await openai.close();
  await bedrock.close();
  await openaiHttp2.close();
  await bedrockHttp2.close();
  await harness.shutdown();
});
beforeEach(() => {
  harness.reset();
  openai.reset();
  bedrock.reset();
});

/** What the app got: status, headers (lower-cased names), every body chunk as delivered. */
interface AppResponse {
  status: number;
  headers: Record<string, string>;
  chunks: Buffer[];
  bytes: Buffer;
}

interface Run {
  app: AppResponse;
  exchange: RecordedExchange;
  /** The request body the app sent. */
  sent: string;
  /** Finished spans of this run, once the call's spans ended. */
  spans: ReadableSpan[];
}

interface Call {
  url: string;
  headers: Record<string, string>;
  body: string;
}

async function viaFetch(call: Call): Promise<AppResponse> {
  const res = await fetch(call.url, { method: 'POST', headers: call.headers, body: call.body });
  const chunks: Buffer[] = [];
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => (headers[name] = value));
  return { status: res.status, headers, chunks, bytes: Buffer.concat(chunks) };
}

function viaHttp(call: Call, request: typeof http.request = http.request): Promise<AppResponse> {
  return new Promise((resolve, reject) => {
    const req = request(call.url, {
      method: 'POST',
      headers: { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) headers[res.rawHeaders[i].toLowerCase()] = res.rawHeaders[i + 1];
        resolve({ status: res.statusCode!, headers, chunks, bytes: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end(call.body);
  });
}

/** A fresh node:http2 session, one stream: the request as an HTTP/2 client writes it. */
function viaHttp2(call: Call): Promise<AppResponse> {
  const url = new URL(call.url);
  const session = http2.connect(url.origin);
  return new Promise<AppResponse>((resolve, reject) => {
    session.on('error', reject);
    const stream = session.request({
      ':method': 'POST',
      ':path': url.pathname + url.search,
      ...call.headers,
      'content-length': String(Buffer.byteLength(call.body)),
    });
    let status = 0;
    const headers: Record<string, string> = {};
    stream.on('response', (h) => {
      status = Number(h[':status']);
      for (const [name, value] of Object.entries(h)) if (!name.startsWith(':')) headers[name] = String(value);
    });
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve({ status, headers, chunks, bytes: Buffer.concat(chunks) }));
    stream.end(call.body);
  }).finally(() => session.close());
}

/**
 * Runs the same call instrumented, then with tokentrace disabled; in each run waits until the
 * call's spans ended (the GenAI span when instrumented, the HTTP span otherwise).
 */
async function inBothModes(emulator: ProviderEmulator, reply: ScriptedReply, call: Call,
  transport: (call: Call) => Promise<AppResponse>): Promise<{ instrumented: Run; plain: Run }> {
  const once = async (instrumented: boolean): Promise<Run> => {
    harness.reset();
    emulator.reset();
    emulator.enqueue(reply);
    const app = await transport(call);
    const [exchange] = await emulator.waitForRequests(1);
    // No instrumentation makes a generic span for node:http2: an uninstrumented HTTP/2 call has none.
    const spans = !instrumented && transport === viaHttp2
      ? harness.spans()
      : await harness.waitForSpans((s) => (instrumented ? genAiSpans(s).length === 1 : s.length >= 1));
    return { app, exchange, sent: call.body, spans };
  };
  const instrumented = await once(true);
  harness.instrumentation.disable();
  let plain: Run;
  try {
    plain = await once(false);
    await harness.waitForOpenSpans();
    expect(genAiSpans(harness.spans())).toEqual([]); // the instrumentation really was off
  } finally {
    harness.instrumentation.enable();
  }
  return { instrumented, plain };
}

function withoutKeys(record: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k)));
}

/**
 * Checks that hold for both runs: the body bytes the app got are those on the wire, the headers
 * the emulator wrote reach the app unchanged, the request body arrived as sent. Then the two runs
 * are compared: same status, same response headers, same request headers apart from the tracking
 * headers (removed when instrumented) and traceparent (a fresh trace id each run).
 */
function expectIdentical(runs: { instrumented: Run; plain: Run }, body: 'raw' | 'decoded'): void {
  for (const run of [runs.instrumented, runs.plain]) {
    const { app, exchange } = run;
    expect(app.status).toBe(exchange.response.status);
    if (body === 'raw') expect(app.bytes.equals(exchange.response.body)).toBe(true);
    else expect(app.bytes.toString('utf8')).toBe(exchange.response.text);
    for (const [name, value] of Object.entries(exchange.response.headers)) expect(app.headers[name]).toBe(value);
    expect(exchange.request.body).toBe(run.sent);
    expect(exchange.response.aborted).toBe(false);
  }
  const { instrumented, plain } = runs;
  expect(instrumented.app.status).toBe(plain.app.status);
  expect(withoutKeys(instrumented.app.headers, VOLATILE_RESPONSE_HEADERS)).toEqual(withoutKeys(plain.app.headers, VOLATILE_RESPONSE_HEADERS));
  expect(Object.keys(instrumented.app.headers).sort()).toEqual(Object.keys(plain.app.headers).sort());
  expect(withoutKeys(instrumented.exchange.request.headers, ['traceparent']))
    .toEqual(withoutKeys(plain.exchange.request.headers, ['traceparent', ...TRACKING_NAMES]));
  // Without tokentrace the tracking headers go out as the app wrote them.
  for (const name of TRACKING_NAMES) expect(plain.exchange.request.headers[name]).toBeDefined();
}

function genAiSpan(run: Run): ReadableSpan {
  const spans = genAiSpans(run.spans);
  expect(spans).toHaveLength(1);
  expect(spans[0].attributes['tokentrace.capture.error']).toBeUndefined();
  return spans[0];
}

const chatBody = (extra: object = {}) => JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'system', content: 'Be exact.' }, { role: 'user', content: 'Spell "byte" backwards, then explain ✓ ünïcödé.' }],
  temperature: 0,
  ...extra,
});
const openAiCall = (body: string, headers: Record<string, string> = {}, server = openai): Call => ({
  url: `${server.baseUrl}/chat/completions`,
  headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}`, ...TRACKING_HEADERS, ...headers },
  body,
});

/** A client, and the emulators it talks to. */
const transports: Array<[string, (call: Call) => Promise<AppResponse>, () => { openai: ProviderEmulator; bedrock: ProviderEmulator }]> = [
  ['fetch', viaFetch, () => ({ openai, bedrock })],
  ['node:http request', (call) => viaHttp(call), () => ({ openai, bedrock })],
  ['node:http2 session.request (HTTP/2)', viaHttp2, () => ({ openai: openaiHttp2, bedrock: bedrockHttp2 })],
];

describe.each(transports)('%s', (_name, transport, servers) => {
  it('a JSON response: the same bytes, headers and status; the request as sent', async () => {
    const reply = { text: 'etyb — ✓ ünïcödé survives.', inputTokens: 31, outputTokens: 9 };
    const runs = await inBothModes(servers().openai, reply, openAiCall(chatBody(), {}, servers().openai), transport);
    expectIdentical(runs, 'raw');
    expect(runs.instrumented.app.headers['content-type']).toBe('application/json');
    expect(JSON.parse(runs.instrumented.app.bytes.toString()).choices[0].message.content).toBe('etyb — ✓ ünïcödé survives.');
    expect(genAiSpan(runs.instrumented).attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 31,
      'gen_ai.usage.output_tokens': 9,
      'user.id': 'user-7',
      'tokentrace.property.feature': 'bytes',
      'tokentrace.session.id': 'sess-9',
    });
  });

  it('an SSE stream: the concatenated chunks are the recorded body, chunk by chunk', async () => {
    const reply = { text: 'one two three four five six seven eight', inputTokens: 20, outputTokens: 8, chunkDelayMs: 15 };
    const runs = await inBothModes(servers().openai, reply, openAiCall(chatBody({ stream: true, stream_options: { include_usage: true } }), {}, servers().openai), transport);
    expectIdentical(runs, 'raw');
    for (const run of [runs.instrumented, runs.plain]) {
      expect(run.app.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      // Delivered as written, one event per chunk: nothing held back and released together.
      expect(run.app.chunks.length).toBe(run.exchange.response.chunks);
    }
    expect(runs.instrumented.app.bytes.toString()).toMatch(/data: \[DONE\]\n\n$/);
    expect(genAiSpan(runs.instrumented).attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 20, 'gen_ai.usage.output_tokens': 8, 'gen_ai.request.stream': true });
  });

  it('a Bedrock event stream: the same binary frames', async () => {
    const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Hi there' }] }], inferenceConfig: { maxTokens: 50 } });
    const call: Call = {
      url: `${servers().bedrock.url}/model/${encodeURIComponent(BEDROCK_MODEL)}/converse-stream`,
      headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/x', ...TRACKING_HEADERS },
      body,
    };
    const reply = { text: 'Frames stay frames, byte for byte.', inputTokens: 12, outputTokens: 7, chunkDelayMs: 5 };
    const runs = await inBothModes(servers().bedrock, reply, call, transport);
    expectIdentical(runs, 'raw');
    expect(runs.instrumented.app.headers['content-type']).toBe('application/vnd.amazon.eventstream');
    expect(runs.instrumented.app.bytes.readUInt32BE(0)).toBeLessThanOrEqual(runs.instrumented.app.bytes.length); // a prelude, not text
    expect(genAiSpan(runs.instrumented).attributes).toMatchObject({
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': BEDROCK_MODEL,
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 7,
    });
  });

  it('a 429 error: the same status, body bytes and headers (retry-after included)', async () => {
    const reply = { status: 429, error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'Slow down, please.' }, headers: { 'retry-after': '7' } };
    const runs = await inBothModes(servers().openai, reply, openAiCall(chatBody(), {}, servers().openai), transport);
    expectIdentical(runs, 'raw');
    expect(runs.instrumented.app.status).toBe(429);
    expect(runs.instrumented.app.headers['retry-after']).toBe('7');
    expect(JSON.parse(runs.instrumented.app.bytes.toString())).toMatchObject({ error: { message: 'Slow down, please.', type: 'rate_limit_error' } });
    const span = genAiSpan(runs.instrumented);
    expect(span.attributes['error.type']).toBe('429');
    expect(span.status).toEqual({ code: 2, message: 'Slow down, please.' });
  });
});

describe('gzip', () => {
  it('fetch: the text the app reads after fetch decompressed it is the recorded text', async () => {
    const reply = { text: 'Compressed on the wire, plain for the app.', inputTokens: 15, outputTokens: 9, gzip: true };
    const runs = await inBothModes(openai, reply, openAiCall(chatBody()), viaFetch);
    expectIdentical(runs, 'decoded');
    for (const run of [runs.instrumented, runs.plain]) {
      expect(run.exchange.response.headers['content-encoding']).toBe('gzip');
      expect(run.exchange.response.body.subarray(0, 2).toString('hex')).toBe('1f8b'); // it really was gzip on the wire
      expect(run.app.headers['content-encoding']).toBe('gzip');
    }
    expect(genAiSpan(runs.instrumented).attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 15, 'gen_ai.usage.output_tokens': 9 });
  });

  it('node:http: the compressed bytes the app receives are the recorded bytes', async () => {
    const reply = { text: 'Raw gzip for a client that inflates by itself.', inputTokens: 16, outputTokens: 10, gzip: true };
    const runs = await inBothModes(openai, reply, openAiCall(chatBody(), { 'accept-encoding': 'gzip' }), (call) => viaHttp(call));
    expectIdentical(runs, 'raw');
    expect(runs.instrumented.app.bytes.subarray(0, 2).toString('hex')).toBe('1f8b');
    expect(runs.instrumented.app.headers['content-encoding']).toBe('gzip');
    expect(genAiSpan(runs.instrumented).attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 16, 'gen_ai.usage.output_tokens': 10 });
  });

  it('node:http: a gzip SSE stream reaches the app as the same compressed bytes', async () => {
    const reply = { text: 'alpha beta gamma delta epsilon', inputTokens: 9, outputTokens: 5, gzip: true, chunkDelayMs: 5 };
    const call = openAiCall(chatBody({ stream: true, stream_options: { include_usage: true } }), { 'accept-encoding': 'gzip' });
    const runs = await inBothModes(openai, reply, call, (c) => viaHttp(c));
    expectIdentical(runs, 'raw');
    expect(runs.instrumented.exchange.response.headers['content-encoding']).toBe('gzip');
    expect(genAiSpan(runs.instrumented).attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 9, 'gen_ai.usage.output_tokens': 5 });
  });
});

it('`import { request } from "node:http"` is captured and byte-identical too', async () => {
  const reply = { text: 'Named imports see the wrapper.', inputTokens: 5, outputTokens: 6 };
  const runs = await inBothModes(openai, reply, openAiCall(chatBody()), (call) => viaHttp(call, namedHttpRequest));
  expectIdentical(runs, 'raw');
  expect(genAiSpan(runs.instrumented).attributes['gen_ai.usage.output_tokens']).toBe(6);
});

it('the request body reaches the provider unchanged when the app streams it in pieces over node:http', async () => {
  const body = chatBody({ max_tokens: 12 });
  const pieces = [body.slice(0, 10), Buffer.from(body.slice(10, 40)), body.slice(40)];
  openai.enqueue({ text: 'Got it in pieces.', inputTokens: 4, outputTokens: 4 });
  const app = await new Promise<AppResponse>((resolve, reject) => {
    const req = http.request(`${openai.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}`, 'Helicone-User-Id': 'piecewise' },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: {}, chunks, bytes: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.write(pieces[0]);
    req.write(pieces[1]);
    req.end(pieces[2]);
  });
  const [exchange] = await openai.waitForRequests(1);
  expect(exchange.request.body).toBe(body);
  expect(exchange.request.headers['transfer-encoding']).toBe('chunked');
  expect(exchange.request.headers['helicone-user-id']).toBeUndefined();
  expect(app.bytes.equals(exchange.response.body)).toBe(true);
  const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
  expect(span.attributes).toMatchObject({ 'gen_ai.request.max_tokens': 12, 'user.id': 'piecewise', 'gen_ai.usage.output_tokens': 4 });
});
