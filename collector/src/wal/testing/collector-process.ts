/**
 * A collector as a child process under OTLP/HTTP protobuf load with known span ids, for the
 * write-ahead log's kill tests (issue 11): start it, send until it is killed, read what is stored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createClickHouseClient, type ClickHouseConnectionConfig } from '@tokentrace/processors';
import { rawSpan, requestWith, toProtobuf } from '../../receivers/testing/otlp-bodies.js';

const main = fileURLToPath(new URL('../../../dist/cli/collector-main.js', import.meta.url));
export const SPANS_PER_REQUEST = 100;
const SENDERS = 4;

export interface Dirs {
  clickhouse: string;
  spool: string;
}

export function startCollector(dirs: Dirs, env: Record<string, string>): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '',
      TOKENTRACE_COLLECTOR_HTTP_PORT: '0',
      TOKENTRACE_COLLECTOR_GRPC_ENABLED: 'false',
      TOKENTRACE_CLICKHOUSE_DATA_DIR: dirs.clickhouse,
      TOKENTRACE_SPOOL_DIR: dirs.spool,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = (async () => {
    for await (const line of createInterface({ input: child.stdout! })) {
      const found = /OTLP\/HTTP on (http:\/\/\S+?)[,;]/.exec(line)?.[1];
      if (found) return found;
    }
    throw new Error('collector exited before listening');
  })();
  return { child, url };
}

export const spanId = (request: number, i: number) => (request * 1000 + i).toString(16).padStart(16, '0');

export function body(request: number): Uint8Array {
  const traceId = request.toString(16).padStart(32, '0');
  return toProtobuf(requestWith(Array.from({ length: SPANS_PER_REQUEST }, (_, i) => rawSpan(traceId, spanId(request, i), `r${request}-${i}`))));
}

/** Request numbers (and so span ids) stay unique across the calls of one test file. */
let nextRequest = 1;

/**
 * Sends requests from SENDERS loops until `stopAfter` requests were answered 200 (answers after
 * that are not counted); then SIGKILLs the collector, unless `kill: false`, and waits for it to
 * exit. Returns the span ids of the requests answered 200.
 */
export async function loadUntilKilled(url: string, child: ChildProcess, stopAfter: number, options: { kill?: boolean } = {}): Promise<string[]> {
  const kill = options.kill ?? true;
  const acknowledged: string[] = [];
  let stopped = false;
  const sender = async () => {
    while (!stopped) {
      const request = nextRequest++;
      let status: number;
      try {
        status = (await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: body(request) as BodyInit })).status;
      } catch {
        return; // the collector is gone: this request was never answered
      }
      if (status !== 200 || stopped) continue;
      for (let i = 0; i < SPANS_PER_REQUEST; i++) acknowledged.push(spanId(request, i));
      if (acknowledged.length >= stopAfter * SPANS_PER_REQUEST) {
        stopped = true;
        if (kill) child.kill('SIGKILL');
      }
    }
  };
  const exited = kill ? once(child, 'exit') : undefined;
  await Promise.all(Array.from({ length: SENDERS }, sender));
  if (exited) {
    const [, signal] = await exited;
    if (signal !== 'SIGKILL') throw new Error(`collector exited with ${String(signal)}, not by the kill`);
  }
  return acknowledged;
}

/**
 * Span id → rows after de-duplication. Embedded: read in this process once no collector holds the
 * directory (one engine per process); server: through its URL.
 */
export async function storedCounts(connection: Partial<ClickHouseConnectionConfig>): Promise<Map<string, number>> {
  const client = createClickHouseClient(connection);
  try {
    const rows = await (await client.query({ query: 'SELECT span_id, count() AS n FROM tokentrace.spans FINAL GROUP BY span_id', format: 'JSONEachRow' })).json<{ span_id: string; n: string }>();
    return new Map(rows.map((r) => [r.span_id, Number(r.n)]));
  } finally {
    await client.close();
  }
}

export function tempDirs(): Dirs {
  const dir = mkdtempSync(join(tmpdir(), 'tt-wal-e2e-'));
  return { clickhouse: join(dir, 'clickhouse'), spool: join(dir, 'spool') };
}

