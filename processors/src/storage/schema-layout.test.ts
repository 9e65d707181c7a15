// The DDL each layout renders from the one list of migrations, as text (no server). The per-node
// cluster layout also runs for real on the embedded engine in cluster-schema.test.ts; replicated
// and ON CLUSTER DDL need ZooKeeper / Keeper, which the tests do not have, so they are checked here.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION_DAYS, MIGRATIONS, type SchemaOptions } from './migrations.js';
import { clusterLayout, singleNodeLayout, type SchemaLayout } from './schema-layout.js';
import { SPAN_TABLE_COLUMNS } from './span-table.js';

const DB = '`tokentrace`';
const all = (layout?: SchemaLayout, options?: SchemaOptions) => MIGRATIONS.flatMap((m) => m.statements(DB, layout, options));
const statements1 = () => all();
const created = (statements: string[]) => statements.map((s) => /^CREATE (?:TABLE|VIEW|MATERIALIZED VIEW) IF NOT EXISTS `tokentrace`\.(\w+)/.exec(s)?.[1] ?? s.split('\n')[0]);
const statementOf = (statements: string[], table: string) => statements.find((s) => s.split('\n')[0].includes(`\`tokentrace\`.${table} `) || s.split('\n')[0].endsWith(`\`tokentrace\`.${table}`))!;

/** The lines between a CREATE TABLE's parentheses. */
const columnLines = (statement: string) => statement.slice(statement.indexOf('(\n') + 2, statement.lastIndexOf('\n)\nENGINE')).split(',\n');

/** The columns schema v3's CREATE TABLE declares. */
const V3_COLUMNS = SPAN_TABLE_COLUMNS.filter((c) => c.since === undefined);

const KEYS = `PARTITION BY toDate(start_time)
ORDER BY (project_id, is_model_call, toStartOfHour(start_time), trace_id, span_id)
TTL toDateTime(start_time) + INTERVAL 400 DAY
SETTINGS min_age_to_force_merge_seconds = 600, min_age_to_force_merge_on_partition_only = 1, ttl_only_drop_parts = 1, materialize_ttl_recalculate_only = 1`;

describe('migrations', () => {
  it('are schema v3 and the columns added since: versions 3 and 4, 7 (the alert tables), 8, 9 (the usage rollup); one materialized view, one copy of hours', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual([3, 4, 7, 8, 9]);
    expect(DEFAULT_RETENTION_DAYS).toBe(400);
    for (const layout of [undefined, clusterLayout({ cluster: 'c', database: 'tokentrace', replicated: true, onCluster: true })]) {
      const before9 = MIGRATIONS.filter((m) => m.version < 9).flatMap((m) => m.statements(DB, layout)).join('\n');
      expect(before9).not.toMatch(/MATERIALIZED VIEW|INSERT INTO|requests|trace_index|session_index|rollup/);
      const v9 = MIGRATIONS.find((m) => m.version === 9)!.statements(DB, layout);
      expect(v9.filter((s) => s.includes('MATERIALIZED VIEW'))).toHaveLength(1);
      // Hours stored before the upgrade are marked changed, so the builder builds them.
      expect(v9.at(-1)).toMatch(/^INSERT INTO `tokentrace`\.dirty_hours \(project_id, hour, changed_at\)\nSELECT project_id, toStartOfHour\(start_time\) AS hour, now64\(6, 'UTC'\) FROM `tokentrace`\.spans GROUP BY project_id, hour$/);
    }
  });
});

