/**
 * Issue 5, the multi-node path on loopback, with a real Collector writing through the Distributed
 * `spans` and spans of many traces sent by the OpenTelemetry SDK's OTLP exporter:
 *
 * - two shards (deploy/clickhouse-cluster/loopback/): two servers, no ZooKeeper, so the collector
 *   runs the schema on each node itself (clickhouse.nodeUrls). Rows are on both shards, the query
 *   API through node 1 returns the totals of both, a trace kept on shard 2 comes back whole, a
 *   session spread over both shards too, and a batch sent again changes none of it (every version
 *   of a span is on its trace's shard, where FINAL de-duplicates). Runs everywhere (CI).
 *
 * The replicated layout (deploy/clickhouse-cluster/loopback-replicated/, ON CLUSTER through
 * ZooKeeper) is not run here: on 18.16 its servers dropped connections during ON CLUSTER schema
 * creation in repeated runs on this machine (deploy/clickhouse-cluster/README.md).
 */
import { createClickHouseClient, DEFAULT_CLICKHOUSE_EXPORTER_CONFIG, ensureClusterSchema, ensureSchema, appliedVersions, clusterLayout, MIGRATIONS } from '@tokentrace/processors';
import { ATTR_TOKENTRACE_SESSION_ID, ATTR_USER_ID } from '@tokentrace/semconv';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoopbackCluster } from './clickhouse-server/loopback-cluster.js';
import { Collector } from './collector.js';
import { DEFAULT_CONFIG, type CollectorConfig } from './config/collector-config.js';
import { QueryService } from './query/query-service.js';
import type { AnalyticsResult, AnalyticsRow, RequestPage, SessionNameStats, SpanTree } from './query/query-model.js';

const deployDir = fileURLToPath(new URL('../../deploy/clickhouse-cluster/', import.meta.url));
const TRACES = 40;
const SESSIONS = 4;
const HOUR = 3_600_000;

type Client = ReturnType<typeof createClickHouseClient>;

/** Servers, their clients (shard 1's replicas first) and a collector on the first. */
interface Rig {
  dir: string;
  cluster: LoopbackCluster;
  nodes: Client[];
  collector: Collector;
  /** 3 spans per trace (a root and two model calls), made once per rig. */
  sent: ReadableSpan[];
}

async function startRig(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'tt-cluster-'));
  const rig: Partial<Rig> = { dir };
  try {
    rig.cluster = await LoopbackCluster.start({
      dir: join(dir, 'clickhouse'),
      shards: 2,
      replicas: 1,
      configFiles: [join(deployDir, 'loopback/config.d/tokentrace-cluster.xml')],
      usersFiles: [join(deployDir, 'loopback/users.d/distributed-inserts.xml')],
      shutdownWaitSeconds: 1,
    });
    rig.nodes = rig.cluster.urls.map((url) => createClickHouseClient({ ...DEFAULT_CLICKHOUSE_EXPORTER_CONFIG, url }));
    const clickhouse = { cluster: 'tokentrace_loopback', replicated: false, nodeUrls: rig.cluster.urls };
    const config: CollectorConfig = {
      ...DEFAULT_CONFIG,
      http: { ...DEFAULT_CONFIG.http, port: 0 },
      grpc: { ...DEFAULT_CONFIG.grpc, enabled: false },
      decode: { threads: 0 },
      clickhouse: { ...DEFAULT_CONFIG.clickhouse, url: rig.cluster.urls[0], ...clickhouse },
      spool: { ...DEFAULT_CONFIG.spool, dir: join(dir, 'spool') },
      batch: { ...DEFAULT_CONFIG.batch, maxDelayMs: 50 },
    };
    rig.collector = await Collector.start(config, { log: () => undefined });
    rig.sent = makeSpans(Date.now() - HOUR);
    return rig as Rig;
  } catch (err) {
    await stopRig(rig);
    throw err;
  }
}

async function stopRig(rig: Partial<Rig> | undefined): Promise<void> {
  if (!rig) return;
  await rig.collector?.shutdown();
  await Promise.all((rig.nodes ?? []).map((c) => c.close()));
  await rig.cluster?.stop();
  if (rig.dir) rmSync(rig.dir, { recursive: true, force: true });
}

