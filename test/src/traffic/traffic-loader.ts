/**
 * Loads generated traffic into tokentrace, two ways:
 * - into a ClickHouse database (the embedded engine or a server) the way the collector's exporter
 *   writes: the exporter's row mapping and encoding (spanBatchBody) and its INSERT
 *   (insertSpanBatch), a few batches in flight: fast, for tests and benchmarks;
 * - to a running collector as OTLP/JSON (`POST <url>/v1/traces`), which normalizes, prices and
 *   stores the spans itself: for the demo.
 */
import { encodeOtlpJson, insertSpanBatch, schemaTables, spanBatchBody, spanInsertFormat, type createClickHouseClient } from '@tokentrace/processors';
import type { TrafficGenerator } from './traffic-generator.js';

type ClickHouseClient = ReturnType<typeof createClickHouseClient>;

export type TrafficTarget =
  | { client: ClickHouseClient; database: string }
  | { url: string; headers?: Record<string, string> };

export interface LoadTrafficOptions {
  /** Spans per insert or per OTLP request; default 20 000 (ClickHouse), 2 000 (OTLP). */
  batchSpans?: number;
  /** Inserts or requests in flight; default 2. */
  concurrency?: number;
  /** Called after each batch with the spans loaded so far. */
  progress?: (spans: number) => void;
}

export interface LoadTrafficResult {
  spans: number;
  requests: number;
  seconds: number;
}

export async function loadTraffic(target: TrafficTarget, traffic: TrafficGenerator, options: LoadTrafficOptions = {}): Promise<LoadTrafficResult> {
  const started = performance.now();
  const toClickHouse = 'client' in target;
  const batchSpans = options.batchSpans ?? (toClickHouse ? 20_000 : 2_000);
  const send = toClickHouse
    ? ((table: string) => (records: Parameters<typeof spanBatchBody>[0]) => insertSpanBatch(target.client, table, spanBatchBody(records, Date.now() * 1000, spanInsertFormat(target.client))))(schemaTables(target.database).spans)
    : (records: Parameters<typeof spanBatchBody>[0]) => postOtlp(target.url, target.headers ?? {}, encodeOtlpJson(records));
  const inFlight = new Set<Promise<void>>();
  let spans = 0;
  while (!traffic.done) {
    const records = traffic.records(batchSpans);
    while (inFlight.size >= (options.concurrency ?? 2)) await Promise.race(inFlight);
    const p: Promise<void> = send(records).finally(() => inFlight.delete(p));
    inFlight.add(p);
    spans += records.length;
    options.progress?.(spans);
    // Let timers run between batches (keep-alive sockets expire on a timer).
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(inFlight);
  return { spans, requests: traffic.requests, seconds: (performance.now() - started) / 1000 };
}

async function postOtlp(url: string, headers: Record<string, string>, body: unknown): Promise<void> {
  const response = await fetch(new URL('/v1/traces', url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`OTLP export to ${url} failed: HTTP ${response.status} ${await response.text()}`);
}
