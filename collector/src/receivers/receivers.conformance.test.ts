/**
 * One conformance suite for every OTLP transport the collector accepts (hono's
 * `router/common.case.test.ts` habit): OTLP/HTTP with binary protobuf, OTLP/HTTP with JSON, and
 * OTLP/gRPC. Spans come from a real SDK TracerProvider and travel through the real OTLP exporters
 * from npm; raw requests cover what an exporter never sends (bad bytes, bad ids, gzip bombs).
 * Each transport is a driver with the same small interface; each case runs against all three.
 */
import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { Client, credentials, Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { BackpressureError, PermanentError, type SpanConsumer, type SpanRecord } from '@tokentrace/processors';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiKeyAuthenticator } from './api-key-auth.js';
import { decodeStatus } from './google-rpc-status.js';
import { LOGS_SERVICE, METRICS_SERVICE, TRACE_SERVICE } from './otlp-grpc-services.js';
import { OtlpGrpcReceiver } from './otlp-grpc-receiver.js';
import { OtlpHttpReceiver } from './otlp-http-receiver.js';
import { ExportTraceServiceRequest, ExportTraceServiceResponse } from './otlp-proto.js';
import type { ForwardSignal, OtlpReceiverOptions, ReceiverEvent } from './types.js';
import { deepProtobufRequest, RAW_SPAN_START_NS, rawSpan, requestWith, toProtobuf } from './testing/otlp-bodies.js';

// ---------------------------------------------------------------- the pipeline end: a test consumer

class CollectingConsumer implements SpanConsumer {
  readonly batches: SpanRecord[][] = [];
  calls = 0;
  /** Errors thrown by the next calls, in order. */
  readonly failures: unknown[] = [];

  async consume(spans: SpanRecord[]): Promise<void> {
    this.calls++;
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.batches.push(spans);
  }

  get spans(): SpanRecord[] {
    return this.batches.flat();
  }
}

// ---------------------------------------------------------------- spans from a real SDK

const T0: [number, number] = [1_700_000_000, 123_456_789];
const T1: [number, number] = [1_700_000_001, 987_654_321];
const T_EVENT: [number, number] = [1_700_000_000, 500_000_001];

const CHAT_ATTRIBUTES = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': 1234,
  'gen_ai.request.temperature': 0.25,
  'gen_ai.request.stream': true,
  'gen_ai.request.stop_sequences': ['\n\n', 'END'],
  'test.ints': [1, -2, 3_000_000_000],
  'test.doubles': [0.5, 1.25],
  'test.bools': [true, false],
  'test.negative': -7,
};

/** A server span with an error status and an event, and a client child with status OK. */
function produceSpans(): { parent: ReadableSpan; child: ReadableSpan; all: ReadableSpan[] } {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'conformance', 'deployment.environment.name': 'test', 'service.instance.count': 3 }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('tokentrace-conformance', '9.8.7');
  const parent = tracer.startSpan('POST /chat', { kind: SpanKind.SERVER, startTime: T0 }, ROOT_CONTEXT);
  const child = tracer.startSpan('chat gpt-4o', { kind: SpanKind.CLIENT, startTime: T0, attributes: CHAT_ATTRIBUTES }, trace.setSpan(ROOT_CONTEXT, parent));
  child.addEvent('gen_ai.content.prompt', { 'gen_ai.prompt': 'hello', 'test.count': 2 }, T_EVENT);
  child.setStatus({ code: SpanStatusCode.OK });
  child.end(T1);
  parent.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream failed' });
  parent.end(T1);
  const all = memory.getFinishedSpans();
  const byName = (name: string): ReadableSpan => all.find((s) => s.name === name)!;
  return { parent: byName('POST /chat'), child: byName('chat gpt-4o'), all };
}

function nanos([seconds, ns]: [number, number]): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(ns);
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const SPAN_A = 'b7ad6b7169203331';
const SPAN_B = 'b7ad6b7169203332';
const SPAN_C = 'b7ad6b7169203333';


