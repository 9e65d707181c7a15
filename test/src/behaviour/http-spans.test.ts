/**
 * The generic HTTP span under a GenAI span (issue 12 part 5; instrumentation README "Spans per
 * call"). By default a captured call gives one client span, tokentrace's: the HTTP
 * instrumentations make none under it, and the trace context the request carries downstream
 * (`traceparent`) names the GenAI span, so a server that traces joins the app's trace as its
 * child. `httpSpans: true` keeps the generic span under the GenAI span, as before. Calls that are
 * not LLM calls keep their generic span either way. Checked for fetch, axios and both argument
 * forms of http.request, with the generic instrumentations set up in process (in-process-tracing.ts,
 * without register's skip hooks: suppression alone must hold, as for an app's own NodeSDK).
 */
import http from 'node:http';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans, httpChildren, traceparentOf } from '../harness/span-assertions.js';
import { startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';

const harness = setupTracing({});
let emulator: ProviderEmulator;

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
});
afterAll(async () => {
  await emulator.close();
  await harness.shutdown();
});
beforeEach(() => {
  harness.reset();
  emulator.reset();
});

const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-http-spans' };

/** Each client sends the chat request with `extra` headers and reads the whole answer. */
const clients: Array<[string, (extra: Record<string, string>) => Promise<void>]> = [
  ['fetch', async (extra) => {
    const res = await fetch(`${emulator.baseUrl}/chat/completions`, { method: 'POST', headers: { ...headers, ...extra }, body });
    await res.arrayBuffer();
  }],
  ['axios', async (extra) => {
    await axios.post(`${emulator.baseUrl}/chat/completions`, body, { headers: { ...headers, ...extra }, responseType: 'text' });
  }],
  ['http.request(options)', (extra) => httpRequest((cb) => http.request({ ...urlParts(), method: 'POST', headers: { ...headers, ...extra } }, cb))],
  ['http.request(url, options)', (extra) =>
    httpRequest((cb) => http.request(`${emulator.baseUrl}/chat/completions`, { method: 'POST', headers: { ...headers, ...extra } }, cb))],
];

function urlParts(): http.RequestOptions {
  const url = new URL(`${emulator.baseUrl}/chat/completions`);
  return { hostname: url.hostname, port: url.port, path: url.pathname };
}

function httpRequest(open: (cb: (res: http.IncomingMessage) => void) => http.ClientRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = open((res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const clientSpans = (spans: readonly ReadableSpan[]) => spans.filter((s) => s.kind === SpanKind.CLIENT);

describe.each(clients)('%s', (_client, send) => {
  it('default: the GenAI span is the only client span; the request carries its trace context', async () => {
    harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'openai' }] });
    await send({});
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    const [llm] = genAiSpans(spans);
    expect(clientSpans(harness.spans())).toEqual([llm]);
    expect(llm.attributes['http.response.status_code']).toBe(200);
    expect(emulator.lastRequest?.request.headers.traceparent).toBe(traceparentOf(llm));
  });

  it('default: a traceparent the app set itself is sent as it is', async () => {
    harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'openai' }] });
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await send({ traceparent: own });
    await harness.waitForSpans((s) => genAiSpans(s).length === 1);
    expect(emulator.lastRequest?.request.headers.traceparent).toBe(own);
  });

  it('httpSpans: true: the generic HTTP span under the GenAI span; the request carries its trace context', async () => {
    harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'openai' }], httpSpans: true });
    await send({});
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1 && clientSpans(s).length === 2);
    const [llm] = genAiSpans(spans);
    const [httpSpan] = httpChildren(spans, llm);
    expect(httpSpan.attributes['http.request.method']).toBe('POST');
    expect(emulator.lastRequest?.request.headers.traceparent).toBe(traceparentOf(httpSpan));
  });
});

it('a request that is no LLM call keeps its generic HTTP span', async () => {
  harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'openai' }] });
  const res = await fetch(`${emulator.url}/v1/models`);
  await res.arrayBuffer();
  const spans = await harness.waitForSpans((s) => clientSpans(s).length === 1);
  expect(genAiSpans(spans)).toEqual([]);
  expect(clientSpans(spans)[0].attributes['http.request.method']).toBe('GET');
});
