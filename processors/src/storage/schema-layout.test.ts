// The DDL each layout renders from the one list of migrations (no server: the cluster e2e test,
// collector/src/cluster.e2e.test.ts, runs the per-node cluster schema on two real servers).
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrationsTableStatement } from './migrations.js';
import { clusterLayout, singleNodeLayout, type SchemaLayout } from './schema-layout.js';

const DB = '`tokentrace`';
const all = (layout?: SchemaLayout) => MIGRATIONS.flatMap((m) => m.statements(DB, layout));
const created = (statements: string[]) => statements.map((s) => /^CREATE (?:TABLE|MATERIALIZED VIEW) IF NOT EXISTS `tokentrace`\.(\w+)/.exec(s)?.[1]).filter(Boolean);

describe('single-node layout', () => {
  it('is the default and creates the tables under their own names, with no cluster in sight', () => {
    expect(all()).toEqual(all(singleNodeLayout()));
    expect(created(all())).toEqual(['spans', 'trace_index', 'trace_index_mv', 'session_index', 'session_index_mv', 'requests', 'requests_mv', 'request_rollups', 'request_rollup_builds']);
    expect(all().join('\n')).not.toMatch(/_local|Distributed|ON CLUSTER|Replicated/);
    expect(all()[0]).toMatch(/\)\nENGINE = ReplacingMergeTree\(version\)\nPARTITION BY toYYYYMM\(date\)\nORDER BY \(project_id, date, trace_id, span_id\)$/);
    expect(all().filter((s) => s.startsWith('INSERT INTO `tokentrace`.requests ('))).toHaveLength(37); // the v2 backfill
    expect(migrationsTableStatement(DB)).toMatch(/schema_migrations\n\([\s\S]*\)\nENGINE = MergeTree\(\)\nORDER BY version$/);
  });
});

describe('cluster layout', () => {
  const replicated = all(clusterLayout({ cluster: 'tokentrace', database: 'tokentrace', replicated: true, onCluster: true }));
  const perNode = all(clusterLayout({ cluster: 'loop', database: 'tokentrace', replicated: false, onCluster: false }));

  it('puts rows in <name>_local on each shard, behind a Distributed table of the usual name', () => {
    expect(created(perNode)).toEqual([
      'spans_local', 'spans', 'trace_index_local', 'trace_index', 'trace_index_mv', 'session_index_local', 'session_index', 'session_index_mv',
      'requests_local', 'requests', 'requests_mv', 'request_rollups_local', 'request_rollups', 'request_rollup_builds_local', 'request_rollup_builds',
    ]);
    const spans = perNode.find((s) => s.includes('`tokentrace`.spans\n'))!;
    // A trace, and every version of its spans, on one shard.
    expect(spans).toMatch(/ENGINE = Distributed\('loop', 'tokentrace', 'spans_local', cityHash64\(trace_id\)\)$/);
    expect(perNode.find((s) => s.includes('`tokentrace`.requests\n'))).toMatch(/'requests_local', cityHash64\(trace_id\)\)$/);
    expect(perNode.find((s) => s.includes('`tokentrace`.spans_local\n'))).toMatch(/ENGINE = ReplacingMergeTree\(version\)\nPARTITION BY/);
    expect(perNode.join('\n')).not.toMatch(/ON CLUSTER|Replicated/);
  });

  it('hangs materialized views on the local tables, so each shard indexes its own rows', () => {
    const views = replicated.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    expect(views).toHaveLength(3);
    for (const view of views) {
      expect(view).toMatch(/ TO `tokentrace`\.\w+_local\nAS SELECT/);
      expect(view).toMatch(/FROM `tokentrace`\.spans_local\n/);
    }
  });

  it('replicates with a ZooKeeper path per shard and table, and sends every statement ON CLUSTER', () => {
    expect(replicated.find((s) => s.includes('.spans_local '))).toContain(
      "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/tokentrace/spans_local', '{replica}', version)",
    );
    expect(replicated.find((s) => s.includes('.trace_index_local '))).toContain("ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/tokentrace/trace_index_local', '{replica}')\n");
    expect(replicated.every((s) => s.split('\n')[0].endsWith(" ON CLUSTER 'tokentrace'") || / ON CLUSTER 'tokentrace' TO /.test(s))).toBe(true);
    const layout = (onCluster: boolean) => clusterLayout({ cluster: 'tokentrace', database: 'tokentrace', replicated: true, onCluster });
    // One record for the cluster when DDL goes ON CLUSTER; per node when run on each node.
    expect(layout(true).migrationsTable(DB)).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/tokentrace/schema_migrations', '{shard}-{replica}')");
    expect(layout(false).migrationsTable(DB)).toMatch(/ENGINE = MergeTree\(\)\nORDER BY version$/);
  });

  it('copies stored rows only when run on each node (ON CLUSTER carries no INSERT)', () => {
    expect(replicated.some((s) => s.startsWith('INSERT'))).toBe(false);
    const copies = perNode.filter((s) => s.startsWith('INSERT'));
    expect(copies).toHaveLength(37);
    expect(copies[0]).toMatch(/^INSERT INTO `tokentrace`\.requests_local \([\s\S]*FROM `tokentrace`\.spans_local\n/);
  });
});
