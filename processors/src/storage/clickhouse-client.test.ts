// Pins what createClickHouseClient gives in both ways to run the storage: the embedded engine
// (chdb) and a server (the HTTP test server on the same engine, reached over a real socket), so
// that a client, chdb or engine upgrade that breaks the combination shows up here first.
import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseHttpServer } from '@tokentrace/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouseClient, storageLocation } from './clickhouse-client.js';
import { EmbeddedEngineError, openEmbeddedEngineDir } from './embedded-engine.js';

let root: string;
let dataDir: string;
let server: ClickHouseHttpServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tokentrace-ch-client-'));
  dataDir = join(root, 'clickhouse');
  server = await ClickHouseHttpServer.start({ dataDir });
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

const modes: Array<[string, () => ClickHouseClient]> = [
  ['embedded', () => createClickHouseClient({ url: '', dataDir, maxThreads: 1 })],
  ['server', () => createClickHouseClient({ url: server.url, maxThreads: 1 })],
];

describe.each(modes)('@clickhouse/client on the %s engine', (mode, connect) => {
  it('pings, inserts JSONEachRow, reads 64-bit integers back as strings and binds query parameters', async () => {
    const client = connect();
    try {
      expect((await client.ping()).success).toBe(true);
      const table = `default.client_${mode}`;
      await client.command({ query: `CREATE TABLE ${table} (n UInt64, s String, f Nullable(Float64)) ENGINE = MergeTree ORDER BY n` });
      await client.insert({ table, values: [{ n: '18446744073709551615', s: "it's", f: null }, { n: 1, s: '\\', f: 0.5 }], format: 'JSONEachRow', columns: ['n', 's', 'f'] });
      const rows = await (await client.query({ query: `SELECT n, s, f FROM ${table} ORDER BY n`, format: 'JSONEachRow' })).json();
      expect(rows).toEqual([{ n: '1', s: '\\', f: 0.5 }, { n: '18446744073709551615', s: "it's", f: null }]);
      const tricky = "a'b\\c'); DROP TABLE x; --";
      const bound = await (await client.query({ query: `SELECT count() AS c, {s:String} AS echo FROM ${table} WHERE s = {s:String} OR n = {n:UInt64}`, query_params: { s: tricky, n: 1 }, format: 'JSONEachRow' })).json();
      expect(bound).toEqual([{ c: '1', echo: tricky }]);
      const [settings] = await (await client.query({ query: "SELECT getSetting('max_threads') AS t, version() AS v", format: 'JSONEachRow' })).json<{ t: string; v: string }>();
      expect(Number(settings.t)).toBe(1);
      // The floor the schema is written for: 25.8 LTS (the embedded engine is newer).
      const [major, minor] = settings.v.split('.').map(Number);
      expect(major * 100 + minor).toBeGreaterThanOrEqual(2508);
      // The types of schema v3, both ways: DateTime64(9) to the nanosecond, a Map, query parameters of those types.
      const typed = await (
        await client.query({
          query: `SELECT toUnixTimestamp64Nano({t:DateTime64(9, 'UTC')}) AS ns, {t:DateTime64(9, 'UTC')} AS t, {m:Map(String, String)}['k'] AS v, map('a', '1') AS m`,
          query_params: { t: '2026-01-02 03:04:05.123456789', m: { k: "it's" } },
          format: 'JSONEachRow',
        })
      ).json();
      expect(typed).toEqual([{ ns: '1767323045123456789', t: '2026-01-02 03:04:05.123456789', v: "it's", m: { a: '1' } }]);
    } finally {
      await client.close();
    }
  });
});

describe('the embedded engine', () => {
  it('is one per process: clients of its folder share it, another folder is refused while it is open', async () => {
    const first = createClickHouseClient({ url: '', dataDir });
    const second = createClickHouseClient({ url: '', dataDir });
    expect(openEmbeddedEngineDir()).toBe(dataDir);
    await first.command({ query: 'CREATE TABLE IF NOT EXISTS default.shared (n UInt8) ENGINE = MergeTree ORDER BY n' });
    await first.close();
    expect(await (await second.query({ query: 'SELECT count() AS c FROM default.shared', format: 'JSONEachRow' })).json()).toEqual([{ c: '0' }]);
    expect(() => createClickHouseClient({ url: '', dataDir: join(root, 'other') })).toThrow(EmbeddedEngineError);
    await second.close();
    expect(storageLocation({ url: '', dataDir })).toBe(`embedded ClickHouse in ${dataDir}`);
    expect(storageLocation({ url: server.url, dataDir })).toBe(server.url);
  });
});
