// Issue 11, "durability in both modes", on the embedded engine: a collector process receiving
// OTLP/HTTP protobuf load is SIGKILLed right after its Nth 200 answer, with batches being inserted
// and spans buffered; restarted on the same data directory, it replays its write-ahead log. Every
// span of every request answered 200 must then be stored, once after de-duplication (FINAL). A
// second run without the log shows what it protects: acknowledged spans, lost.
//
// Synchronisation is explicit: the kill happens in the callback of the Nth 200, the restart waits
// for the child's exit and for its "listening" line (the replay is done before it listens), and the
// test opens the data directory itself only after the collector exited (one engine per process).
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadUntilKilled, SPANS_PER_REQUEST, startCollector, storedCounts, tempDirs } from './testing/collector-process.js';

const KILL_AFTER = 30;

describe('collector killed mid-load (embedded engine)', () => {
  it('stores every span it answered 200 for, once, after a restart on the same data directory', async () => {
    const dirs = tempDirs();
    // Batches of 256 spans are inserted while the load runs; the tail waits for a cut that comes
    // late (10 min), so the kill finds both inserts under way and spans only in memory.
    const first = startCollector(dirs, { TOKENTRACE_BATCH_MAX_SPANS: '256', TOKENTRACE_BATCH_MAX_DELAY_MS: '600000' });
    const acknowledged = await loadUntilKilled(await first.url, first.child, KILL_AFTER);
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER * SPANS_PER_REQUEST);
    expect(readdirSync(join(dirs.spool, 'wal')).length).toBeGreaterThan(0); // acknowledged, not yet known delivered

    const second = startCollector(dirs, {});
    await second.url; // listening: the log was replayed into the pipeline
    second.child.kill('SIGTERM'); // graceful: the batch drains into storage
    const [code] = await once(second.child, 'exit');
    expect(code).toBe(0);
    expect(readdirSync(join(dirs.spool, 'wal'))).toEqual([]); // all delivered: the log is empty

    const stored = await storedCounts({ dataDir: dirs.clickhouse });
    const missing = acknowledged.filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    expect(acknowledged.filter((id) => stored.get(id) !== 1)).toEqual([]);
  }, 120_000);

  it('without the write-ahead log, loses spans it answered 200 for (what the log protects)', async () => {
    const dirs = tempDirs();
    const first = startCollector(dirs, { TOKENTRACE_WAL_ENABLED: 'false', TOKENTRACE_BATCH_MAX_SPANS: '1000000', TOKENTRACE_BATCH_MAX_DELAY_MS: '600000' });
    const acknowledged = await loadUntilKilled(await first.url, first.child, KILL_AFTER);
    const stored = await storedCounts({ dataDir: dirs.clickhouse });
    expect(acknowledged.filter((id) => !stored.has(id)).length).toBe(acknowledged.length);
  }, 120_000);
});
