/**
 * Lookalike paths (issue 12): POSTs from fetch and axios to a server that is no LLM API, on paths
 * a provider also uses, with no endpoint configuration. Decision (README "Recognition"): no GenAI
 * span. tokentrace's span for a path it recognised stays a plain `POST` CLIENT span with
 * server.address/port and http.response.status_code only (no gen_ai.* attribute, no error, no
 * GenAI metric); a path the rule
 * leaves out (no anthropic-version, `/responses` outside v1, `/api/chat` not on Ollama's port or
 * from its client) gives no span of tokentrace's at all. The app gets its answer byte for byte.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans } from '../harness/span-assertions.js';

const harness = setupTracing({});
let server: Server;
let base: string;
let port: number;

/** Answers every request with a body of its own kind: JSON, an HTML page or NDJSON, by path. */
function answer(req: IncomingMessage): { type: string; body: string } {
  if (req.url?.startsWith('/api/')) return { type: 'text/html', body: '<html><body>chat widget backend</body></html>' };
  if (req.url?.endsWith('converse')) return { type: 'application/x-ndjson', body: '{"line":1}\n{"line":2}\n' };
  return { type: 'application/json', body: JSON.stringify({ ok: true, path: req.url, note: 'not an LLM' }) };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const { type, body } = answer(req);
      res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await harness.shutdown();
});
beforeEach(() => harness.reset());

const fromTokentrace = (spans: readonly ReadableSpan[]) => spans.filter((s) => s.instrumentationScope.name === '@tokentrace/instrumentation');

/** Paths tokentrace recognises by shape, with bodies of some other API. */
const RECOGNISED: Array<[string, object]> = [
  ['/v1/chat/completions', { text: 'hello', room: 'general' }],
  ['/v1/completions', { query: 'autocomplete me' }],
  ['/search/v1/embeddings', { document: 'a page', index: 'docs' }],
  ['/v1/responses', { survey: 12, answers: [3, 4] }],
  ['/v2/models/shop-item:generateContent', { sku: 'A-1' }],
  ['/model/my-model/converse', { event: 'converse', user: 'u1' }],
];
/** Paths the rule leaves out on purpose. */
const LEFT_OUT: Array<[string, object]> = [
  ['/v1/messages', { to: '+15550100', body: 'hi' }], // no anthropic-version header
  ['/forms/responses', { form: 'f1' }], // `responses` not under v1 or openai
  ['/api/chat', { message: 'hi', model: 'support-bot', messages: [] }], // not Ollama's port nor its client
];

describe.each([
  ['fetch', async (path: string, body: object) => {
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return Buffer.from(await res.arrayBuffer());
  }],
  ['axios (node:http)', async (path: string, body: object) => {
    const res = await axios.post(base + path, body, { responseType: 'arraybuffer' });
    return Buffer.from(res.data as ArrayBuffer);
  }],
] as const)('%s', (_client, post) => {
  it('recognised lookalike paths: a plain POST span each, no GenAI span, the answers unchanged', async () => {
    for (const [path, body] of RECOGNISED) {
      const received = await post(path, body);
      const expected = answer({ url: path } as IncomingMessage).body;
      expect(received.toString('utf8')).toBe(expected);
    }
    const spans = await harness.waitForSpans((s) => fromTokentrace(s).length >= RECOGNISED.length);
    expect(genAiSpans(spans)).toEqual([]);
    const ours = fromTokentrace(spans);
    expect(ours).toHaveLength(RECOGNISED.length);
    for (const span of ours) {
      expect(span.name).toBe('POST');
      expect(span.attributes).toEqual({ 'server.address': '127.0.0.1', 'server.port': port, 'http.response.status_code': 200 });
      expect(span.status.code).toBe(0);
      expect(span.events).toEqual([]);
    }
    const metrics = await harness.collectMetrics();
    const genAiPoints = metrics.scopeMetrics.flatMap((m) => m.metrics).filter((m) => m.descriptor.name.startsWith('gen_ai.') && m.dataPoints.length > 0);
    expect(genAiPoints).toEqual([]);
  });

  it('lookalike paths the rule leaves out: no span of tokentrace at all', async () => {
    for (const [path, body] of LEFT_OUT) {
      const received = await post(path, body);
      expect(received.toString('utf8')).toBe(answer({ url: path } as IncomingMessage).body);
    }
    // One recognised call last: its span ends after the others would have, so their absence is real.
    await post('/v1/chat/completions', { text: 'marker' });
    const spans = await harness.waitForSpans((s) => fromTokentrace(s).length >= 1);
    expect(fromTokentrace(spans)).toHaveLength(1);
    expect(genAiSpans(spans)).toEqual([]);
  });
});
