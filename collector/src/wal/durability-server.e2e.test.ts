// Issue 11, server mode with the storage unreachable: a collector process storing in a ClickHouse
// server (the embedded engine behind ClickHouse's HTTP interface, in this test process) answers 200
// while the server is stopped — its batches retry, nothing is inserted — and is SIGKILLed. With the
// server back and the collector restarted on the same spool directory, every span answered 200 is
// stored once (FINAL).
//
// Synchronisation: the server is stopped after the first requests were answered and before the
// next are sent; the kill happens in the callback of the last 200; the restart waits for the exit.
import { once } from 'node:events';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseHttpServer } from '@tokentrace/test';
import { afterAll, describe, expect, it } from 'vitest';
import { loadUntilKilled, SPANS_PER_REQUEST, startCollector, storedCounts, tempDirs } from './testing/collector-process.js';

let server: ClickHouseHttpServer | undefined;
afterAll(async () => {
  await server?.close();
});

describe('collector killed while its ClickHouse server is unreachable', () => {
  it('stores every span it answered 200 for, once, after the server is back and the collector restarted', async () => {
    server = await ClickHouseHttpServer.start({ dataDir: join(mkdtempSync(join(tmpdir(), 'tt-wal-server-')), 'clickhouse') });
    const dirs = tempDirs();
    const env = { TOKENTRACE_CLICKHOUSE_URL: server.url, TOKENTRACE_BATCH_MAX_SPANS: '256', TOKENTRACE_BATCH_MAX_DELAY_MS: '600000' };
    const first = startCollector(dirs, env);
    const url = await first.url;

    // Some batches reach the server while it is up...
    const before = await loadUntilKilled(url, first.child, 10, { kill: false });
    await server.stop();
    // ...the rest are answered while it refuses connections (retrying, not yet spooled) when the collector is killed.
    const during = await loadUntilKilled(url, first.child, 20);
    const acknowledged = [...before, ...during];
    expect(readdirSync(join(dirs.spool, 'wal')).length).toBeGreaterThan(0);

    await server.start();
    const second = startCollector(dirs, env);
    await second.url;
    second.child.kill('SIGTERM');
    const [code] = await once(second.child, 'exit');
    expect(code).toBe(0);
    expect(readdirSync(join(dirs.spool, 'wal'))).toEqual([]);

    const stored = await storedCounts({ url: server.url });
    expect(acknowledged.length).toBe(30 * SPANS_PER_REQUEST);
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(acknowledged.filter((id) => stored.get(id) !== 1)).toEqual([]);
  }, 120_000);
});