describe('two-shard ClickHouse cluster on loopback', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
  }, 60_000);
  afterAll(() => stopRig(rig), 60_000);

  it('has local tables on each shard and Distributed tables of the usual names over them', async () => {
    for (const node of rig.nodes) {
      expect(await engines(node)).toMatchObject({
        spans: 'Distributed', spans_local: 'ReplacingMergeTree',
        requests: 'Distributed', requests_local: 'ReplacingMergeTree', requests_mv: 'MaterializedView',
        trace_index: 'Distributed', trace_index_local: 'AggregatingMergeTree', trace_index_mv: 'MaterializedView',
        session_index: 'Distributed', session_index_local: 'AggregatingMergeTree', session_index_mv: 'MaterializedView',
        request_rollups: 'Distributed', request_rollups_local: 'MergeTree', schema_migrations: 'MergeTree',
      });
      expect(await appliedVersions(node, 'tokentrace')).toEqual([1, 2]);
    }
  });

  it('spreads the spans of many traces over both shards, and the query API through node 1 returns the totals of both', async () => {
    const { nodes, sent } = rig;
    await send(rig, sent);
    const perShard = await waitForRows(rig, sent.length);
    expect(perShard.every((n) => n > 0)).toBe(true);
    expect(perShard[0] + perShard[1]).toBe(sent.length);
    // Every trace is whole on one shard (sharded by trace id).
    const traceShards = await Promise.all(nodes.map(async (node) => new Set((await rows<{ t: string }>(node, `SELECT DISTINCT trace_id AS t FROM tokentrace.spans_local`)).map((r) => r.t))));
    expect([...traceShards[0]].filter((t) => traceShards[1].has(t))).toEqual([]);
    expect(traceShards[0].size + traceShards[1].size).toBe(TRACES);

    const expected = expectedTotals(sent);
    const shardSums = await Promise.all(nodes.map(async (node) => (await rows<{ n: string; cost: number }>(node, `SELECT count() AS n, sum(cost_total_usd) AS cost FROM tokentrace.requests_local FINAL`))[0]));
    expect(shardSums.every((s) => Number(s.n) > 0)).toBe(true);
    const { totals } = await api<AnalyticsResult>(rig, '/analytics?since=1d');
    expect(totals).toMatchObject({ requests: expected.requests, inputTokens: expected.inputTokens, outputTokens: expected.outputTokens });
    expect(totals.requests).toBe(Number(shardSums[0].n) + Number(shardSums[1].n));
    expect(totals.costUsd).toBeGreaterThan(0);
    expect(totals.costUsd).toBeCloseTo(shardSums[0].cost + shardSums[1].cost, 12);
    const byUser = await api<AnalyticsResult>(rig, '/analytics?since=1d&groupBy=user');
    expect(byUser.rows.reduce((sum, r) => sum + r.requests, 0)).toBe(expected.requests);
  }, 30_000);

  it('returns a trace kept on shard 2 whole, and a session spread over both shards', async () => {
    const { nodes, sent } = rig;
    const [onShard2] = await rows<{ t: string }>(nodes[1], `SELECT any(trace_id) AS t FROM tokentrace.spans_local`);
    const tree = await api<SpanTree>(rig, `/traces/${onShard2.t}`);
    const sentTrace = sent.filter((s) => s.spanContext().traceId === onShard2.t);
    expect(tree.totals).toMatchObject({ spans: 3, modelCalls: 2 });
    expect(tree.roots).toHaveLength(1);
    expect(tree.roots[0].children.map((c) => c.spanId).sort()).toEqual(sentTrace.filter((s) => s.parentSpanContext).map((s) => s.spanContext().spanId).sort());

    const sessionTraces = new Set(sent.filter((s) => s.attributes[ATTR_TOKENTRACE_SESSION_ID] === 'session-0').map((s) => s.spanContext().traceId));
    const shardsOfSession = await Promise.all(nodes.map(async (node) => (await rows(node, `SELECT 1 FROM tokentrace.spans_local WHERE session_id = 'session-0' LIMIT 1`)).length));
    expect(shardsOfSession).toEqual([1, 1]);
    const session = await api<SpanTree>(rig, '/sessions/session-0');
    expect(session.traceIds.sort()).toEqual([...sessionTraces].sort());
    expect(session.totals.modelCalls).toBe(2 * sessionTraces.size);
  }, 30_000);

  it('does not count a batch sent again: totals, trees and request pages stay exact', async () => {
    const { sent } = rig;
    const before = await api<AnalyticsResult>(rig, '/analytics?since=1d');
    await send(rig, sent);
    const perShard = await waitForRows(rig, 2 * sent.length);
    expect(perShard[0] + perShard[1]).toBe(2 * sent.length); // stored twice, on the same shards
    const after = await api<AnalyticsResult>(rig, '/analytics?since=1d');
    expect(after.totals.requests).toBe(before.totals.requests);
    expect(after.totals.inputTokens).toBe(before.totals.inputTokens);
    expect(after.totals.costUsd).toBeCloseTo(before.totals.costUsd, 12);
    expect((await api<SpanTree>(rig, `/traces/${sent[0].spanContext().traceId}`)).totals.spans).toBe(3);
    const top = await api<{ items: AnalyticsRow[] }>(rig, '/users/top?since=1d');
    expect(top.items.map((u) => u.group).sort()).toEqual(['user-0', 'user-1', 'user-2', 'user-3', 'user-4']);
    expect(top.items.reduce((sum, u) => sum + u.requests, 0)).toBe(before.totals.requests);
    const { items: sessionStats } = await api<{ items: SessionNameStats[] }>(rig, '/sessions?since=1d');
    expect(sessionStats.map((s) => s.sessions)).toEqual([SESSIONS]);
    expect(sessionStats[0].avgCostUsd * SESSIONS).toBeCloseTo(before.totals.costUsd, 12);

    // Small pages, so that many of them end among a shard's repeated versions.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: RequestPage = await api<RequestPage>(rig, `/requests?since=1d&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.items.map((i) => `${i.traceId}/${i.spanId}`));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(expectedTotals(sent).requests);
    expect(new Set(seen).size).toBe(seen.length);
  }, 30_000);

  it('refuses, with ON CLUSTER, a migration that copies stored rows, unless the database is new', async () => {
    // ON CLUSTER carries no INSERT, so its layout leaves copies out. That layout's rule, run here
    // per node (no ZooKeeper): fine in a new database, refused where version 1 already has rows.
    const layout = { ...clusterLayout({ cluster: 'tokentrace_loopback', database: 'tt_copies', replicated: false, onCluster: false }), canCopy: false, copy: () => [] };
    const node = rig.nodes[0];
    expect(await ensureSchema(node, 'tt_new', MIGRATIONS, { ...layout })).toEqual({ applied: [1, 2], version: 2 });
    await ensureSchema(node, 'tt_copies', MIGRATIONS.slice(0, 1), layout);
    await expect(ensureSchema(node, 'tt_copies', MIGRATIONS, layout)).rejects.toMatchObject({ code: 'TOKENTRACE_CLICKHOUSE_INVALID_CONFIG', key: 'nodeUrls' });
    expect(await appliedVersions(node, 'tt_copies')).toEqual([1]);
  });
});

