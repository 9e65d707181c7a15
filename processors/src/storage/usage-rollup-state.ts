/**
 * Which periods of the usage rollup are clean, for a reader (which periods to take from the
 * rollup, which from `spans`) and for the builder (which to build): the builds of each hour and
 * day (`usage_rollup_builds`) beside each hour's last change (`dirty_hours`).
 *
 * A period is **clean** for a dimension when no span of it was ever stored (nothing to read), or
 * when its newest build holds the dimension and started more than `graceMs` after the period's
 * last change. The grace covers an insert whose change was marked before a build began but whose
 * spans were committed after the build's snapshot: it must be at least the longest insert (the
 * collector's insert timeout) on a server, where other processes may write; on the embedded
 * engine, the collector's process is the only writer and builds wait for its writes in flight
 * instead (usage-rollup-build.ts, engine-writes.ts), so the grace there is 0 (rollupGraceMs).
 * A day's last change is the last change of any of its hours.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { embeddedWrites } from './embedded-engine.js';
import type { QueryParams } from './query-params.js';
import { sqlIdentifier } from './sql-literal.js';
import { DIRTY_HOURS_TABLE, ROLLUP_BUILDS_TABLE, type RollupLevel } from './usage-rollup-tables.js';

/** The default grace: twice the exporter's default insert timeout (30 s). */
export const DEFAULT_ROLLUP_GRACE_MS = 60_000;

/**
 * The grace that builds and readers on `client`'s store use: 0 on the embedded engine (builds wait
 * for the writes in flight when they start), `graceMs` (the collector's `rollup.graceMs`) on a server.
 */
export function rollupGraceMs(client: ClickHouseClient, graceMs: number): number {
  return embeddedWrites(client) ? 0 : graceMs;
}

export const HOUR_S = 3600;
export const DAY_S = 86_400;

export interface PeriodBuild {
  /** Microseconds since the epoch (engine clock). */
  builtAt: number;
  /** The build's `build_id` (UInt64 as text). */
  buildId: string;
  dims: readonly string[];
}

export interface RollupState {
  /** Newest build per hour / per day start (seconds since the epoch, UTC). */
  builds: Record<RollupLevel, Map<number, PeriodBuild>>;
  /** Last change per hour start (seconds), microseconds. */
  changes: Map<number, number>;
}

interface StateRow {
  kind: 'build' | 'change';
  lvl: RollupLevel;
  s: number | string;
  t: string;
  id: string;
  d: string[];
}

/** The builds and changes of `projectId`'s periods starting in [fromS, toS) (seconds). */
export async function readRollupState(client: ClickHouseClient, database: string, projectId: string, fromS: number, toS: number): Promise<RollupState> {
  const db = sqlIdentifier(database);
  const range = (column: string) => `project_id = {project:String} AND ${column} >= toDateTime({from:UInt32}, 'UTC') AND ${column} < toDateTime({to:UInt32}, 'UTC')`;
  const result = await client.query({
    query: `SELECT 'build' AS kind, toString(level) AS lvl, toUnixTimestamp(start) AS s, toString(toUnixTimestamp64Micro(max(built_at))) AS t,
        toString(argMax(build_id, built_at)) AS id, argMax(dims, built_at) AS d
      FROM ${db}.${ROLLUP_BUILDS_TABLE} WHERE ${range('start')} GROUP BY lvl, s
      UNION ALL
      SELECT 'change', 'hour', toUnixTimestamp(hour), toString(toUnixTimestamp64Micro(max(changed_at))), '', []
      FROM ${db}.${DIRTY_HOURS_TABLE} WHERE ${range('hour')} GROUP BY hour`,
    query_params: { project: projectId, from: Math.max(0, Math.floor(fromS)), to: Math.max(0, Math.ceil(toS)) },
    format: 'JSONEachRow',
  });
  const state: RollupState = { builds: { hour: new Map(), day: new Map() }, changes: new Map() };
  for (const row of await result.json<StateRow>()) {
    if (row.kind === 'change') state.changes.set(Number(row.s), Number(row.t));
    else state.builds[row.lvl].set(Number(row.s), { builtAt: Number(row.t), buildId: row.id, dims: row.d });
  }
  return state;
}

/** The last change of the period (µs), undefined when none of its spans was ever stored. */
export function lastChange(state: RollupState, level: RollupLevel, start: number): number | undefined {
  if (level === 'hour') return state.changes.get(start);
  let last: number | undefined;
  for (let h = start; h < start + DAY_S; h += HOUR_S) {
    const c = state.changes.get(h);
    if (c !== undefined && (last === undefined || c > last)) last = c;
  }
  return last;
}

/**
 * The build that answers `dim` for the period, `null` when the period has nothing to read (never
 * changed), undefined when the period is not clean for `dim` (read it from spans).
 */
export function cleanBuild(state: RollupState, level: RollupLevel, start: number, dim: string, graceMs: number): PeriodBuild | null | undefined {
  const changed = lastChange(state, level, start);
  if (changed === undefined) return null;
  const build = state.builds[level].get(start);
  if (build === undefined || build.builtAt <= changed + graceMs * 1000 || !build.dims.includes(dim)) return undefined;
  return build;
}

/** The rollup rows of the given builds (ids as text: a UInt64 beyond 2^53 is no JS number). */
export function buildIdsCondition(params: QueryParams, buildIds: readonly string[]): string {
  return `build_id IN (SELECT toUInt64(arrayJoin(${params.bind('Array(String)', buildIds)})))`;
}