// ---------------------------------------------------------------- drivers: one per transport

interface Outcome {
  /** HTTP status, or gRPC status code (0 = OK). */
  code: number;
  message: string;
  retryAfterSeconds?: number;
  rejectedSpans?: number;
  errorMessage?: string;
}

interface RawOptions {
  apiKey?: string;
  gzip?: boolean;
  signal?: 'traces' | 'metrics' | 'logs';
}

interface Auth {
  apiKey: string;
  via: 'bearer' | 'x-api-key';
}

interface Driver {
  readonly name: string;
  readonly codes: { ok: number; badData: number; tooLarge: number; unauthenticated: number; throttled: number; unavailable: number };
  /** The Content-Type a forwarded metrics/logs body carries. */
  readonly contentType: string;
  start(options: OtlpReceiverOptions): Promise<void>;
  stop(): Promise<void>;
  exporter(options?: { auth?: Auth; gzip?: boolean }): SpanExporter;
  /** A request in this transport's encoding. */
  encode(request: Record<string, unknown>): Uint8Array;
  sendRaw(body: Uint8Array, options?: RawOptions): Promise<Outcome>;
  /** Sends with a client that retries what OTLP calls retryable; resolves with the final outcome. */
  sendRetrying(body: Uint8Array): Promise<Outcome>;
}


function authHeaders(auth: Auth | undefined): Record<string, string> {
  if (!auth) return {};
  return auth.via === 'bearer' ? { Authorization: `Bearer ${auth.apiKey}` } : { 'x-api-key': auth.apiKey };
}

class HttpDriver implements Driver {
  readonly codes = { ok: 200, badData: 400, tooLarge: 400, unauthenticated: 401, throttled: 429, unavailable: 503 };
  private receiver: OtlpHttpReceiver | undefined;
  private readonly exporters: SpanExporter[] = [];

  constructor(
    readonly name: string,
    private readonly encoding: 'protobuf' | 'json',
  ) {}

  get contentType(): string {
    return this.encoding === 'json' ? 'application/json' : 'application/x-protobuf';
  }

  get url(): string {
    return this.receiver!.url;
  }

  async start(options: OtlpReceiverOptions): Promise<void> {
    this.receiver = new OtlpHttpReceiver({ ...options, host: '127.0.0.1', port: 0, shutdownGraceMs: 200 });
    await this.receiver.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.exporters.splice(0).map((e) => e.shutdown()));
    await this.receiver?.shutdown();
  }

  exporter(options: { auth?: Auth; gzip?: boolean } = {}): SpanExporter {
    const config = {
      url: `${this.url}/v1/traces`,
      headers: authHeaders(options.auth),
      compression: options.gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
      timeoutMillis: 10_000,
    };
    const exporter = this.encoding === 'json' ? new JsonTraceExporter(config) : new ProtoTraceExporter(config);
    this.exporters.push(exporter);
    return exporter;
  }

  encode(request: Record<string, unknown>): Uint8Array {
    return this.encoding === 'json' ? Buffer.from(JSON.stringify(request)) : toProtobuf(request);
  }

  async sendRaw(body: Uint8Array, options: RawOptions = {}, contentType = this.contentType): Promise<Outcome> {
    const headers: Record<string, string> = { 'Content-Type': contentType, ...authHeaders(options.apiKey ? { apiKey: options.apiKey, via: 'bearer' } : undefined) };
    let payload = Buffer.from(body);
    if (options.gzip) {
      payload = gzipSync(body);
      headers['Content-Encoding'] = 'gzip';
    }
    const response = await fetch(`${this.url}/v1/${options.signal ?? 'traces'}`, { method: 'POST', headers, body: payload });
    return this.outcome(response);
  }

  async sendRetrying(body: Uint8Array): Promise<Outcome> {
    // The SDK exporter is the retrying client here; sendRetrying is only used by the gRPC driver.
    return this.sendRaw(body);
  }

  async outcome(response: Response): Promise<Outcome> {
    const bytes = new Uint8Array(await response.arrayBuffer());
    const retryAfter = response.headers.get('retry-after');
    const outcome: Outcome = { code: response.status, message: '', ...(retryAfter !== null && { retryAfterSeconds: Number(retryAfter) }) };
    const json = response.headers.get('content-type') === 'application/json';
    if (response.status === 200) {
      const decoded = json
        ? (JSON.parse(Buffer.from(bytes).toString()) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } })
        : (ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(bytes), { longs: String }) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } });
      if (decoded.partialSuccess) {
        outcome.rejectedSpans = Number(decoded.partialSuccess.rejectedSpans ?? 0);
        outcome.errorMessage = decoded.partialSuccess.errorMessage ?? '';
      }
    } else {
      outcome.message = json ? (JSON.parse(Buffer.from(bytes).toString()) as { message: string }).message : decodeStatus(bytes).message;
    }
    return outcome;
  }
}