/** TRACES traces of a root span and two model calls each, in SESSIONS sessions, over the hour after `startMs`. */
function makeSpans(startMs: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'cluster-app' }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('cluster-test');
  for (let i = 0; i < TRACES; i++) {
    const at = startMs + i * 60_000;
    const common = { [ATTR_USER_ID]: `user-${i % 5}`, [ATTR_TOKENTRACE_SESSION_ID]: `session-${i % SESSIONS}` };
    const root = tracer.startSpan('handle request', { kind: SpanKind.SERVER, startTime: at, attributes: common });
    const parent = trace.setSpan(ROOT_CONTEXT, root);
    for (let k = 0; k < 2; k++) {
      const call = tracer.startSpan('chat gpt-4o-mini', {
        kind: SpanKind.CLIENT,
        startTime: at + 100 + k * 1000,
        attributes: {
          ...common,
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 1000 + i,
          'gen_ai.usage.output_tokens': 100 + k,
        },
      }, parent);
      call.end(at + 900 + k * 1000);
    }
    root.end(at + 2500);
  }
  return memory.getFinishedSpans();
}

function expectedTotals(sent: ReadableSpan[]): { requests: number; inputTokens: number; outputTokens: number } {
  const calls = sent.filter((s) => s.attributes['gen_ai.usage.input_tokens'] !== undefined);
  return {
    requests: calls.length,
    inputTokens: calls.reduce((sum, s) => sum + Number(s.attributes['gen_ai.usage.input_tokens']), 0),
    outputTokens: calls.reduce((sum, s) => sum + Number(s.attributes['gen_ai.usage.output_tokens']), 0),
  };
}

/** Exports `spans` with the SDK's OTLP/protobuf exporter to the collector, as one request. */
async function send(rig: Rig, spans: ReadableSpan[]): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: `${rig.collector.http.url}/v1/traces` });
  const result = await new Promise<ExportResult>((done) => exporter.export(spans, done));
  await exporter.shutdown();
  expect(result.code, String(result.error)).toBe(ExportResultCode.SUCCESS);
}

/**
 * Rows of `spans_local` on each server, once the collector has stored `total` spans in all: its
 * insert has returned, so every shard has the rows and their materialized views have run.
 */
async function waitForRows(rig: Rig, total: number): Promise<number[]> {
  for (let i = 0; i < 200; i++) {
    const health = (await (await fetch(`${rig.collector.http.url}/health`)).json()) as { counters: { spans_stored: number } };
    if (health.counters.spans_stored >= total) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return Promise.all(rig.nodes.map(async (node) => Number((await rows<{ n: string }>(node, 'SELECT count() AS n FROM tokentrace.spans_local'))[0].n)));
}

async function engines(node: Client): Promise<Record<string, string>> {
  const tables = await rows<{ name: string; engine: string }>(node, `SELECT name, engine FROM system.tables WHERE database = 'tokentrace'`);
  return Object.fromEntries(tables.map((t) => [t.name, t.engine]));
}

async function rows<T>(client: Client, query: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
}

async function api<T>(rig: Rig, path: string): Promise<T> {
  const response = await fetch(`${rig.collector.http.url}/api/v1${path}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as T;
}
