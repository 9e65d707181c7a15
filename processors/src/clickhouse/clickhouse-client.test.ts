// Pins what @clickhouse/client 1.23 does against the ClickHouse the test starts (Debian's 18.16 here),
// so that a client upgrade or a server change that breaks the combination shows up here first.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalClickHouse } from '../../../collector/src/clickhouse-server/local-clickhouse.js';
import { createClickHouseClient } from './clickhouse-client.js';
import { classifyClickHouseError } from './error-classifier.js';
import { sqlString } from './sql-literal.js';

let root: string;
let server: LocalClickHouse;
let version: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tokentrace-ch-client-'));
  server = await LocalClickHouse.start({ dir: join(root, 'clickhouse') });
  version = (await (await fetch(server.url, { method: 'POST', body: 'SELECT version()' })).text()).trim();
});

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

const options = { username: 'default', password: '', requestTimeoutMs: 10_000, maxOpenConnections: 2 };

describe('@clickhouse/client against this server', () => {
  it('pings, inserts JSONEachRow and reads 64-bit integers back as strings, with and without gzip', async () => {
    for (const compressRequests of [false, true]) {
      const client = createClickHouseClient({ ...options, url: server.url, compressRequests });
      expect((await client.ping()).success).toBe(true);
      const table = `default.client_${compressRequests ? 'gzip' : 'plain'}`;
      await client.command({ query: `CREATE TABLE ${table} (n UInt64, s String, f Nullable(Float64)) ENGINE = MergeTree ORDER BY n` });
      await client.insert({ table, values: [{ n: '18446744073709551615', s: "it's", f: null }, { n: 1, s: '\\', f: 0.5 }], format: 'JSONEachRow', columns: ['n', 's', 'f'] });
      const rows = await (await client.query({ query: `SELECT n, s, f FROM ${table} ORDER BY n`, format: 'JSONEachRow' })).json();
      expect(rows).toEqual([{ n: '1', s: '\\', f: 0.5 }, { n: '18446744073709551615', s: "it's", f: null }]);
      await client.close();
    }
  });

  it('keeps a session (temporary tables need one)', async () => {
    const client = createClickHouseClient({ ...options, url: server.url, compressRequests: false });
    const session_id = `tokentrace-${process.pid}`;
    await client.command({ query: 'CREATE TEMPORARY TABLE scratch (n UInt8)', session_id });
    await client.command({ query: 'INSERT INTO scratch VALUES (3)', session_id });
    expect(await (await client.query({ query: 'SELECT n FROM scratch', format: 'JSONEachRow', session_id })).json()).toEqual([{ n: 3 }]);
    await client.close();
  });

  it('inlined literals instead of query parameters, which 18.16 does not have', async () => {
    const client = createClickHouseClient({ ...options, url: server.url, compressRequests: false });
    const tricky = "a'b\\c'); DROP TABLE x; --";
    expect(await (await client.query({ query: `SELECT ${sqlString(tricky)} AS s`, format: 'JSONEachRow' })).json()).toEqual([{ s: tricky }]);
    const params = client.query({ query: 'SELECT {s:String} AS s', query_params: { s: 'x' }, format: 'JSONEachRow' }).then((r) => r.json());
    if (version.startsWith('18.')) {
      const err = await params.catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/Unknown setting param_s/);
      expect(classifyClickHouseError(err)).toMatchObject({ serverCode: 115 });
    } else {
      expect(await params).toEqual([{ s: 'x' }]);
    }
    await client.close();
  });
});
