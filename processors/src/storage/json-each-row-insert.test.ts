import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouseClient } from './clickhouse-client.js';
import { insertJsonEachRow, jsonEachRowChunks } from './json-each-row-insert.js';

describe('jsonEachRowChunks', () => {
  it('is one JSON line per row, cut into Buffers only between lines', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ id: i, text: `row ${i} "quoted" \\ é ${'x'.repeat(i % 200)}` }));
    const chunks = jsonEachRowChunks(rows.length, (i) => rows[i]);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.at(-1)).toBe(0x0a);
    const lines = Buffer.concat(chunks).toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line))).toEqual(rows);
  });

  it('is empty for no rows', () => {
    expect(jsonEachRowChunks(0, () => ({}))).toEqual([]);
  });
});

describe('insertJsonEachRow on the embedded engine', () => {
  let root: string;
  let client: ClickHouseClient;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tokentrace-json-each-row-'));
    client = createClickHouseClient({ url: '', dataDir: join(root, 'clickhouse') });
  });
  afterAll(async () => {
    await client?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('inserts every row of a body of many chunks into the named columns: maps, Nested arrays, nanosecond times, unicode', async () => {
    await client.command({
      query: `CREATE TABLE default.rows (id UInt32, t DateTime64(9, 'UTC'), m Map(LowCardinality(String), String), e Nested(name LowCardinality(String), at DateTime64(9, 'UTC')), s String DEFAULT 'unset')
        ENGINE = MergeTree ORDER BY id`,
    });
    const count = 5000;
    const row = (i: number) => ({
      id: i, t: `${1_767_225_600 + i}.${String(i).padStart(9, '0')}`, m: { k: `v${i}`, 'é"\\': 'ü\n' },
      'e.name': i % 2 ? ['a', 'b'] : [], 'e.at': i % 2 ? ['1767225600.000000001', '1767225600.000000002'] : [], text: 'x'.repeat(i % 300),
    });
    const body = jsonEachRowChunks(count, (i) => { const { text, ...r } = row(i); return { ...r, m: { ...r.m, text } }; });
    expect(body.length).toBeGreaterThan(2);
    await insertJsonEachRow(client, 'default.rows', ['id', 't', 'm', 'e.name', 'e.at'], body);
    expect(await (await client.query({ query: `SELECT count() AS n, uniqExact(id) AS ids, countIf(s = 'unset') AS defaults, sum(length(e.name)) AS events FROM default.rows`, format: 'JSONEachRow' })).json())
      .toEqual([{ n: String(count), ids: String(count), defaults: String(count), events: String(count) }]);
    expect(await (await client.query({ query: `SELECT toString(t) AS t, m, e.name AS names, arrayMap(x -> toString(x), e.at) AS at FROM default.rows WHERE id = 4321`, format: 'JSONEachRow' })).json())
      .toEqual([{ t: '2026-01-01 01:12:01.000004321', m: { k: 'v4321', 'é"\\': 'ü\n', text: 'x'.repeat(4321 % 300) }, names: ['a', 'b'], at: ['2026-01-01 00:00:00.000000001', '2026-01-01 00:00:00.000000002'] }]);
  });

  it('sends nothing for an empty body', async () => {
    await expect(insertJsonEachRow(client, 'default.no_such_table', ['id'], [])).resolves.toBeUndefined();
  });
});