describe('single-node layout', () => {
  const statements = all();

  it('is the default and creates the tables under their own names, with no cluster in sight', () => {
    expect(statements).toEqual(all(singleNodeLayout(), { retentionDays: DEFAULT_RETENTION_DAYS }));
    expect(created(statements)).toEqual(['spans', 'otel_traces', 'ALTER TABLE `tokentrace`.spans', 'alert_rules', 'alert_events', 'ALTER TABLE `tokentrace`.spans', 'dirty_hours', 'dirty_hours_mv', 'usage_rollup', 'usage_rollup_builds', 'INSERT INTO `tokentrace`.dirty_hours (project_id, hour, changed_at)']);
    expect(statements.join('\n')).not.toMatch(/_local|Distributed|ON CLUSTER|Replicated/);
    expect(singleNodeLayout().createDatabase(DB)).toBe('CREATE DATABASE IF NOT EXISTS `tokentrace`');
    expect(singleNodeLayout().migrationsTable(DB)).toMatch(/^CREATE TABLE IF NOT EXISTS `tokentrace`\.schema_migrations\n\([\s\S]*\)\nENGINE = MergeTree\(\)\nORDER BY version$/);
  });

  it('declares spans with every column of span-table.ts, its skip indexes, and the engine, keys, TTL and settings of v3', () => {
    const spans = statementOf(statements, 'spans');
    expect(spans.startsWith('CREATE TABLE IF NOT EXISTS `tokentrace`.spans\n(\n')).toBe(true);
    expect(spans.endsWith(`)\nENGINE = ReplacingMergeTree(version)\n${KEYS}`)).toBe(true);
    for (const line of [
      "    start_time DateTime64(9, 'UTC') CODEC(Delta(8), ZSTD(1))",
      '    start_time_ns UInt64 ALIAS toUnixTimestamp64Nano(start_time)',
      '    date Date ALIAS toDate(start_time)',
      "    model LowCardinality(String) MATERIALIZED if(response_model != '', response_model, request_model)",
      '    project_id LowCardinality(String)',
      '    trace_id String CODEC(ZSTD(1))',
      '    attributes Map(LowCardinality(String), String) CODEC(ZSTD(1))',
      "    events Nested(time DateTime64(9, 'UTC'), name LowCardinality(String), attributes Map(LowCardinality(String), String))",
      '    INDEX trace_id_bloom trace_id TYPE bloom_filter(0.001) GRANULARITY 1',
      '    INDEX session_id_bloom session_id TYPE bloom_filter(0.01) GRANULARITY 1',
      '    INDEX user_id_bloom user_id TYPE bloom_filter(0.01) GRANULARITY 1',
    ]) {
      expect(spans.split(/,?\n/)).toContain(line);
    }
    for (const column of V3_COLUMNS.filter((c) => !c.name.startsWith('events.'))) expect(spans).toMatch(new RegExp(`\\n    ${column.name} `));
    expect(spans).not.toContain('resend_count'); // a released migration never changes: v4 adds it
    expect(spans).not.toContain('cost_saved_usd'); // v8 adds it
  });

  it('adds the columns of migrations 4 and 8 after the column declared before each, idempotently', () => {
    expect(statements.filter((s) => s.startsWith('ALTER TABLE'))).toEqual([
      'ALTER TABLE `tokentrace`.spans\n    ADD COLUMN IF NOT EXISTS resend_count UInt16 AFTER error_type',
      'ALTER TABLE `tokentrace`.spans\n    ADD COLUMN IF NOT EXISTS cost_saved_usd Nullable(Float64) AFTER cost_total_usd',
    ]);
    expect(SPAN_TABLE_COLUMNS.filter((c) => c.since !== undefined).map((c) => [c.name, c.since])).toEqual([['cost_saved_usd', 8], ['resend_count', 4]]);
  });

  it('takes the retention from the options: another number of days, or no TTL for 0', () => {
    expect(statementOf(all(undefined, { retentionDays: 30 }), 'spans')).toContain('\nTTL toDateTime(start_time) + INTERVAL 30 DAY\nSETTINGS ');
    const forever = statementOf(all(undefined, { retentionDays: 0 }), 'spans');
    expect(forever).not.toContain('TTL');
    expect(forever).toContain('ORDER BY (project_id, is_model_call, toStartOfHour(start_time), trace_id, span_id)\nSETTINGS min_age_to_force_merge_seconds = 600');
  });

  it('reads the spans with FINAL in the otel_traces view', () => {
    const view = statementOf(statements, 'otel_traces');
    expect(view).toMatch(/^CREATE VIEW IF NOT EXISTS `tokentrace`\.otel_traces\nAS SELECT\n/);
    expect(view).toMatch(/\nFROM `tokentrace`\.spans FINAL$/);
  });
});

