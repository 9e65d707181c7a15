import { metrics, trace } from '@opentelemetry/api';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureDeps } from '../capture/llm-call.js';
import { NodeHttpCapture } from '../capture/node-http-capture.js';
import { ResendTracker } from '../capture/resend-count.js';
import { UndiciCapture } from '../capture/undici-capture.js';
import { resolveConfig } from '../config.js';
import { EndpointRegistry } from '../providers/endpoint-registry.js';
import { createGenAiMetrics } from '../telemetry/genai-metrics.js';
import { GateChain } from './gate-chain.js';
import type { ObservedResponse } from './local-response.js';
import type { GateRequest, RequestGate } from './request-gate.js';

/** A gate for the test: answers bodies that ask for it locally, lets others through and keeps what it saw. */
class ScriptedGate implements RequestGate {
  readonly name = 'scripted';
  readonly requests: GateRequest[] = [];
  readonly observed: ObservedResponse[] = [];
  wants(controls: Readonly<Record<string, string>> | undefined): boolean {
    return controls?.['cache-enabled'] === 'true';
  }
  async admit(request: GateRequest) {
    this.requests.push(request);
    const body = request.body.toString();
    if (body.includes('"local"')) {
      const chunks = ['data: {"n":1}\n\n', 'data: {"n":2}\n\n', 'data: [DONE]\n\n'].map((s) => Buffer.from(s));
      return {
        respond: { status: 200, headers: [['content-type', 'text/event-stream'], ['transfer-encoding', 'chunked'], ['x-local', 'yes']] as [string, string][], chunks },
        observe: (r: ObservedResponse) => this.observed.push(r),
      };
    }
    return { responseHeaders: [['x-gate', 'passed']] as [string, string][], observe: (r: ObservedResponse) => this.observed.push(r) };
  }
}

const gate = new ScriptedGate();
const received: string[] = [];
let server: http.Server;
let base: string;
const registry = () => new EndpointRegistry();
const deps = (): CaptureDeps => ({
  tracer: trace.getTracer('t'),
  metrics: createGenAiMetrics(metrics.getMeter('t'), false),
  config: resolveConfig({}),
  resends: new ResendTracker(),
  gates: new GateChain([gate]),
});
const undici = new UndiciCapture(deps, registry);
const nodeHttp = new NodeHttpCapture(deps, registry);

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(body);
      if (body.includes('"fail"')) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"boom","type":"server_error"}}');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"from":"server"}\n\n');
      setImmediate(() => res.end('data: [DONE]\n\n'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  undici.enable();
  nodeHttp.enable();
});
afterAll(async () => {
  undici.disable();
  nodeHttp.disable();
  await new Promise((r) => server.close(r));
});

const body = (text: string) => JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: text }] });
const gated = { 'content-type': 'application/json', 'Helicone-Cache-Enabled': 'true' };

function nodeRequest(payload: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/v1/chat/completions`, { method: 'POST', headers: gated }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.write(payload.slice(0, 10));
    req.end(payload.slice(10));
  });
}

describe('request gates', () => {
  it('fetch: a local answer reaches the app as a streamed response; the server sees nothing', async () => {
    const before = received.length;
    const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: gated, body: body('local') });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-local')).toBe('yes');
    expect(await res.text()).toBe('data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n');
    expect(received.length).toBe(before);
    const request = gate.requests.at(-1)!;
    expect(request.body.toString()).toBe(body('local'));
    expect(request.controls).toEqual({ 'cache-enabled': 'true' });
    expect(request.header('helicone-cache-enabled')).toBeUndefined();
    await waitFor(() => gate.observed.length > 0);
    expect(gate.observed.at(-1)).toMatchObject({ status: 200, complete: true, local: true, call: { errorType: undefined } });
  });

  it('fetch: a request let through is sent with its body; the gate observes the complete response and adds its headers', async () => {
    const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: gated, body: body('remote') });
    expect(res.headers.get('x-gate')).toBe('passed');
    expect(await res.text()).toBe('data: {"from":"server"}\n\ndata: [DONE]\n\n');
    expect(received.at(-1)).toBe(body('remote'));
    await waitFor(() => gate.observed.length > 0 && gate.observed.at(-1)!.local === false);
    const seen = gate.observed.at(-1)!;
    expect(seen.complete).toBe(true);
    expect(Buffer.concat(seen.chunks).toString()).toBe('data: {"from":"server"}\n\ndata: [DONE]\n\n');
  });

  it('node:http: a local answer is a real IncomingMessage; a request let through is relayed byte for byte', async () => {
    const before = received.length;
    const local = await nodeRequest(body('local'));
    expect(local.status).toBe(200);
    expect(local.headers['x-local']).toBe('yes');
    expect(local.text).toBe('data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n');
    expect(received.length).toBe(before);
    expect(gate.requests.at(-1)!.body.toString()).toBe(body('local'));

    const remote = await nodeRequest(body('remote'));
    expect(remote.headers['x-gate']).toBe('passed');
    expect(remote.headers['transfer-encoding']).toBe('chunked');
    expect(remote.text).toBe('data: {"from":"server"}\n\ndata: [DONE]\n\n');
    expect(received.at(-1)).toBe(body('remote'));
    await waitFor(() => gate.observed.at(-1)!.local === false && gate.observed.at(-1)!.complete);
  });

  it('fetch: an abort before the answer is given stops it; the gate sees it incomplete', async () => {
    const controller = new AbortController();
    const before = gate.observed.length;
    const pending = fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: gated, body: body('local'), signal: controller.signal });
    controller.abort(); // the gates decide after the body was read, in a later turn
    await expect(pending).rejects.toThrow(/abort/i);
    await waitFor(() => gate.observed.length === before + 1);
    expect(gate.observed.at(-1)).toMatchObject({ complete: false });
  });

  it('observers are told how the call ended: a 500 is an error, on both paths', async () => {
    const before = gate.observed.length;
    const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: gated, body: body('fail') });
    expect(res.status).toBe(500);
    await res.text();
    const viaHttp = await nodeRequest(body('fail'));
    expect(viaHttp.status).toBe(500);
    await waitFor(() => gate.observed.length === before + 2);
    for (const seen of gate.observed.slice(before)) expect(seen).toMatchObject({ status: 500, complete: true, call: { errorType: '500' } });
  });

  it('calls without a gate header go straight out', async () => {
    const count = gate.requests.length;
    const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body('x') });
    await res.text();
    expect(gate.requests.length).toBe(count);
  });
});

/** Polls until `predicate` holds; the deadline only bounds a broken run (a loaded machine may be slow). */
async function waitFor(predicate: () => boolean, deadlineMs = 20_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!predicate() && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  expect(predicate()).toBe(true);
}
