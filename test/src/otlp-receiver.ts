// A small OTLP/HTTP receiver for out-of-process tests (like opentelemetry-js-contrib's
// test-utils): a child process exports to it over HTTP and the test asserts on flattened spans
// and metric points. Accepts POST /v1/traces, /v1/metrics and /v1/logs (OTLP/HTTP spec,
// https://opentelemetry.io/docs/specs/otlp/#otlphttp), gzip or plain, and answers 200.
// OTLP/JSON is decoded fully. OTLP/protobuf bodies are recorded raw but not decoded: nothing
// installed in this repo ships decoders for the OTLP protos, so point exporters at it with
// OTEL_EXPORTER_OTLP_PROTOCOL=http/json (see env()).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { flattenMetrics, flattenTraces, type ReceivedDataPoint, type ReceivedSpan } from './otlp-json.js';

export type OtlpSignal = 'traces' | 'metrics' | 'logs';

/** One export request as received. */
export interface ReceivedExport {
  signal: OtlpSignal;
  contentType: string;
  contentEncoding: string | undefined;
  /** The body after undoing content-encoding. */
  body: Buffer;
  /** The parsed OTLP/JSON request; undefined for protobuf. */
  json: unknown;
  /** Whether spans/points were extracted (JSON yes, protobuf no). */
  decoded: boolean;
  /** The status the receiver answered with. */
  status: number;
}

export interface OtlpReceiverOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
}

type Match<T> = number | ((item: T) => boolean);

interface Waiter {
  check: () => boolean;
}

const PATHS: Record<string, OtlpSignal> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };

export class OtlpReceiver {
  /** `http://127.0.0.1:PORT`, the value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  readonly #server: Server;
  #spans: ReceivedSpan[] = [];
  #dataPoints: ReceivedDataPoint[] = [];
  #exports: ReceivedExport[] = [];
  #failures: number[] = [];
  #waiters: Waiter[] = [];

  private constructor(server: Server) {
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined;
    const server = createServer((req, res) => { if (receiver) void receiver.#handle(req, res); });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    receiver = new OtlpReceiver(server);
    return receiver;
  }

  get spans(): readonly ReceivedSpan[] {
    return this.#spans;
  }

  get dataPoints(): readonly ReceivedDataPoint[] {
    return this.#dataPoints;
  }

  get exports(): readonly ReceivedExport[] {
    return this.#exports;
  }

  /** Environment for a child process exporting here over OTLP/HTTP JSON with short export delays. */
  env(): Record<string, string> {
    return {
      OTEL_EXPORTER_OTLP_ENDPOINT: this.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
    };
  }

  /** Answers the next `times` exports with `status` (e.g. 503, 429) and drops their data. */
  failNext(status: number, times = 1): void {
    for (let i = 0; i < times; i++) this.#failures.push(status);
  }

  /**
   * With a count: resolves with all spans once at least that many arrived. With a predicate:
   * resolves with the matching spans once at least one arrived. Rejects after timeoutMs.
   */
  waitForSpans(match: Match<ReceivedSpan>, timeoutMs = 5_000): Promise<ReceivedSpan[]> {
    return this.#wait(() => this.#spans, match, timeoutMs, 'spans', (s) => s.name);
  }

  /** Same as waitForSpans, for metric data points. */
  waitForDataPoints(match: Match<ReceivedDataPoint>, timeoutMs = 5_000): Promise<ReceivedDataPoint[]> {
    return this.#wait(() => this.#dataPoints, match, timeoutMs, 'data points', (p) => p.name);
  }

  /** Forgets everything received and any pending failNext. */
  reset(): void {
    this.#spans = [];
    this.#dataPoints = [];
    this.#exports = [];
    this.#failures = [];
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #wait<T>(items: () => readonly T[], match: Match<T>, timeoutMs: number, what: string, label: (t: T) => string): Promise<T[]> {
    const found = (): T[] | undefined => {
      const all = items();
      if (typeof match === 'number') return all.length >= match ? [...all] : undefined;
      const hits = all.filter(match);
      return hits.length > 0 ? hits : undefined;
    };
    const now = found();
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          const hits = found();
          if (hits) { clearTimeout(timer); resolve(hits); }
          return hits !== undefined;
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        const want = typeof match === 'number' ? `${match}` : 'a matching one of the';
        reject(new Error(`OTLP receiver: waited ${timeoutMs} ms for ${want} ${what}; got ${items().length}: [${items().map(label).join(', ')}]`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '/').split('?')[0];
    const signal = PATHS[path];
    if (req.method !== 'POST' || signal === undefined) return reply(res, 404, 'application/json', rpcStatus(5, `no OTLP endpoint at ${req.method} ${path}`));
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const contentEncoding = req.headers['content-encoding']?.toLowerCase();
    const isJson = contentType === 'application/json';
    if (!isJson && contentType !== 'application/x-protobuf') {
      return reply(res, 415, 'application/json', rpcStatus(3, `unsupported content-type ${contentType}`));
    }
    let body: Buffer;
    let json: unknown;
    try {
      const raw = Buffer.concat(chunks);
      body = contentEncoding === 'gzip' ? gunzipSync(raw) : contentEncoding === 'deflate' ? inflateSync(raw) : raw;
      json = isJson ? JSON.parse(body.toString('utf8')) : undefined;
    } catch (error) {
      return reply(res, 400, isJson ? 'application/json' : contentType, isJson ? rpcStatus(3, String(error)) : '');
    }
    const status = this.#failures.shift() ?? 200;
    this.#exports.push({ signal, contentType, contentEncoding, body, json, decoded: isJson, status });
    if (status === 200 && isJson) {
      if (signal === 'traces') this.#spans.push(...flattenTraces(json));
      if (signal === 'metrics') this.#dataPoints.push(...flattenMetrics(json));
      this.#waiters = this.#waiters.filter((w) => !w.check());
    }
    // An empty Export*ServiceResponse: `{}` in JSON, zero bytes in protobuf.
    return status === 200
      ? reply(res, 200, contentType, isJson ? '{}' : '')
      : reply(res, status, 'application/json', rpcStatus(14, `failure scripted with failNext(${status})`));
  }
}

/** A google.rpc.Status body, which OTLP/HTTP uses for errors. */
function rpcStatus(code: number, message: string): string {
  return JSON.stringify({ code, message });
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Starts a receiver on 127.0.0.1. */
export function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  return OtlpReceiver.start(options);
}