const GRPC_PATHS = { traces: `/${TRACE_SERVICE}/Export`, metrics: `/${METRICS_SERVICE}/Export`, logs: `/${LOGS_SERVICE}/Export` };

class GrpcDriver implements Driver {
  readonly name = 'OTLP/gRPC';
  readonly codes = { ok: GrpcStatus.OK, badData: GrpcStatus.INVALID_ARGUMENT, tooLarge: GrpcStatus.RESOURCE_EXHAUSTED, unauthenticated: GrpcStatus.UNAUTHENTICATED, throttled: GrpcStatus.UNAVAILABLE, unavailable: GrpcStatus.UNAVAILABLE };
  readonly contentType = 'application/x-protobuf';
  private receiver: OtlpGrpcReceiver | undefined;
  private readonly closers: (() => unknown)[] = [];

  private get address(): string {
    return `127.0.0.1:${this.receiver!.port}`;
  }

  async start(options: OtlpReceiverOptions): Promise<void> {
    this.receiver = new OtlpGrpcReceiver({ ...options, host: '127.0.0.1', port: 0, shutdownGraceMs: 200 });
    await this.receiver.start();
  }

  async stop(): Promise<void> {
    for (const close of this.closers.splice(0)) await close();
    await this.receiver?.shutdown();
  }

  exporter(options: { auth?: Auth; gzip?: boolean } = {}): SpanExporter {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(authHeaders(options.auth))) metadata.set(key.toLowerCase(), value);
    const exporter = new GrpcTraceExporter({
      url: `http://${this.address}`,
      metadata,
      compression: options.gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
      timeoutMillis: 10_000,
    });
    this.closers.push(() => exporter.shutdown());
    return exporter;
  }

  encode(request: Record<string, unknown>): Uint8Array {
    return toProtobuf(request);
  }

  sendRaw(body: Uint8Array, options: RawOptions = {}): Promise<Outcome> {
    return this.call(this.client(options.gzip ? { 'grpc.default_compression_algorithm': 2 } : {}), GRPC_PATHS[options.signal ?? 'traces'], body, options.apiKey);
  }

  sendRetrying(body: Uint8Array): Promise<Outcome> {
    // A gRPC client following the OTLP retry table: UNAVAILABLE is retried (gRPC A6 retry policy).
    const serviceConfig = {
      methodConfig: [
        {
          name: [{ service: TRACE_SERVICE }],
          retryPolicy: { maxAttempts: 3, initialBackoff: '0.1s', maxBackoff: '1s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] },
        },
      ],
    };
    return this.call(this.client({ 'grpc.service_config': JSON.stringify(serviceConfig) }), GRPC_PATHS.traces, body);
  }

  private client(options: Record<string, unknown>): Client {
    const client = new Client(this.address, credentials.createInsecure(), options);
    this.closers.push(() => client.close());
    return client;
  }

  private call(client: Client, path: string, body: Uint8Array, apiKey?: string): Promise<Outcome> {
    const metadata = new Metadata();
    if (apiKey) metadata.set('authorization', `Bearer ${apiKey}`);
    return new Promise((resolve) => {
      client.makeUnaryRequest(
        path,
        (b: Uint8Array) => Buffer.from(b),
        (b: Buffer) => b,
        body,
        metadata,
        (err: ServiceError | null, response?: Buffer) => {
          if (err) {
            const details = err.metadata?.get('grpc-status-details-bin')[0];
            const retry = details instanceof Buffer ? decodeStatus(details).retryDelaySeconds : undefined;
            resolve({ code: err.code, message: err.details, ...(retry !== undefined && { retryAfterSeconds: retry }) });
            return;
          }
          const decoded = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(response!), { longs: String }) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } };
          const outcome: Outcome = { code: GrpcStatus.OK, message: '' };
          if (decoded.partialSuccess) {
            outcome.rejectedSpans = Number(decoded.partialSuccess.rejectedSpans ?? 0);
            outcome.errorMessage = decoded.partialSuccess.errorMessage ?? '';
          }
          resolve(outcome);
        },
      );
    });
  }
}

