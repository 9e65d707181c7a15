/**
 * Calls made with a raw node:http2 client session (`http2.connect` → `session.request`), the path
 * the AWS SDK's default handler takes, against emulators serving cleartext HTTP/2: what the app
 * gets (response headers, each data chunk, end, errors, a reset, its own abort) is the same with
 * and without tokentrace, tracking headers are stripped, the call's traceparent added, the HPACK
 * sensitivity marks kept; a POST that is not an LLM call gives no span, a lookalike a plain one;
 * fetch over HTTP/2 (undici's `allowH2`), seen by both the fetch and the node:http2 hooks, one span.
 */
import http2, { connect as namedConnect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { HistogramDataPoint } from '@opentelemetry/sdk-metrics';
import { METRIC_GEN_AI_CLIENT_OPERATION_DURATION } from '@tokentrace/semconv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { TEST_TLS } from '../harness/test-certificate.js';
import { everythingRecorded, expectOnlyClientSpan, genAiSpans } from '../harness/span-assertions.js';
import { startOpenAIEmulator, type ProviderEmulator, type ScriptedReply } from '../provider-emulator/index.js';

const API_KEY = 'sk-http2-client-do-not-record-7';
const TRACKING_HEADERS = { 'helicone-user-id': 'user-h2', 'helicone-property-feature': 'h2', 'tokentrace-session-id': 'sess-h2' };
const LONG_TEXT = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
const harness = setupTracing({});
let openai: ProviderEmulator;

beforeAll(async () => {
  openai = await startOpenAIEmulator({ http2: true });
});
afterAll(async () => {
  await openai.close();
  await harness.shutdown();
});
beforeEach(() => {
  harness.reset();
  openai.reset();
});

/** Everything the app observed on the stream, in order: events with their payloads. */
interface AppView {
  status?: number;
  headers?: Record<string, unknown>;
  chunks: Buffer[];
  events: string[];
  error?: { name: string; message: string; code?: unknown };
  rstCode?: number;
}

interface Exchange {
  path?: string;
  headers?: OutgoingHttpHeaders;
  body: string;
  /** Closes the stream (an abort, RST_STREAM CANCEL) once this many data chunks arrived. */
  closeAfterChunks?: number;
  connectWith?: typeof http2.connect;
}

const chatBody = (extra: object = {}) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say ✓ ünïcödé.' }], ...extra });

/** One request on a fresh session, as an HTTP/2 client writes it; resolves when the stream closed. */
function overHttp2(server: { url: string }, exchange: Exchange): Promise<AppView> {
  const session: ClientHttp2Session = (exchange.connectWith ?? http2.connect)(server.url);
  session.on('error', () => undefined); // the stream reports it
  return new Promise((resolve) => {
    const view: AppView = { chunks: [], events: [] };
    const stream = session.request({
      ':method': 'POST',
      ':path': exchange.path ?? '/v1/chat/completions',
      'content-type': 'application/json',
      authorization: `Bearer ${API_KEY}`,
      ...exchange.headers,
    });
    stream.on('response', (headers: IncomingHttpHeaders) => {
      view.events.push('response');
      view.status = Number(headers[':status']);
      view.headers = { ...headers };
    });
    stream.on('data', (chunk: Buffer) => {
      view.events.push('data');
      view.chunks.push(chunk);
      if (view.chunks.length === exchange.closeAfterChunks) stream.close(http2.constants.NGHTTP2_CANCEL);
    });
    stream.on('end', () => view.events.push('end'));
    stream.on('aborted', () => view.events.push('aborted'));
    stream.on('error', (err: Error & { code?: unknown }) => {
      view.events.push('error');
      view.error = { name: err.name, message: err.message, code: err.code };
    });
    stream.on('close', () => {
      view.events.push('close');
      view.rstCode = stream.rstCode;
      session.close();
      resolve(view);
    });
    stream.end(exchange.body);
  });
}

/** Runs the exchange instrumented, then with tokentrace disabled. */
async function inBothModes(reply: ScriptedReply, exchange: Exchange, spansExpected = true): Promise<{ instrumented: AppView; plain: AppView }> {
  openai.enqueue(reply);
  const instrumented = await overHttp2(openai, exchange);
  await openai.waitForRequests(1);
  if (spansExpected) await harness.waitForSpans((s) => s.length >= 1);
  harness.instrumentation.disable();
  try {
    openai.enqueue(reply);
    const plain = await overHttp2(openai, exchange);
    await openai.waitForRequests(2);
    return { instrumented, plain };
  } finally {
    harness.instrumentation.enable();
  }
}

/** The parts of two runs that must match: events, status, headers (less the per-response ones). */
function comparable(view: AppView): unknown {
  const { date: _date, 'x-request-id': _id, ...headers } = view.headers ?? {};
  return { events: view.events, status: view.status, headers, error: view.error, rstCode: view.rstCode };
}

describe('an LLM call over node:http2', () => {
  it('JSON: one GenAI span; the app gets the bytes on the wire; tracking headers stripped, traceparent added', async () => {
    const reply = { text: 'Over HTTP/2 ✓.', inputTokens: 12, outputTokens: 5 };
    const { instrumented, plain } = await inBothModes(reply, { body: chatBody(), headers: TRACKING_HEADERS });
    expect(comparable(instrumented)).toEqual(comparable(plain));
    const [first, second] = openai.requests;
    expect(Buffer.concat(instrumented.chunks).equals(first.response.body)).toBe(true);
    expect(Buffer.concat(plain.chunks).equals(second.response.body)).toBe(true);
    expect(first.request.body).toBe(second.request.body);
    for (const name of Object.keys(TRACKING_HEADERS)) {
      expect(first.request.headers[name]).toBeUndefined();
      expect(second.request.headers[name]).toBeDefined(); // without tokentrace they go out as written
    }
    const spans = harness.spans();
    const [span] = genAiSpans(spans);
    expect(genAiSpans(spans)).toHaveLength(1);
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 5,
      'server.address': '127.0.0.1',
      'server.port': openai.port,
      'http.response.status_code': 200,
      'user.id': 'user-h2',
      'tokentrace.property.feature': 'h2',
      'tokentrace.session.id': 'sess-h2',
    });
    expect(span.status.code).toBe(0);
    expect(first.request.headers.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    expect(second.request.headers.traceparent).toBeUndefined();
    expect(everythingRecorded(spans)).not.toContain(API_KEY);
  });

  it('SSE: the same chunks, one by one; usage and time to first chunk from the stream', async () => {
    const reply = { text: LONG_TEXT, inputTokens: 9, outputTokens: 40, chunkDelayMs: 2 };
    const body = chatBody({ stream: true, stream_options: { include_usage: true } });
    const { instrumented, plain } = await inBothModes(reply, { body });
    expect(comparable(instrumented)).toEqual(comparable(plain));
    const [first] = openai.requests;
    expect(Buffer.concat(instrumented.chunks).equals(first.response.body)).toBe(true);
    const [span] = genAiSpans(harness.spans());
    expect(span.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.usage.input_tokens': 9, 'gen_ai.usage.output_tokens': 40 });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('the app closes the stream mid-answer: the same events; the span ends with error.type AbortError', async () => {
    const reply = { text: LONG_TEXT, chunkDelayMs: 20 };
    const body = chatBody({ stream: true });
    const { instrumented, plain } = await inBothModes(reply, { body, closeAfterChunks: 2 });
    expect(comparable(instrumented)).toEqual(comparable(plain));
    expect(instrumented.events.at(-1)).toBe('close');
    expect(instrumented.rstCode).toBe(http2.constants.NGHTTP2_CANCEL);
    const [span] = genAiSpans(harness.spans());
    expect(span.attributes['error.type']).toBe('AbortError');
    expect(span.status.code).toBe(2);
  });

  it('the server resets the stream mid-answer: the app gets the same error; error.type is its code', async () => {
    const reply = { text: LONG_TEXT, chunkDelayMs: 5, failAfterChunks: 3 };
    const { instrumented, plain } = await inBothModes(reply, { body: chatBody({ stream: true }) });
    expect(comparable(instrumented)).toEqual(comparable(plain));
    expect(instrumented.error).toMatchObject({ code: 'ERR_HTTP2_STREAM_ERROR' });
    const [span] = genAiSpans(harness.spans());
    expect(span.attributes['error.type']).toBe('ERR_HTTP2_STREAM_ERROR');
    expect(span.status.code).toBe(2);
  });

  it("nothing listening: the stream errors as without tokentrace; error.type is the session's ECONNREFUSED", async () => {
    const closed = http2.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const instrumented = await overHttp2({ url }, { body: chatBody() });
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    harness.instrumentation.disable();
    let plain: AppView;
    try {
      plain = await overHttp2({ url }, { body: chatBody() });
    } finally {
      harness.instrumentation.enable();
    }
    expect(comparable(instrumented)).toEqual(comparable(plain));
    expect(instrumented.error).toMatchObject({ code: 'ERR_HTTP2_STREAM_CANCEL' }); // the pending stream, cancelled by its failed session
    expect(span.attributes['error.type']).toBe('ECONNREFUSED');
    expect(span.status.code).toBe(2);
  });

  it('truncated JSON with 200: the same bytes and events; an ERROR span, invalid_response', async () => {
    const reply = { rawBody: { contentType: 'application/json', body: '{"id":"chatcmpl-1","choices":[{"index":0,"mess' } };
    const { instrumented, plain } = await inBothModes(reply, { body: chatBody() });
    expect(comparable(instrumented)).toEqual(comparable(plain));
    expect(Buffer.concat(instrumented.chunks).toString()).toBe(reply.rawBody.body);
    const [span] = genAiSpans(harness.spans());
    expect(span.attributes['error.type']).toBe('invalid_response');
    expect(span.status.code).toBe(2);
  });

  it('`import { connect } from "node:http2"` sees the wrapper too', async () => {
    openai.enqueue({ text: 'Named import.', inputTokens: 3, outputTokens: 2 });
    const view = await overHttp2(openai, { body: chatBody(), connectWith: namedConnect });
    expect(view.status).toBe(200);
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(2);
    expectOnlyClientSpan(harness.spans(), span, openai);
  });
});

describe('HTTP/2 traffic that is not an LLM call', () => {
  it('a POST to another path: no span, the request and answer untouched', async () => {
    const { instrumented, plain } = await inBothModes({}, { path: '/v1/files', body: '{"purpose":"batch"}' }, false);
    expect(comparable(instrumented)).toEqual(comparable(plain));
    expect(instrumented.status).toBe(404);
    await harness.waitForOpenSpans();
    expect(harness.spans()).toEqual([]);
    expect(openai.requests[0].request.headers.traceparent).toBeUndefined();
  });

  it('a lookalike path whose body is no LLM request: a plain POST span, no gen_ai attribute, no error', async () => {
    openai.enqueue({});
    const view = await overHttp2(openai, { body: '{"query":"not a chat"}' });
    expect(view.status).toBeGreaterThan(0);
    const [span] = await harness.waitForSpans((s) => s.length === 1);
    expect(span.name).toBe('POST');
    expect(Object.keys(span.attributes).filter((k) => k.startsWith('gen_ai.'))).toEqual([]);
    expect(span.status.code).toBe(0);
  });
});

it('the headers marked sensitive (never indexed by HPACK) stay marked when tracking headers are stripped', async () => {
  // A bare server: the emulator does not record how each header was indexed.
  const received: Array<{ headers: IncomingHttpHeaders; sensitive: unknown }> = [];
  const server = http2.createServer((req, res) => {
    received.push({ headers: req.headers, sensitive: req.headers[http2.sensitiveHeaders as unknown as string] });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'x', object: 'chat.completion', model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 3, completion_tokens: 0 } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const headers = { ...TRACKING_HEADERS, [http2.sensitiveHeaders]: ['authorization'] } as unknown as OutgoingHttpHeaders;
    const view = await overHttp2({ url }, { body: chatBody(), headers });
    expect(view.status).toBe(200);
    expect(received[0].headers['helicone-user-id']).toBeUndefined();
    expect(received[0].sensitive).toEqual(['authorization']);
    await harness.waitForSpans((s) => genAiSpans(s).length === 1);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

/** The operation-duration points tokentrace recorded for calls to `port` (one per call). */
async function durationCount(port: number): Promise<number> {
  const scope = (await harness.collectMetrics()).scopeMetrics.find((m) => m.scope.name === '@tokentrace/instrumentation');
  const points = (scope?.metrics.find((m) => m.descriptor.name === METRIC_GEN_AI_CLIENT_OPERATION_DURATION.name)?.dataPoints ?? []) as HistogramDataPoint[];
  return points.filter((p) => p.attributes['server.port'] === port).reduce((n, p) => n + p.value.count, 0);
}

describe('fetch over HTTP/2: undici with allowH2 as the global dispatcher', () => {
  it.each([false, true])('httpSpans %s: one call, one span and one duration point; node:http2 sees a call already captured', async (httpSpans) => {
    const server = await startOpenAIEmulator({ http2: true, tls: TEST_TLS });
    const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
    const g = globalThis as unknown as Record<symbol, { constructor: new (options: object) => { close(): Promise<void> } }>;
    harness.instrumentation.disable(); // puts Node's own dispatcher back
    const original = g[GLOBAL_DISPATCHER];
    const h2Agent = new original.constructor({ allowH2: true, connect: { ca: TEST_TLS.cert } });
    g[GLOBAL_DISPATCHER] = h2Agent;
    harness.instrumentation.setConfig({ httpSpans });
    harness.instrumentation.enable(); // wraps the app's dispatcher, as it wraps any global one
    try {
      server.enqueue({ text: 'Fetched over HTTP/2.', inputTokens: 6, outputTokens: 4 });
      const res = await fetch(`${server.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
        body: chatBody(),
      });
      expect((await res.json()).choices[0].message.content).toBe('Fetched over HTTP/2.');
      expect(server.lastRequest!.request.httpVersion).toBe('2.0');
      const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
      expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 6, 'gen_ai.usage.output_tokens': 4, 'server.port': server.port });
      await harness.waitForOpenSpans();
      // No second span from the node:http2 hook (with httpSpans, the generic undici span is the only other one).
      const others = harness.spans().filter((s) => s !== span);
      expect(others.map((s) => s.attributes['gen_ai.operation.name'] ?? s.name)).toEqual(httpSpans ? ['POST'] : []);
      expect(await durationCount(server.port)).toBe(1);
    } finally {
      harness.instrumentation.disable();
      g[GLOBAL_DISPATCHER] = original;
      harness.instrumentation.setConfig({});
      harness.instrumentation.enable();
      await h2Agent.close();
      await server.close();
    }
  });
});
