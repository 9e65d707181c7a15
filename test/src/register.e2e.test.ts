/**
 * Out of process, as users run it: `node --import @tokentrace/instrumentation/register app`
 * for an ESM app (openai SDK over fetch) and a CommonJS app (axios over node:http), and over
 * node:http2 (a raw client, the AWS SDK's default handler), exporting OTLP/HTTP
 * to a local receiver. The apps exit right after their last call.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAnthropicEmulator, startBedrockEmulator, startOpenAIEmulator, type ProviderEmulator } from './provider-emulator/index.js';
import { OtlpReceiver } from './otlp-receiver.js';

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

let receiver: OtlpReceiver;
let openai: ProviderEmulator;
let anthropic: ProviderEmulator;

beforeAll(async () => {
  [receiver, openai, anthropic] = await Promise.all([OtlpReceiver.start(), startOpenAIEmulator({ firstChunkDelayMs: 50 }), startAnthropicEmulator()]);
});
afterAll(async () => Promise.all([receiver.close(), openai.close(), anthropic.close()]));
beforeEach(() => receiver.reset());

async function runApp(app: string, extraEnv: Record<string, string> = {}) {
  const env = {
    PATH: process.env.PATH ?? '',
    ...receiver.env(),
    OTEL_SERVICE_NAME: 'e2e-app',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,team=llm',
    TOKENTRACE_ENDPOINTS: `openai=${openai.url},anthropic=${anthropic.url}`,
    APP_OPENAI_BASE_URL: openai.baseUrl,
    APP_ANTHROPIC_URL: anthropic.url,
    ...extraEnv,
  };
  const started = Date.now();
  const result = await run(process.execPath, ['--import', '@tokentrace/instrumentation/register', fixture(app)], { env, cwd: fileURLToPath(new URL('..', import.meta.url)) });
  return { ...result, ms: Date.now() - started };
}

/** A server-like app that stays up until killed; nothing is exported on a timer: only a flush can deliver. */
function spawnLongRunning(app: string) {
  const env = {
    PATH: process.env.PATH ?? '',
    ...receiver.env(),
    OTEL_BSP_SCHEDULE_DELAY: '60000',
    TOKENTRACE_ENDPOINTS: `openai=${openai.url}`,
    APP_OPENAI_BASE_URL: openai.baseUrl,
  };
  return spawn(process.execPath, ['--import', '@tokentrace/instrumentation/register', fixture(app)], { env, cwd: fileURLToPath(new URL('..', import.meta.url)) });
}

describe('node --import @tokentrace/instrumentation/register', () => {
  it('traces an ESM app with no code change and flushes before exit', async () => {
    const { stdout, stderr } = await runApp('esm-openai-app.mjs');
    expect(JSON.parse(stdout)).toEqual({ text: expect.any(String), streamed: expect.any(String) });
    expect(stderr).toBe('');
    // Everything was exported before the process exited: no waiting needed.
    const chats = receiver.spans.filter((s) => s.name === 'chat gpt-4o-mini');
    expect(chats).toHaveLength(2);
    const [plain, streamed] = chats.sort((a, b) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)));
    expect(plain.kind).toBe('client');
    expect(plain.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'user.id': 'esm-user', 'tokentrace.property.app': 'e2e' });
    expect(streamed.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.usage.output_tokens': expect.any(Number) });
    expect(streamed.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThanOrEqual(0.045);
    expect(plain.resource).toMatchObject({ 'service.name': 'e2e-app', 'deployment.environment.name': 'test', team: 'llm' });
    // The GenAI span is the call's only span (no instrumentation-undici span under it), and the
    // request carried its trace context.
    expect(receiver.spans.filter((s) => s.parentSpanId === plain.spanId)).toEqual([]);
    expect(openai.requests.map((r) => r.request.headers.traceparent)).toContain(`00-${plain.traceId}-${plain.spanId}-01`);
    expect(JSON.stringify(receiver.spans)).not.toContain('sk-e2e-secret');
    // Metrics from the same capture are exported at exit too.
    const names = new Set(receiver.dataPoints.map((p) => p.name));
    expect(names).toContain('gen_ai.client.token.usage');
    expect(names).toContain('gen_ai.client.operation.duration');
    expect(names).toContain('gen_ai.client.operation.time_to_first_chunk');
  });

  it('traces a CommonJS app using axios over node:http; TOKENTRACE_HTTP_SPANS=true keeps the HTTP span beneath', async () => {
    const { stdout, stderr } = await runApp('cjs-axios-app.cjs', { TOKENTRACE_HTTP_SPANS: 'true' });
    expect(JSON.parse(stdout).text).toEqual(expect.any(String));
    expect(stderr).toBe('');
    const [span] = receiver.spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    expect(span.name).toBe('chat claude-sonnet-4-5');
    expect(span.attributes).toMatchObject({ 'gen_ai.provider.name': 'anthropic', 'gen_ai.conversation.id': 'cjs-session', 'gen_ai.request.max_tokens': 100 });
    const httpChild = receiver.spans.find((s) => s.parentSpanId === span.spanId);
    expect(httpChild?.kind).toBe('client');
    expect(httpChild?.attributes['http.request.method']).toBe('POST');
    // The GenAI span is made by the SDK when the call ends (sdk/deferred-span.ts), timed from the call's start: it starts before its child.
    expect(BigInt(span.startTimeUnixNano)).toBeLessThanOrEqual(BigInt(httpChild!.startTimeUnixNano));
    expect(anthropic.lastRequest!.request.headers['helicone-session-id']).toBeUndefined();
    expect(JSON.stringify(receiver.spans)).not.toContain('sk-ant-e2e-secret');
  });

  it('an ESM app importing node:http after start: node:http, node:https and node:stream not loaded at start, the call traced', async () => {
    const { stdout, stderr } = await runApp('esm-node-http-app.mjs');
    expect(JSON.parse(stdout)).toEqual({ loadedAtStart: false, text: expect.any(String) });
    expect(stderr).toBe('');
    const chats = receiver.spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    expect(chats).toHaveLength(1);
    expect(chats[0].attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'server.port': openai.port });
    expect(openai.lastRequest!.request.headers.traceparent).toBe(`00-${chats[0].traceId}-${chats[0].spanId}-01`);
  });

  it('flushes on SIGTERM and then terminates by the signal, as without tokentrace', async () => {
    const child = spawnLongRunning('long-running-app.mjs');
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    expect(line).toBe('ready');
    expect(receiver.spans).toHaveLength(0);
    child.kill('SIGTERM');
    const [code, signal] = await once(child, 'exit');
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(receiver.spans.filter((s) => s.name === 'chat gpt-4o-mini')).toHaveLength(1);
  });

  it("the tracer provider's forceFlush exports a call that has just finished (its completion waiting for its batch)", async () => {
    const child = spawnLongRunning('flushing-app.mjs');
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
      expect(line).toBe('flushed');
      // The export has been answered before forceFlush resolved: the span is already here.
      expect(receiver.spans.filter((s) => s.name === 'chat gpt-4o-mini')).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit').catch(() => undefined);
    }
  });

  it('joins a tracer provider the app registered before it, instead of starting its own', async () => {
    const own = await OtlpReceiver.start();
    try {
      const env = {
        PATH: process.env.PATH ?? '',
        ...receiver.env(), // tokentrace's own SDK would export here: it must not start
        APP_OWN_OTLP_URL: own.url,
        TOKENTRACE_ENDPOINTS: `openai=${openai.url}`,
        APP_OPENAI_BASE_URL: openai.baseUrl,
      };
      const args = ['--import', './fixtures/own-tracing.mjs', '--import', '@tokentrace/instrumentation/register', fixture('esm-openai-app.mjs')];
      await run(process.execPath, args, { env, cwd: fileURLToPath(new URL('..', import.meta.url)) });
      const chats = own.spans.filter((s) => s.name === 'chat gpt-4o-mini');
      expect(chats).toHaveLength(2);
      expect(chats[0].resource['service.name']).toBe('apps-own-sdk');
      expect(chats[0].scopeName).toBe('@tokentrace/instrumentation');
      expect(receiver.exports).toHaveLength(0);
    } finally {
      await own.close();
    }
  });

  it('exports OTLP/protobuf by default', async () => {
    await runApp('esm-openai-app.mjs', { OTEL_EXPORTER_OTLP_PROTOCOL: '' });
    const traces = receiver.exports.filter((e) => e.signal === 'traces');
    expect(traces.length).toBeGreaterThan(0);
    expect(traces[0].contentType).toBe('application/x-protobuf');
    expect(Buffer.concat(traces.map((t) => t.body)).includes('chat gpt-4o-mini')).toBe(true);
  });
});