describe('cluster layout', () => {
  const perNode = all(clusterLayout({ cluster: 'loop', database: 'tokentrace', replicated: false, onCluster: false }));
  const replicated = all(clusterLayout({ cluster: 'tokentrace', database: 'tokentrace', replicated: true, onCluster: true }));

  it('puts the rows in spans_local on each shard, behind a Distributed spans that shards by cityHash64(trace_id)', () => {
    expect(created(perNode)).toEqual(['spans_local', 'spans', 'otel_traces', 'ALTER TABLE `tokentrace`.spans_local', 'ALTER TABLE `tokentrace`.spans', 'alert_rules_local', 'alert_rules', 'alert_events_local', 'alert_events', 'ALTER TABLE `tokentrace`.spans_local', 'ALTER TABLE `tokentrace`.spans', 'dirty_hours_local', 'dirty_hours', 'dirty_hours_mv_local', 'usage_rollup_local', 'usage_rollup', 'usage_rollup_builds_local', 'usage_rollup_builds', 'INSERT INTO `tokentrace`.dirty_hours_local (project_id, hour, changed_at)']);
    const local = statementOf(perNode, 'spans_local');
    expect(local.endsWith(`)\nENGINE = ReplacingMergeTree(version)\n${KEYS}`)).toBe(true);
    expect(local).toContain('INDEX trace_id_bloom trace_id TYPE bloom_filter(0.001) GRANULARITY 1');
    // A trace, and every version of its spans, on one shard: FINAL and merges de-duplicate within a shard only.
    const distributed = statementOf(perNode, 'spans');
    expect(distributed.endsWith(")\nENGINE = Distributed('loop', 'tokentrace', 'spans_local', cityHash64(trace_id))")).toBe(true);
    // The same columns (computed ones included), but no skip index: the engine refuses them on a Distributed table.
    expect(distributed).not.toContain('INDEX ');
    expect(columnLines(distributed)).toEqual(columnLines(local).filter((line) => !line.startsWith('    INDEX ')));
    expect(columnLines(distributed)).toHaveLength(V3_COLUMNS.length - 2); // the three events.* columns are one Nested line
    // A column added later goes to both: the Distributed table has its own column list.
    expect(perNode.filter((s) => s.startsWith('ALTER TABLE')).slice(0, 2)).toEqual([
      'ALTER TABLE `tokentrace`.spans_local\n    ADD COLUMN IF NOT EXISTS resend_count UInt16 AFTER error_type',
      'ALTER TABLE `tokentrace`.spans\n    ADD COLUMN IF NOT EXISTS resend_count UInt16 AFTER error_type',
    ]);
    expect(distributed).not.toMatch(/TTL|SETTINGS|PARTITION BY/);
    expect(perNode.join('\n')).not.toMatch(/ON CLUSTER|Replicated/);
    // Views read the Distributed table, so each shard runs FINAL on its own rows.
    expect(statementOf(perNode, 'otel_traces')).toMatch(/\nFROM `tokentrace`\.spans FINAL$/);
  });

  it('replicates with a ZooKeeper path per shard and table, and sends every statement ON CLUSTER, the otel_traces view included', () => {
    const alters = ["ALTER TABLE `tokentrace`.spans_local ON CLUSTER 'tokentrace'", "ALTER TABLE `tokentrace`.spans ON CLUSTER 'tokentrace'"];
    expect(created(replicated)).toEqual(['spans_local', 'spans', 'otel_traces', ...alters, 'alert_rules_local', 'alert_rules', 'alert_events_local', 'alert_events', ...alters, 'dirty_hours_local', 'dirty_hours', 'dirty_hours_mv_local', 'usage_rollup_local', 'usage_rollup', 'usage_rollup_builds_local', 'usage_rollup_builds', 'INSERT INTO `tokentrace`.dirty_hours (project_id, hour, changed_at)']);
    expect(statementOf(replicated, 'spans_local')).toContain(
      `ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/tokentrace/spans_local', '{replica}', version)\n${KEYS}`,
    );
    expect(statementOf(replicated, 'spans')).toContain("ENGINE = Distributed('tokentrace', 'tokentrace', 'spans_local', cityHash64(trace_id))");
    // Every DDL statement; the one INSERT (migration 9's hours) goes through the Distributed tables, once.
    for (const statement of replicated.filter((s) => !s.startsWith('INSERT'))) expect(statement.split('\n')[0]).toMatch(/ ON CLUSTER 'tokentrace'$/);
    expect(statementOf(replicated, 'otel_traces')).toMatch(/^CREATE VIEW IF NOT EXISTS `tokentrace`\.otel_traces ON CLUSTER 'tokentrace'\nAS SELECT\n[\s\S]*\nFROM `tokentrace`\.spans FINAL$/);
    // The macros every server must define (deploy/clickhouse-cluster/production/config.d/macros.xml).
    expect([...new Set([...replicated.join('\n').matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort()).toEqual(['replica', 'shard']);

    const layout = (onCluster: boolean) => clusterLayout({ cluster: 'tokentrace', database: 'tokentrace', replicated: true, onCluster });
    expect(layout(true).createDatabase(DB)).toBe("CREATE DATABASE IF NOT EXISTS `tokentrace` ON CLUSTER 'tokentrace'");
    expect(layout(true).local('spans')).toBe('spans_local');
    expect(layout(true).onClusterClause).toBe(" ON CLUSTER 'tokentrace'");
    expect(layout(false).onClusterClause).toBe('');
    // One record for the cluster when DDL goes ON CLUSTER; per node when run on each node.
    expect(layout(true).migrationsTable(DB)).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/tokentrace/schema_migrations', '{shard}-{replica}')");
    expect(layout(false).migrationsTable(DB)).toMatch(/ENGINE = MergeTree\(\)\nORDER BY version$/);
  });

  it('runs the dirty-hours view on each shard, from spans_local to dirty_hours_local; the rollup tables behind Distributed ones', () => {
    expect(statementOf(perNode, 'dirty_hours_mv_local')).toBe(
      "CREATE MATERIALIZED VIEW IF NOT EXISTS `tokentrace`.dirty_hours_mv_local\nTO `tokentrace`.dirty_hours_local\nAS SELECT project_id, toStartOfHour(start_time) AS hour, now64(6, 'UTC') AS changed_at FROM `tokentrace`.spans_local GROUP BY project_id, hour",
    );
    expect(statementOf(replicated, 'usage_rollup_local')).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/tokentrace/usage_rollup_local', '{replica}', built_at)");
    expect(statementOf(perNode, 'usage_rollup')).toContain("ENGINE = Distributed('loop', 'tokentrace', 'usage_rollup_local', cityHash64(project_id, toStartOfDay(start)))");
    expect(statementOf(perNode, 'dirty_hours')).toContain("ENGINE = Distributed('loop', 'tokentrace', 'dirty_hours_local', cityHash64(project_id, hour))");
    expect(statementOf(statements1(), 'usage_rollup')).toContain('TTL toDateTime(start) + INTERVAL 401 DAY'); // a day after the spans
    expect(statementOf(statements1(), 'dirty_hours')).toContain('TTL toDateTime(hour) + INTERVAL 401 DAY');
    expect(statementOf(all(undefined, { retentionDays: 0 }), 'usage_rollup_builds')).not.toContain('TTL');
  });

  it('replicates without ON CLUSTER when run on each node, and uses the plain engine unreplicated', () => {
    const perNodeReplicated = all(clusterLayout({ cluster: 'tokentrace', database: 'tokentrace', replicated: true, onCluster: false }));
    expect(perNodeReplicated.join('\n')).not.toContain('ON CLUSTER');
    expect(statementOf(perNodeReplicated, 'spans_local')).toContain("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/tokentrace/spans_local', '{replica}', version)");
    expect(statementOf(perNode, 'spans_local')).not.toContain('Replicated');
  });
});
