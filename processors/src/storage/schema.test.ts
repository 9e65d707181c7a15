// schema.ts against the real engine (embedded ClickHouse, chdb, on a folder of this test file):
// the upgrade of a database the 18.16 schema wrote, and the retention (TTL) following the config.
import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../exporter-helper/logger.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { createClickHouseClient } from './clickhouse-client.js';
import { createClickHouseExporter } from './clickhouse-exporter.js';
import { MIGRATIONS } from './migrations.js';
import { appliedVersions, ensureSchema } from './schema.js';
import { NS_PER_DAY, NS_PER_SECOND, utcMidnightNs } from './testing/span-times.js';

let root: string;
let dataDir: string;
let client: ClickHouseClient;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tokentrace-schema-'));
  dataDir = join(root, 'clickhouse');
  client = createClickHouseClient({ url: '', dataDir });
});

afterAll(async () => {
  await client?.close();
  await rm(root, { recursive: true, force: true });
});

async function rows<T = Record<string, unknown>>(query: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
}

async function tableNames(db: string): Promise<string[]> {
  return (await rows<{ name: string }>(`SELECT name FROM system.tables WHERE database = '${db}' ORDER BY name`)).map((r) => r.name);
}

/** Polls `condition` until it holds; fails after `ms`. */
async function until(condition: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every mutation of `db` (MATERIALIZE TTL after a retention change) has finished. */
async function mutationsDone(db: string): Promise<void> {
  await until(async () => (await rows<{ n: string }>(`SELECT count() AS n FROM system.mutations WHERE database = '${db}' AND is_done = 0`))[0].n === '0');
}

function span(id: number, startNs: bigint): SpanRecord {
  return {
    projectId: 'p', traceId: id.toString(16).padStart(32, '0'), spanId: id.toString(16).padStart(16, '0'), parentSpanId: '', name: `span ${id}`, kind: 1,
    startTimeUnixNano: startNs, endTimeUnixNano: startNs + 1000n, statusCode: 0, statusMessage: '',
    attributes: {}, resourceAttributes: { 'service.name': 'schema' }, scopeName: '', scopeVersion: '', events: [],
  };
}

/**
 * A database as the 18.16 schema left it, in miniature: an Ordinary database (18.16 had no
 * other), `schema_migrations` with versions 1 and 2, the old `spans` (a few of its columns, its
 * engine and keys), and a derived table filled by a materialized view, like `requests`.
 */
async function createLegacyDatabase(db: string): Promise<void> {
  await client.command({ query: `CREATE DATABASE ${db} ENGINE = Ordinary`, clickhouse_settings: { allow_deprecated_database_ordinary: 1 } });
  await client.command({ query: `CREATE TABLE ${db}.schema_migrations (version UInt32, name String, applied_at DateTime) ENGINE = MergeTree() ORDER BY version` });
  await client.command({ query: `INSERT INTO ${db}.schema_migrations VALUES (1, 'spans and their time indexes', 1546300800), (2, 'requests and rollups', 1546300900)` });
  await client.command({
    query: `CREATE TABLE ${db}.spans (project_id String, date Date, start_time DateTime, start_time_ns UInt64, trace_id String, span_id String,
      name String, is_model_call UInt8, attributes String, version UInt64)
      ENGINE = ReplacingMergeTree(version) PARTITION BY toYYYYMM(date) ORDER BY (project_id, date, trace_id, span_id)`,
  });
  await client.command({ query: `CREATE TABLE ${db}.requests (project_id String, date Date, span_id String, name String, version UInt64) ENGINE = ReplacingMergeTree(version) PARTITION BY date ORDER BY (project_id, date, span_id)` });
  await client.command({ query: `CREATE MATERIALIZED VIEW ${db}.requests_mv TO ${db}.requests AS SELECT project_id, date, span_id, name, version FROM ${db}.spans WHERE is_model_call = 1` });
  await client.command({ query: `CREATE TABLE ${db}.trace_index (project_id String, trace_id String, first_start AggregateFunction(min, DateTime)) ENGINE = AggregatingMergeTree() ORDER BY (project_id, trace_id)` });
  await client.command({ query: `CREATE MATERIALIZED VIEW ${db}.trace_index_mv TO ${db}.trace_index AS SELECT project_id, trace_id, minState(start_time) AS first_start FROM ${db}.spans GROUP BY project_id, trace_id` });
  await client.command({
    query: `INSERT INTO ${db}.spans VALUES
      ('p', '2019-03-01', '2019-03-01 10:00:00', 1551434400000000001, 't1', 's1', 'chat gpt-4', 1, '{"gen_ai.request.model":"gpt-4"}', 1),
      ('p', '2019-03-01', '2019-03-01 10:00:01', 1551434401000000002, 't1', 's2', 'GET /', 0, '{}', 1),
      ('q', '2019-04-02', '2019-04-02 08:30:00', 1554193800000000003, 't2', 's3', 'embed', 1, '{}', 1)`,
  });
}

const LEGACY_ROWS = [
  { project_id: 'p', date: '2019-03-01', start_time: '2019-03-01 10:00:00', start_time_ns: '1551434400000000001', trace_id: 't1', span_id: 's1', name: 'chat gpt-4', is_model_call: 1, attributes: '{"gen_ai.request.model":"gpt-4"}', version: '1' },
  { project_id: 'p', date: '2019-03-01', start_time: '2019-03-01 10:00:01', start_time_ns: '1551434401000000002', trace_id: 't1', span_id: 's2', name: 'GET /', is_model_call: 0, attributes: '{}', version: '1' },
  { project_id: 'q', date: '2019-04-02', start_time: '2019-04-02 08:30:00', start_time_ns: '1554193800000000003', trace_id: 't2', span_id: 's3', name: 'embed', is_model_call: 1, attributes: '{}', version: '1' },
];

const V3_SORTING_KEY = 'project_id, is_model_call, toStartOfHour(start_time), trace_id, span_id';

async function expectUpgraded(db: string): Promise<void> {
  expect(await appliedVersions(client, db)).toEqual([1, 2, 3, 4, 7, 8, 9]);
  expect(await tableNames(db)).toEqual(['alert_events', 'alert_rules', 'dirty_hours', 'dirty_hours_mv', 'otel_traces', 'schema_migrations', 'spans', 'spans_v2_legacy', 'usage_rollup', 'usage_rollup_builds']);
  // The old spans, rows intact, under their new name; not migrated, not fed by anything any more.
  expect(await rows(`SELECT * FROM ${db}.spans_v2_legacy ORDER BY span_id`)).toEqual(LEGACY_ROWS);
  const [legacy, v3] = await rows<{ name: string; sorting_key: string; partition_key: string }>(
    `SELECT name, sorting_key, partition_key FROM system.tables WHERE database = '${db}' AND name IN ('spans_v2_legacy', 'spans') ORDER BY name DESC`,
  );
  expect(legacy).toEqual({ name: 'spans_v2_legacy', sorting_key: 'project_id, date, trace_id, span_id', partition_key: 'toYYYYMM(date)' });
  expect(v3).toEqual({ name: 'spans', sorting_key: V3_SORTING_KEY, partition_key: 'toDate(start_time)' });

  // The v3 spans takes the exporter's inserts.
  const exporter = createClickHouseExporter({ url: '', dataDir, database: db }, { logger: silentLogger });
  await exporter.start();
  const recent = utcMidnightNs(1);
  await exporter.consume([span(1, recent), span(2, recent + NS_PER_SECOND)]);
  await exporter.shutdown();
  expect(await rows(`SELECT span_id, service_name FROM ${db}.spans FINAL ORDER BY span_id`)).toEqual([
    { span_id: '0000000000000001', service_name: 'schema' },
    { span_id: '0000000000000002', service_name: 'schema' },
  ]);
  expect(await rows(`SELECT count() AS n FROM ${db}.spans_v2_legacy`)).toEqual([{ n: '3' }]);
  // Running the schema again changes nothing.
  expect(await ensureSchema(client, db)).toEqual({ applied: [], version: 9 });
  expect(await tableNames(db)).toEqual(['alert_events', 'alert_rules', 'dirty_hours', 'dirty_hours_mv', 'otel_traces', 'schema_migrations', 'spans', 'spans_v2_legacy', 'usage_rollup', 'usage_rollup_builds']);
}

describe('a database written by the 18.16 schema (versions 1 and 2)', () => {
  it('is upgraded to v3: old views and derived tables dropped, old spans kept as spans_v2_legacy with its rows, v3 spans created', async () => {
    await createLegacyDatabase('tt_legacy');
    expect(await rows(`SELECT count() AS n FROM tt_legacy.requests`)).toEqual([{ n: '2' }]); // the old view did feed it
    expect(await ensureSchema(client, 'tt_legacy')).toEqual({ applied: [3, 4, 7, 8, 9], version: 9 });
    await expectUpgraded('tt_legacy');
  });

  it('is upgraded when a first upgrade stopped half-way: after the rename, or after v3 spans was created', async () => {
    // Stopped right after renaming the old spans (the collector was killed there): `spans` does not exist.
    await createLegacyDatabase('tt_legacy_renamed');
    await client.command({ query: 'RENAME TABLE tt_legacy_renamed.spans TO tt_legacy_renamed.spans_v2_legacy' });
    expect(await ensureSchema(client, 'tt_legacy_renamed')).toEqual({ applied: [3, 4, 7, 8, 9], version: 9 });
    await expectUpgraded('tt_legacy_renamed');

    // Stopped after v3's spans was created, before version 3 was recorded: `spans` is v3's already.
    await createLegacyDatabase('tt_legacy_created');
    await client.command({ query: 'RENAME TABLE tt_legacy_created.spans TO tt_legacy_created.spans_v2_legacy' });
    await client.command({ query: MIGRATIONS[0].statements('`tt_legacy_created`')[0] });
    expect(await ensureSchema(client, 'tt_legacy_created')).toEqual({ applied: [3, 4, 7, 8, 9], version: 9 });
    await expectUpgraded('tt_legacy_created');
  });
});

describe('migration 4 (spans.resend_count) on a database at v3', () => {
  it('adds the column where a new database has it; the rows stored before read 0, new rows their resend count', async () => {
    const db = 'tt_v3';
    expect(await ensureSchema(client, db, MIGRATIONS.filter((m) => m.version === 3))).toEqual({ applied: [3], version: 3 });
    const recent = utcMidnightNs(1);
    // A row as a v3 collector wrote it (its INSERT names no resend_count).
    await client.command({
      query: `INSERT INTO ${db}.spans (project_id, start_time, trace_id, span_id, name, is_model_call, error_type, version)
        VALUES ('p', fromUnixTimestamp64Nano(${recent.toString()}), 't-old', 's-old', 'chat before', 1, '429', 1)`,
    });
    expect(await ensureSchema(client, db)).toEqual({ applied: [4, 7, 8, 9], version: 9 });
    expect(await appliedVersions(client, db)).toEqual([3, 4, 7, 8, 9]);
    const columns = (d: string) => rows(`SELECT name, type FROM system.columns WHERE database = '${d}' AND table = 'spans' ORDER BY position`);
    await ensureSchema(client, 'tt_v4_new');
    expect(await columns(db)).toEqual(await columns('tt_v4_new')); // same columns, same order, as a database created at v4

    const exporter = createClickHouseExporter({ url: '', dataDir, database: db }, { logger: silentLogger });
    await exporter.start();
    const retry = span(7, recent + NS_PER_SECOND);
    retry.genAi = { isModelCall: true, properties: {}, resendCount: 2 };
    await exporter.consume([retry]);
    await exporter.shutdown();
    expect(await rows(`SELECT span_id, resend_count FROM ${db}.spans FINAL ORDER BY span_id`)).toEqual([
      { span_id: '0000000000000007', resend_count: 2 },
      { span_id: 's-old', resend_count: 0 },
    ]);
    expect(await ensureSchema(client, db)).toEqual({ applied: [], version: 9 });
  });
});

describe('retention (retentionDays, the table TTL)', () => {
  const ttlOf = async (db: string, table = 'spans') => {
    const [row] = await rows<{ engine_full: string }>(`SELECT engine_full FROM system.tables WHERE database = '${db}' AND name = '${table}'`);
    return /\bTTL (.*?)(?: SETTINGS|$)/.exec(row.engine_full)?.[1] ?? 'none';
  };

  it('follows the configuration each time the schema is ensured: 400 by default, then 30, 0 (no TTL), and back', async () => {
    await ensureSchema(client, 'tt_ttl');
    expect(await ttlOf('tt_ttl')).toBe('toDateTime(start_time) + toIntervalDay(400)');
    expect(await ensureSchema(client, 'tt_ttl', undefined, undefined, { retentionDays: 30 })).toEqual({ applied: [], version: 9 });
    expect(await ttlOf('tt_ttl')).toBe('toDateTime(start_time) + toIntervalDay(30)');
    expect(await ttlOf('tt_ttl', 'usage_rollup')).toBe('toDateTime(start) + toIntervalDay(31)'); // the rollup keeps a day more
    expect(await ttlOf('tt_ttl', 'dirty_hours')).toBe('toDateTime(hour) + toIntervalDay(31)');
    await ensureSchema(client, 'tt_ttl', undefined, undefined, { retentionDays: 0 });
    expect(await ttlOf('tt_ttl')).toBe('none');
    expect(await ttlOf('tt_ttl', 'usage_rollup_builds')).toBe('none');
    await ensureSchema(client, 'tt_ttl', undefined, undefined, { retentionDays: 400 });
    expect(await ttlOf('tt_ttl')).toBe('toDateTime(start_time) + toIntervalDay(400)');
    // The exporter passes its config's retentionDays.
    const exporter = createClickHouseExporter({ url: '', dataDir, database: 'tt_ttl', retentionDays: 7 }, { logger: silentLogger });
    await exporter.start();
    await exporter.shutdown();
    expect(await ttlOf('tt_ttl')).toBe('toDateTime(start_time) + toIntervalDay(7)');
    await mutationsDone('tt_ttl');
  });

  it('drops a span older than the retention at the next merge and keeps a recent one, also for spans stored before the retention was shortened', async () => {
    const db = 'tt_ttl_drop';
    const old = span(1, utcMidnightNs(100) + 3600n * NS_PER_SECOND); // 100 days old: kept by 400 days, not by 30
    const recent = span(2, utcMidnightNs(1) + 3600n * NS_PER_SECOND);
    const exporter = createClickHouseExporter({ url: '', dataDir, database: db }, { logger: silentLogger }); // 400 days
    await exporter.start();
    await exporter.consume([old, recent]);
    await exporter.shutdown();
    await client.command({ query: `OPTIMIZE TABLE ${db}.spans FINAL` });
    expect(await rows(`SELECT span_id FROM ${db}.spans ORDER BY span_id`)).toEqual([{ span_id: old.spanId }, { span_id: recent.spanId }]);

    // Shortened to 30 days: the parts stored with 400 get the new TTL too (MATERIALIZE TTL, recalculated only).
    await ensureSchema(client, db, undefined, undefined, { retentionDays: 30 });
    await mutationsDone(db);
    await client.command({ query: `OPTIMIZE TABLE ${db}.spans FINAL` });
    expect(await rows(`SELECT span_id FROM ${db}.spans ORDER BY span_id`)).toEqual([{ span_id: recent.spanId }]);

    // A span inserted older than the retention goes at the next merge too.
    const writer = createClickHouseExporter({ url: '', dataDir, database: db, retentionDays: 30 }, { logger: silentLogger });
    await writer.consume([span(3, utcMidnightNs(45))]);
    await writer.shutdown();
    await client.command({ query: `OPTIMIZE TABLE ${db}.spans FINAL` });
    expect(await rows(`SELECT span_id FROM ${db}.spans ORDER BY span_id`)).toEqual([{ span_id: recent.spanId }]);
  });

  it('keeps what a longer retention covers: the stored parts get the later expiry, and 0 keeps any age', async () => {
    const db = 'tt_ttl_longer';
    const startNs = utcMidnightNs(20) + 7200n * NS_PER_SECOND; // 20 days old: 10 days left under 30
    const writer = createClickHouseExporter({ url: '', dataDir, database: db, retentionDays: 30 }, { logger: silentLogger });
    await writer.consume([span(1, startNs)]);
    await writer.shutdown();
    const expiry = async () =>
      (await rows<{ ttl: string }>(`SELECT toString(max(delete_ttl_info_max), 'UTC') AS ttl FROM system.parts WHERE database = '${db}' AND table = 'spans' AND active AND rows > 0`))[0].ttl;
    const after = (days: bigint) => new Date(Number((startNs + days * NS_PER_DAY) / 1_000_000n)).toISOString().slice(0, 19).replace('T', ' ');
    expect(await expiry()).toBe(after(30n));

    await ensureSchema(client, db, undefined, undefined, { retentionDays: 400 });
    await mutationsDone(db);
    expect(await expiry()).toBe(after(400n)); // with the TTL the part was written with, the day would go in 10 days

    await ensureSchema(client, db, undefined, undefined, { retentionDays: 0 });
    const keeper = createClickHouseExporter({ url: '', dataDir, database: db, retentionDays: 0 }, { logger: silentLogger });
    await keeper.consume([span(2, utcMidnightNs(1000))]);
    await keeper.shutdown();
    await client.command({ query: `OPTIMIZE TABLE ${db}.spans FINAL` });
    expect(await rows(`SELECT span_id FROM ${db}.spans ORDER BY span_id`)).toEqual([{ span_id: '0000000000000001' }, { span_id: '0000000000000002' }]);
  });
});