describe('node --import @tokentrace/instrumentation/register, node:http2 (no endpoint configuration)', () => {
  let openaiHttp2: ProviderEmulator;
  let bedrockHttp2: ProviderEmulator;
  beforeAll(async () => {
    [openaiHttp2, bedrockHttp2] = await Promise.all([startOpenAIEmulator({ http2: true }), startBedrockEmulator({ http2: true })]);
  });
  afterAll(async () => Promise.all([openaiHttp2.close(), bedrockHttp2.close()]));

  const runHttp2App = (app: string) =>
    run(process.execPath, ['--import', '@tokentrace/instrumentation/register', fixture(app)], {
      env: { PATH: process.env.PATH ?? '', ...receiver.env(), APP_HTTP2_URL: openaiHttp2.url, APP_BEDROCK_URL: bedrockHttp2.url },
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });

  it('a CommonJS app requiring node:http2 when it needs it: not loaded at start, its call traced', async () => {
    const { stdout, stderr } = await runHttp2App('cjs-http2-app.cjs');
    expect(JSON.parse(stdout)).toEqual({ loadedAtStart: false, text: expect.any(String) });
    expect(stderr).toBe('');
    const [span] = receiver.spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    expect(span.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'user.id': 'http2-user', 'server.port': openaiHttp2.port });
    expect(receiver.spans.filter((s) => s.attributes['gen_ai.operation.name'] !== undefined)).toHaveLength(1);
    expect(openaiHttp2.lastRequest!.request.headers.traceparent).toBe(`00-${span.traceId}-${span.spanId}-01`);
    expect(openaiHttp2.lastRequest!.request.headers['helicone-user-id']).toBeUndefined();
    expect(JSON.stringify(receiver.spans)).not.toContain('sk-e2e-secret');
  });

  it("a CommonJS app with the AWS SDK's default BedrockRuntimeClient (HTTP/2): one chat span", async () => {
    const { stdout, stderr } = await runHttp2App('cjs-bedrock-http2-app.cjs');
    expect(JSON.parse(stdout).text).toEqual(expect.any(String));
    expect(stderr).toBe('');
    const chats = receiver.spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    expect(chats).toHaveLength(1);
    expect(chats[0].name).toBe('chat anthropic.claude-3-5-sonnet-20240620-v1:0');
    expect(chats[0].attributes).toMatchObject({ 'gen_ai.provider.name': 'aws.bedrock', 'server.port': bedrockHttp2.port, 'gen_ai.usage.output_tokens': expect.any(Number) });
    expect(JSON.stringify(receiver.spans)).not.toContain('DONOTRECORD');
  });
});
