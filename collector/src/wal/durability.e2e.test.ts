// Issue 11, "durability in both modes", on the embedded engine: a collector process receiving
// OTLP/HTTP protobuf load is SIGKILLed right after its Nth 200 answer, with batches being inserted
// and spans buffered; restarted on the same data directory, it replays its write-ahead log. Every
// span of every request answered 200 must then be stored, once after de-duplication (FINAL). A
// second run without the log shows what it protects: acknowledged spans, lost.
//
// Synchronisation is explicit: the kill happens in the callback of the Nth 200, the restart waits
// for the child's exit and for its "listening" line (the replay is done before it listens), and the
// test opens the data directory itself only after the collector exited (one engine per process).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createClickHouseClient } from '@tokentrace/processors';
import { describe, expect, it } from 'vitest';
import { rawSpan, requestWith, toProtobuf } from '../receivers/testing/otlp-bodies.js';

const main = fileURLToPath(new URL('../../dist/cli/collector-main.js', import.meta.url));
const SPANS_PER_REQUEST = 100;
const SENDERS = 4;
const KILL_AFTER = 30;

interface Dirs {
  clickhouse: string;
  spool: string;
}

function startCollector(dirs: Dirs, env: Record<string, string>): { child: ChildProcess; url: Promise<string> } {
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

const spanId = (request: number, i: number) => (request * 1000 + i).toString(16).padStart(16, '0');

function body(request: number): Uint8Array {
  const traceId = request.toString(16).padStart(32, '0');
  return toProtobuf(requestWith(Array.from({ length: SPANS_PER_REQUEST }, (_, i) => rawSpan(traceId, spanId(request, i), `r${request}-${i}`))));
}

/** Sends requests from SENDERS loops until the collector is killed after KILL_AFTER answers of 200; returns the answered span ids. */
async function loadUntilKilled(url: string, child: ChildProcess): Promise<string[]> {
  const acknowledged: string[] = [];
  let next = 1;
  let killed = false;
  const sender = async () => {
    while (!killed) {
      const request = next++;
      let status: number;
      try {
        status = (await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: body(request) })).status;
      } catch {
        return; // the collector is gone: this request was never answered
      }
      if (status !== 200 || killed) continue;
      for (let i = 0; i < SPANS_PER_REQUEST; i++) acknowledged.push(spanId(request, i));
      if (acknowledged.length >= KILL_AFTER * SPANS_PER_REQUEST) {
        killed = true;
        child.kill('SIGKILL');
      }
    }
  };
  const exited = once(child, 'exit');
  await Promise.all(Array.from({ length: SENDERS }, sender));
  const [, signal] = await exited;
  expect(signal).toBe('SIGKILL');
  return acknowledged;
}

/** Span id → rows after de-duplication, read in this process once no collector holds the directory. */
async function storedCounts(dataDir: string): Promise<Map<string, number>> {
  const client = createClickHouseClient({ dataDir });
  try {
    const rows = await (await client.query({ query: 'SELECT span_id, count() AS n FROM tokentrace.spans FINAL GROUP BY span_id', format: 'JSONEachRow' })).json<{ span_id: string; n: string }>();
    return new Map(rows.map((r) => [r.span_id, Number(r.n)]));
  } finally {
    await client.close();
  }
}

function tempDirs(): Dirs {
  const dir = mkdtempSync(join(tmpdir(), 'tt-wal-e2e-'));
  return { clickhouse: join(dir, 'clickhouse'), spool: join(dir, 'spool') };
}

describe('collector killed mid-load (embedded engine)', () => {
  it('stores every span it answered 200 for, once, after a restart on the same data directory', async () => {
    const dirs = tempDirs();
    // Batches of 256 spans are inserted while the load runs; the tail waits for a cut that comes
    // late (10 min), so the kill finds both inserts under way and spans only in memory.
    const first = startCollector(dirs, { TOKENTRACE_BATCH_MAX_SPANS: '256', TOKENTRACE_BATCH_MAX_DELAY_MS: '600000' });
    const acknowledged = await loadUntilKilled(await first.url, first.child);
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER * SPANS_PER_REQUEST);
    expect(readdirSync(join(dirs.spool, 'wal')).length).toBeGreaterThan(0); // acknowledged, not yet known delivered

    const second = startCollector(dirs, {});
    await second.url; // listening: the log was replayed into the pipeline
    second.child.kill('SIGTERM'); // graceful: the batch drains into storage
    const [code] = await once(second.child, 'exit');
    expect(code).toBe(0);
    expect(readdirSync(join(dirs.spool, 'wal'))).toEqual([]); // all delivered: the log is empty

    const stored = await storedCounts(dirs.clickhouse);
    const missing = acknowledged.filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    expect(acknowledged.filter((id) => stored.get(id) !== 1)).toEqual([]);
  }, 120_000);

  it('without the write-ahead log, loses spans it answered 200 for (what the log protects)', async () => {
    const dirs = tempDirs();
    const first = startCollector(dirs, { TOKENTRACE_WAL_ENABLED: 'false', TOKENTRACE_BATCH_MAX_SPANS: '1000000', TOKENTRACE_BATCH_MAX_DELAY_MS: '600000' });
    const acknowledged = await loadUntilKilled(await first.url, first.child);
    const stored = await storedCounts(dirs.clickhouse);
    expect(acknowledged.filter((id) => !stored.has(id)).length).toBe(acknowledged.length);
  }, 120_000);
});