const drivers: Driver[] = [new HttpDriver('OTLP/HTTP protobuf', 'protobuf'), new HttpDriver('OTLP/HTTP JSON', 'json'), new GrpcDriver()];

// ---------------------------------------------------------------- the shared cases

describe.each(drivers)('$name receiver', (driver) => {
  let consumer: CollectingConsumer;

  async function start(options: Partial<OtlpReceiverOptions> = {}): Promise<CollectingConsumer> {
    consumer = new CollectingConsumer();
    await driver.start({ consumer, maxBodyBytes: 64 * 1024, ...options });
    return consumer;
  }

  /** The receiver still answers a valid export after a refused request. */
  async function expectStillServing(): Promise<void> {
    const before = consumer.spans.length;
    const outcome = await driver.sendRaw(driver.encode(requestWith([rawSpan(TRACE_A, SPAN_A, 'after')])));
    expect(outcome.code).toBe(driver.codes.ok);
    expect(consumer.spans.length).toBe(before + 1);
  }

  afterEach(async () => {
    await driver.stop();
  });

  it('delivers the spans of a real SDK exporter with every field intact', async () => {
    await start();
    const { parent, child, all } = produceSpans();
    const result = await exportWith(driver.exporter(), all);
    expect(result.code, String(result.error)).toBe(ExportResultCode.SUCCESS);

    expect(consumer.spans).toHaveLength(2);
    const got = (name: string): SpanRecord => consumer.spans.find((s) => s.name === name)!;
    const resourceAttributes = { ...parent.resource.attributes };
    expect(resourceAttributes).toMatchObject({ 'service.name': 'conformance', 'deployment.environment.name': 'test', 'service.instance.count': 3 });

    expect(got('POST /chat')).toEqual({
      projectId: 'default',
      traceId: parent.spanContext().traceId,
      spanId: parent.spanContext().spanId,
      parentSpanId: '',
      name: 'POST /chat',
      kind: 2,
      startTimeUnixNano: nanos(T0),
      endTimeUnixNano: nanos(T1),
      statusCode: 2,
      statusMessage: 'upstream failed',
      attributes: {},
      resourceAttributes,
      scopeName: 'tokentrace-conformance',
      scopeVersion: '9.8.7',
      events: [],
    });
    expect(got('chat gpt-4o')).toEqual({
      projectId: 'default',
      traceId: parent.spanContext().traceId,
      spanId: child.spanContext().spanId,
      parentSpanId: parent.spanContext().spanId,
      name: 'chat gpt-4o',
      kind: 3,
      startTimeUnixNano: 1_700_000_000_123_456_789n,
      endTimeUnixNano: 1_700_000_001_987_654_321n,
      statusCode: 1,
      statusMessage: '',
      attributes: CHAT_ATTRIBUTES,
      resourceAttributes,
      scopeName: 'tokentrace-conformance',
      scopeVersion: '9.8.7',
      events: [{ name: 'gen_ai.content.prompt', timeUnixNano: 1_700_000_000_500_000_001n, attributes: { 'gen_ai.prompt': 'hello', 'test.count': 2 } }],
    });
    expect(got('chat gpt-4o').traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(got('chat gpt-4o').spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('accepts gzip-compressed exports', async () => {
    await start();
    const { all } = produceSpans();
    const result = await exportWith(driver.exporter({ gzip: true }), all);
    expect(result.code, String(result.error)).toBe(ExportResultCode.SUCCESS);
    expect(consumer.spans.map((s) => s.name).sort()).toEqual(['POST /chat', 'chat gpt-4o']);
    expect(consumer.spans.find((s) => s.name === 'chat gpt-4o')!.attributes).toEqual(CHAT_ATTRIBUTES);
  });

  it('answers a partial success for spans with invalid ids and passes the valid ones on', async () => {
    const events: ReceiverEvent[] = [];
    await start({ onRequest: (event) => events.push(event) });
    const body = driver.encode(
      requestWith([
        rawSpan(TRACE_A, SPAN_A, 'valid'),
        rawSpan('abc123', SPAN_A, 'short trace id'),
        rawSpan(TRACE_A, '0000000000000000', 'zero span id'),
        rawSpan('', SPAN_A, 'empty trace id'),
        rawSpan('ab'.repeat(1000), SPAN_A, '1000-byte trace id'),
        rawSpan('0'.repeat(32), SPAN_A, 'zero trace id'),
        rawSpan(TRACE_A, 'abcdef', '3-byte span id'),
        rawSpan(TRACE_A, 'cd'.repeat(100), '100-byte span id'),
        { ...rawSpan(TRACE_A, SPAN_A, '4-byte parent'), parentSpanId: '01020304' },
      ]),
    );
    const outcome = await driver.sendRaw(body);
    expect(outcome.code).toBe(driver.codes.ok);
    expect(outcome.rejectedSpans).toBe(8);
    expect(outcome.errorMessage).toMatch(/rejected 8 of 9 spans/);
    expect(outcome.errorMessage).toMatch(/trace_id/);
    expect(outcome.errorMessage).toMatch(/span_id/);
    expect(consumer.spans.map((s) => [s.name, s.traceId, s.spanId, s.kind, s.startTimeUnixNano])).toEqual([['valid', TRACE_A, SPAN_A, 3, RAW_SPAN_START_NS]]);
    expect(consumer.spans[0]!.resourceAttributes).toEqual({ 'service.name': 'raw' });
    expect(events).toEqual([{ transport: driver instanceof GrpcDriver ? 'grpc' : 'http', signal: 'traces', projectId: 'default', acceptedSpans: 1, rejectedSpans: 8, sanitizedSpans: 0 }]);
  });

  it('makes content storable and fits it to the limits, marking and counting the spans it changed', async () => {
    const events: ReceiverEvent[] = [];
    await start({ onRequest: (event) => events.push(event), maxBodyBytes: 1024 * 1024 });
    const many = Array.from({ length: 1030 }, (_, i) => ({ key: `k${i}`, value: { intValue: i } }));
    let deep: Record<string, unknown> = { stringValue: 'bottom' };
    for (let i = 0; i < 40; i++) deep = { arrayValue: { values: [deep] } };
    const body = driver.encode(
      requestWith([
        rawSpan(TRACE_A, SPAN_A, 'clean'),
        // A lone surrogate: OTLP/JSON carries it as an escape; protobufjs encodes it as bytes that are not UTF-8.
        { ...rawSpan(TRACE_A, SPAN_B, 'lone \ud800 surrogate'), attributes: [{ key: 'k\udfff', value: { stringValue: 'v\ud800' } }] },
        { ...rawSpan(TRACE_A, SPAN_C, 'limits'), attributes: [...many, { key: 'deep', value: deep }], status: { code: 2, message: 'x'.repeat(2 * 1024 * 1024 / 8) } },
      ]),
    );
    const outcome = await driver.sendRaw(body);
    expect(outcome.code).toBe(driver.codes.ok);
    expect(outcome.rejectedSpans ?? 0).toBe(0);
    const [clean, surrogate, limited] = consumer.spans;
    expect(clean!.attributes).toEqual({});
    expect(surrogate!.name).toMatch(/^lone \uFFFD+ surrogate$/);
    expect(Object.keys(surrogate!.attributes).find((k) => k.startsWith('k'))).toMatch(/^k\uFFFD+$/);
    const action = driver.name.includes('JSON') ? 'invalid_utf16_replaced' : 'invalid_utf8_replaced';
    expect(surrogate!.attributes['tokentrace.sanitized']).toEqual([`${action}:3`]);
    expect(Object.keys(limited!.attributes)).toHaveLength(1024 + 1); // the first 1024, and the mark
    expect(limited!.attributes['tokentrace.sanitized']).toEqual(['attributes_dropped:7']);
    expect(events[0]!.sanitizedSpans).toBe(2);
  });

  it('empties values nested past the decoder stack, keeping the span and the rest of the request', async () => {
    await start({ maxBodyBytes: 8 * 1024 * 1024 });
    // 100,000 levels: protobufjs's decode and fromObject recurse per level and would overflow.
    const depth = 100_000;
    const body =
      driver.name.includes('JSON')
        ? Buffer.from(JSON.stringify(requestWith([rawSpan(TRACE_A, SPAN_A, 'valid')])).replace('"name":"valid"', `"name":"deep","attributes":[{"key":"deep","value":${'{"arrayValue":{"values":['.repeat(depth)}{"stringValue":"x"}${']}}'.repeat(depth)}}]`))
        : deepProtobufRequest(depth, TRACE_A, SPAN_A);
    const outcome = await driver.sendRaw(body);
    expect(outcome.code, outcome.message).toBe(driver.codes.ok);
    expect(consumer.spans).toHaveLength(1);
    let value = consumer.spans[0]!.attributes.deep;
    let levels = 0;
    while (Array.isArray(value)) {
      value = value[0];
      levels++;
    }
    expect(levels).toBe(32);
    expect(value).toBeNull();
    expect(consumer.spans[0]!.attributes['tokentrace.sanitized']).toEqual(['nested_values_dropped:1']);
    await expectStillServing();
  });

  it('answers success without partial_success for an empty request, and does not call the pipeline', async () => {
    await start();
    const outcome = await driver.sendRaw(driver.encode({}));
    expect(outcome).toEqual({ code: driver.codes.ok, message: '' });
    expect(consumer.calls).toBe(0);
  });

  it('refuses a malformed body with a reason and keeps serving', async () => {
    await start();
    const outcome = await driver.sendRaw(Buffer.from('this is neither protobuf nor JSON'));
    expect(outcome.code).toBe(driver.codes.badData);
    expect(outcome.message).toMatch(/\w+/);
    expect(consumer.calls).toBe(0);
    await expectStillServing();
  });

  it('refuses a truncated body with a reason and keeps serving', async () => {
    await start();
    const body = driver.encode(requestWith([rawSpan(TRACE_A, SPAN_A, 'cut short')]));
    const outcome = await driver.sendRaw(body.subarray(0, body.length - 7));
    expect(outcome.code).toBe(driver.codes.badData);
    expect(outcome.message.length).toBeGreaterThan(0);
    expect(consumer.calls).toBe(0);
    await expectStillServing();
  });

  it('refuses a body over the size limit and keeps serving', async () => {
    await start();
    const big = requestWith([{ ...rawSpan(TRACE_A, SPAN_A, 'big'), attributes: [{ key: 'blob', value: { stringValue: 'x'.repeat(100 * 1024) } }] }]);
    const outcome = await driver.sendRaw(driver.encode(big));
    expect(outcome.code).toBe(driver.codes.tooLarge);
    expect(outcome.message).toMatch(/larger than|exceeds/);
    expect(consumer.calls).toBe(0);
    await expectStillServing();
  });

  it('refuses a gzip bomb: a small compressed body that inflates past the limit', async () => {
    await start();
    const bomb = requestWith([{ ...rawSpan(TRACE_A, SPAN_A, 'bomb'), attributes: [{ key: 'zeros', value: { stringValue: '0'.repeat(8 * 1024 * 1024) } }] }]);
    const body = driver.encode(bomb);
    expect(gzipSync(body).length).toBeLessThan(64 * 1024);
    const outcome = await driver.sendRaw(body, { gzip: true });
    expect(outcome.code).toBe(driver.codes.tooLarge);
    expect(consumer.calls).toBe(0);
    await expectStillServing();
  });

  it('with auth on, refuses requests without a valid key and tags spans with the key’s project', async () => {
    const events: ReceiverEvent[] = [];
    await start({ authenticate: createApiKeyAuthenticator(new Map([['key-a', 'project-a'], ['key-b', 'project-b']])), onRequest: (event) => events.push(event) });
    const body = driver.encode(requestWith([rawSpan(TRACE_A, SPAN_A, 'raw')]));
    const missing = await driver.sendRaw(body);
    expect(missing.code).toBe(driver.codes.unauthenticated);
    expect(missing.message).toMatch(/API key/);
    expect((await driver.sendRaw(body, { apiKey: 'wrong' })).code).toBe(driver.codes.unauthenticated);
    expect(consumer.calls).toBe(0);
    expect(events.map((e) => [e.failure, e.projectId])).toEqual([['unauthenticated', undefined], ['unauthenticated', undefined]]);

    const { all } = produceSpans();
    expect((await exportWith(driver.exporter({ auth: { apiKey: 'key-a', via: 'bearer' } }), all)).code).toBe(ExportResultCode.SUCCESS);
    expect((await exportWith(driver.exporter({ auth: { apiKey: 'key-b', via: 'x-api-key' } }), all)).code).toBe(ExportResultCode.SUCCESS);
    expect(consumer.batches.map((batch) => [...new Set(batch.map((s) => s.projectId))])).toEqual([['project-a'], ['project-b']]);
  });

  it('answers backpressure as retryable with a retry delay, and the retried export arrives', async () => {
    await start();
    const body = driver.encode(requestWith([rawSpan(TRACE_A, SPAN_A, 'pushed back')]));
    consumer.failures.push(new BackpressureError('spool full', 1));
    const refused = await driver.sendRaw(body);
    expect(refused.code).toBe(driver.codes.throttled);
    expect(refused.retryAfterSeconds).toBe(1);
    expect(refused.message).toMatch(/spool full/);

    consumer.failures.push(new BackpressureError('spool full', 1));
    const callsBefore = consumer.calls;
    if (driver instanceof GrpcDriver) {
      // The JS OTLP/gRPC exporter (0.301) does not retry on any gRPC status; a gRPC client with
      // the standard retry policy stands in for "a client that honours UNAVAILABLE".
      const retried = await driver.sendRetrying(body);
      expect(retried.code).toBe(driver.codes.ok);
    } else {
      const { all } = produceSpans();
      const result = await exportWith(driver.exporter(), all);
      expect(result.code, String(result.error)).toBe(ExportResultCode.SUCCESS);
    }
    expect(consumer.calls - callsBefore).toBe(2);
    expect(consumer.batches.length).toBe(1);
  });

  it('answers other pipeline failures as retryable without a delay, and permanent ones as bad data', async () => {
    await start();
    const body = driver.encode(requestWith([rawSpan(TRACE_A, SPAN_A, 'failing')]));
    consumer.failures.push(new Error('clickhouse unreachable'));
    const retryable = await driver.sendRaw(body);
    expect(retryable.code).toBe(driver.codes.unavailable);
    expect(retryable.retryAfterSeconds).toBeUndefined();
    expect(retryable.message).toMatch(/clickhouse unreachable/);

    consumer.failures.push(new PermanentError('row rejected'));
    const permanent = await driver.sendRaw(body);
    expect(permanent.code).toBe(driver.codes.badData);
    expect(permanent.message).toMatch(/row rejected/);
    await expectStillServing();
  });

  it('hands metrics and logs to the forward callback as received, with the project', async () => {
    const forwarded: { signal: string; body: string; contentType: string; projectId: string }[] = [];
    const forward: ForwardSignal = async (signal, body, contentType, projectId) => {
      forwarded.push({ signal, body: Buffer.from(body).toString('hex'), contentType, projectId });
    };
    await start({ forward });
    const metrics = Buffer.from('0a00', 'hex');
    const logs = Buffer.from('0a021200', 'hex');
    expect((await driver.sendRaw(metrics, { signal: 'metrics' })).code).toBe(driver.codes.ok);
    expect((await driver.sendRaw(logs, { signal: 'logs', gzip: true })).code).toBe(driver.codes.ok);
    expect(forwarded).toEqual([
      { signal: 'metrics', body: '0a00', contentType: driver.contentType, projectId: 'default' },
      { signal: 'logs', body: '0a021200', contentType: driver.contentType, projectId: 'default' },
    ]);
    expect(consumer.calls).toBe(0);
  });

  it('acknowledges metrics and logs without a forward target', async () => {
    await start();
    expect((await driver.sendRaw(Buffer.from('0a00', 'hex'), { signal: 'metrics' })).code).toBe(driver.codes.ok);
    expect((await driver.sendRaw(Buffer.from('0a00', 'hex'), { signal: 'logs' })).code).toBe(driver.codes.ok);
  });
});

// ---------------------------------------------------------------- HTTP only: content type, method, encoding

describe.each(drivers.filter((d): d is HttpDriver => d instanceof HttpDriver))('$name receiver, HTTP specifics', (driver) => {
  afterEach(async () => {
    await driver.stop();
  });

  it('answers an unsupported Content-Type with 415 and a reason, and keeps serving', async () => {
    const consumer = new CollectingConsumer();
    await driver.start({ consumer });
    const outcome = await driver.sendRaw(Buffer.from('<spans/>'), {}, 'text/xml');
    expect(outcome.code).toBe(415);
    expect(outcome.message).toMatch(/text\/xml.*application\/x-protobuf or application\/json/);
    const ok = await driver.sendRaw(driver.encode(requestWith([rawSpan(TRACE_A, SPAN_A, 'ok')])), {}, `${driver.contentType}; charset=utf-8`);
    expect(ok.code).toBe(200);
    expect(consumer.spans).toHaveLength(1);
  });

  it('answers in the request’s encoding: protobuf Status or JSON Status', async () => {
    await driver.start({ consumer: new CollectingConsumer() });
    const response = await fetch(`${driver.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': driver.contentType }, body: 'garbage{' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe(driver.contentType);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const status = driver.contentType === 'application/json' ? (JSON.parse(Buffer.from(bytes).toString()) as { code: number; message: string }) : decodeStatus(bytes);
    expect(status.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(status.message.length).toBeGreaterThan(0);
  });

  it('refuses a body that claims gzip but is not, and methods other than POST', async () => {
    await driver.start({ consumer: new CollectingConsumer() });
    const notGzip = await fetch(`${driver.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': driver.contentType, 'Content-Encoding': 'gzip' }, body: 'plain' });
    expect(notGzip.status).toBe(400);
    expect((await driver.outcome(notGzip)).message).toMatch(/gzip/);
    const brotli = await fetch(`${driver.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': driver.contentType, 'Content-Encoding': 'br' }, body: 'x' });
    expect(brotli.status).toBe(415);
    const get = await fetch(`${driver.url}/v1/traces`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('refuses by Content-Length before reading an oversized body', async () => {
    const consumer = new CollectingConsumer();
    await driver.start({ consumer, maxBodyBytes: 1024 });
    const outcome = await driver.sendRaw(new Uint8Array(4096));
    expect(outcome.code).toBe(400);
    expect(outcome.message).toMatch(/Content-Length 4096 exceeds the limit of 1024 bytes/);
  });
});
