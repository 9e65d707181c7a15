/**
 * Builds of the usage rollup (usage-rollup-tables.ts), as SQL on the engine (embedded or a
 * server; on a cluster through the Distributed tables, inserts in the foreground so that a
 * build's rows are readable before its record is):
 *
 * - `staleHours`: hours whose last change is older than the grace and that have no build newer
 *   than that change plus the grace, oldest first;
 * - `buildHours`: their figures rebuilt from `spans FINAL` (exact whatever was stored twice),
 *   one statement for the given hours, stamped with one `built_at` read from the engine's clock
 *   before the statement (so a change marked before `built_at − grace` is in its snapshot; on the
 *   embedded engine, where the grace is 0, the build waits after reading `built_at` until the
 *   writes then in flight have ended: buildStamp);
 * - `staleDays` / `buildDay`: a day whose hours are all clean and whose day build is older than
 *   their last change plus the grace is merged from its hours' rows (cheap: no span is read).
 * The collector runs these on a schedule (collector/src/rollup/rollup-builder.ts).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { QueryParams } from './query-params.js';
import { READ_SETTINGS } from './span-reads.js';
import { sqlIdentifier } from './sql-literal.js';
import { propertyDimension, ROLLUP_FIGURE_COLUMNS, ROLLUP_MERGED_FIGURES, ROLLUP_SPAN_FIGURE_INPUTS, ROLLUP_SPAN_FIGURES, USAGE_DIMENSIONS } from './usage-figures.js';
import { embeddedWrites } from './embedded-engine.js';
import { buildIdsCondition, cleanBuild, DAY_S, HOUR_S, lastChange, readRollupState, type RollupState } from './usage-rollup-state.js';
import { DIRTY_HOURS_TABLE, ROLLUP_BUILDS_TABLE, USAGE_ROLLUP_TABLE, type RollupLevel } from './usage-rollup-tables.js';

/** The dimensions a build holds: the built-in ones and the configured properties (lower-cased). */
export function rollupDimensions(properties: readonly string[]): string[] {
  return [...Object.keys(USAGE_DIMENSIONS), ...properties.map(propertyDimension)];
}

/** Settings of the builder's statements: FINAL within partitions; on a cluster, inserts done when they return. */
const BUILD_SETTINGS = { ...READ_SETTINGS, distributed_foreground_insert: 1 } as const;

/** The id of a build of a period, computed alike in the rollup's rows and the builds' rows. */
const BUILD_ID = 'cityHash64(toString(project_id), toString(level), toUnixTimestamp(start), toUnixTimestamp64Micro(built_at))';

const ROLLUP_COLUMNS = `project_id, level, start, built_at, build_id, dim, split, value, provider, status_code, ${ROLLUP_FIGURE_COLUMNS.join(', ')}`;

export interface StalePeriod {
  projectId: string;
  /** Seconds since the epoch, UTC. */
  start: number;
}

/** The engine's clock, microseconds (`built_at` of the next build). */
async function engineNowMicros(client: ClickHouseClient): Promise<string> {
  const result = await client.query({ query: "SELECT toString(toUnixTimestamp64Micro(now64(6, 'UTC'))) AS t", format: 'JSONEachRow' });
  const [row] = await result.json<{ t: string }>();
  return row.t;
}

/**
 * The `built_at` of a build about to read: the engine's clock. On the embedded engine the build
 * then waits until every write in flight at that moment has ended (engine-writes.ts): an insert
 * marked in `dirty_hours` before `built_at` had started by then, so it is committed when the
 * build reads, and one that starts later is marked later. Such a build is exact as of its
 * `built_at` with no grace (rollupGraceMs).
 */
async function buildStamp(client: ClickHouseClient): Promise<{ builtAt: string; waitedMs: number }> {
  const builtAt = await engineNowMicros(client);
  const writes = embeddedWrites(client);
  if (writes === undefined || writes.size === 0) return { builtAt, waitedMs: 0 };
  const t = performance.now();
  await writes.settled();
  return { builtAt, waitedMs: performance.now() - t };
}

/**
 * Hours changed more than `graceMs` ago without a build since, or whose build lacks one of the
 * dimensions of `properties`' builds (a property configured later), oldest first, at most `limit`.
 */
export async function staleHours(client: ClickHouseClient, database: string, graceMs: number, limit: number, properties: readonly string[] = []): Promise<StalePeriod[]> {
  return stalePeriods(client, database, 'hour', graceMs, limit, properties);
}

/**
 * Periods of `level` whose last change (the latest of their dirty hours) is older than the grace
 * and not covered by a build since, or whose build lacks one of `properties`' dimensions; oldest
 * first, at most `limit`.
 */
async function stalePeriods(client: ClickHouseClient, database: string, level: RollupLevel, graceMs: number, limit: number, properties: readonly string[]): Promise<StalePeriod[]> {
  const db = sqlIdentifier(database);
  const period = level === 'hour' ? 'hour' : 'toStartOfDay(hour)';
  const result = await client.query({
    query: `SELECT c.project_id AS project_id, toUnixTimestamp(c.period) AS start
      FROM (SELECT project_id, ${period} AS period, max(changed_at) AS changed FROM ${db}.${DIRTY_HOURS_TABLE} GROUP BY project_id, period) AS c
      LEFT JOIN (SELECT project_id, start AS period, max(built_at) AS built, argMax(dims, built_at) AS d FROM ${db}.${ROLLUP_BUILDS_TABLE} WHERE level = {level:String} GROUP BY project_id, period) AS b
        ON c.project_id = b.project_id AND c.period = b.period
      WHERE c.changed < now64(6, 'UTC') - toIntervalMillisecond({grace:UInt32})
        AND (b.built <= c.changed + toIntervalMillisecond({grace:UInt32}) OR NOT hasAll(b.d, {dims:Array(String)}))
      ORDER BY c.period, c.project_id LIMIT {limit:UInt32}`,
    query_params: { level, grace: graceMs, limit, dims: rollupDimensions(properties) },
    format: 'JSONEachRow',
  });
  return (await result.json<{ project_id: string; start: number | string }>()).map((r) => ({ projectId: r.project_id, start: Number(r.start) }));
}

/** What a build did: `waitedMs` of its time went to waiting for the writes in flight (buildStamp), not to the engine's work. */
export interface BuildTiming {
  waitedMs: number;
}

/**
 * Rebuilds `hours` (seconds, UTC hour starts) of `projectId`: their rows per (provider, status)
 * (`split` 1) from spans FINAL in one statement, then their rows over every provider and status
 * (`split` 0) merged from those in a second (no span read twice), then their record.
 */
export async function buildHours(client: ClickHouseClient, database: string, projectId: string, hours: readonly number[], properties: readonly string[]): Promise<BuildTiming> {
  if (hours.length === 0) return { waitedMs: 0 };
  const db = sqlIdentifier(database);
  const params = new QueryParams();
  const dims = rollupDimensions(properties);
  // One grouping set per dimension: each call is aggregated once per dimension in one pass (an
  // ARRAY JOIN over (dimension, value) pairs copies every call per dimension first: slower).
  // The grouped dimensions (all but the total, ''), each with its column of spans (`g<k>` below).
  const grouped: Array<readonly [dim: string, column: string]> = [
    ...Object.entries(USAGE_DIMENSIONS).filter(([dim]) => dim !== '').map(([dim, column]) => [dim, `toString(${column})`] as const),
    ...properties.map((p) => [propertyDimension(p), `properties[${params.bind('String', p.toLowerCase())}]`] as const),
  ];
  // Each dimension per (provider, status), for filtered reads (`split` 1); unfiltered reads take
  // the rows over all of them (`split` 0), which the second statement sums from these (the same
  // sums: integers, Decimals and histogram counts add exactly). Aggregating the spans once per
  // grouping set is the build's cost, so half the sets take about half the time (bench/README.md).
  const keys = 'project_id, start, provider, status_code';
  const dimSql = `multiIf(${grouped.map(([d], k) => `grouping(g${k}) = 0, ${params.bind('String', d)}`).join(', ')}, '')`;
  const valueSql = `multiIf(${grouped.map((_, k) => `grouping(g${k}) = 0, g${k}`).join(', ')}, '')`;
  const sets = [`(${keys})`, ...grouped.map((_, k) => `(${keys}, g${k})`)].join(', ');
  const project = params.bind('String', projectId);
  const hourList = params.bind('Array(UInt32)', hours);
  const stamp = await buildStamp(client);
  const builtAt = `fromUnixTimestamp64Micro(${params.bind('Int64', stamp.builtAt)}, 'UTC')`;
  const [first, last] = [params.bind('UInt32', Math.min(...hours)), params.bind('UInt32', Math.max(...hours) + HOUR_S)];
  await client.command({
    query: `INSERT INTO ${db}.${USAGE_ROLLUP_TABLE} (${ROLLUP_COLUMNS})
      SELECT project_id, 'hour' AS level, start, ${builtAt} AS built_at, ${BUILD_ID} AS build_id, ${dimSql} AS dim, toUInt8(1) AS split, ${valueSql} AS value,
        provider, status_code, ${ROLLUP_SPAN_FIGURES}
      FROM (SELECT project_id, provider, ${ROLLUP_SPAN_FIGURE_INPUTS}, toStartOfHour(start_time) AS start, ${grouped.map(([, c], k) => `${c} AS g${k}`).join(', ')}
        FROM ${db}.spans FINAL
        WHERE project_id = ${project} AND is_model_call = 1
          AND start_time >= toDateTime64(${first}, 9, 'UTC') AND start_time < toDateTime64(${last}, 9, 'UTC')
          AND toStartOfHour(start_time) IN (SELECT toDateTime(arrayJoin(${hourList}), 'UTC')))
      GROUP BY GROUPING SETS (${sets})`,
    query_params: params.values,
    clickhouse_settings: BUILD_SETTINGS,
  });
  await client.command({
    query: `INSERT INTO ${db}.${USAGE_ROLLUP_TABLE} (${ROLLUP_COLUMNS})
      SELECT project_id, level, start, built_at, build_id, dim, toUInt8(0) AS split, value, '' AS provider, 'unset' AS status_code, ${ROLLUP_MERGED_FIGURES}
      FROM (SELECT project_id, level, start, built_at, build_id, dim, value, ${ROLLUP_FIGURE_COLUMNS.join(', ')} FROM ${db}.${USAGE_ROLLUP_TABLE}
        WHERE project_id = ${project} AND level = 'hour' AND split = 1 AND start >= toDateTime(${first}, 'UTC') AND start < toDateTime(${last}, 'UTC')
          AND built_at = ${builtAt} AND start IN (SELECT toDateTime(arrayJoin(${hourList}), 'UTC')))
      GROUP BY project_id, level, start, built_at, build_id, dim, value`,
    query_params: params.values,
    clickhouse_settings: BUILD_SETTINGS,
  });
  await recordBuilds(client, db, params, project, "'hour'", `toDateTime(arrayJoin(${hourList}), 'UTC')`, builtAt, dims);
  return { waitedMs: stamp.waitedMs };
}

/** The builds' record, after their rows: a reader that sees the record sees the rows. */
async function recordBuilds(client: ClickHouseClient, db: string, params: QueryParams, project: string, level: string, starts: string, builtAt: string, dims: string[]): Promise<void> {
  await client.command({
    query: `INSERT INTO ${db}.${ROLLUP_BUILDS_TABLE} (project_id, level, start, built_at, build_id, dims)
      SELECT project_id, level, start, built_at, ${BUILD_ID} AS build_id, ${params.bind('Array(String)', dims)}
      FROM (SELECT ${project} AS project_id, ${level} AS level, ${starts} AS start, ${builtAt} AS built_at)`,
    query_params: params.values,
    clickhouse_settings: BUILD_SETTINGS,
  });
}

/**
 * Days that have changes whose day build is missing, older than their last change plus the
 * grace, or without a dimension of `properties`' builds (their hours may not all be clean yet:
 * buildDay checks), oldest first.
 */
export async function staleDays(client: ClickHouseClient, database: string, graceMs: number, limit: number, properties: readonly string[] = []): Promise<StalePeriod[]> {
  return stalePeriods(client, database, 'day', graceMs, limit, properties);
}

/**
 * Builds day `day` (seconds, UTC midnight) of `projectId` from its hours' rows when every hour of
 * it is clean for every dimension of `properties`' build; false when one is not (yet).
 */
export async function buildDay(client: ClickHouseClient, database: string, projectId: string, day: number, properties: readonly string[], graceMs: number): Promise<boolean> {
  const dims = rollupDimensions(properties);
  // The builds of its clean hours; undefined when one hour is not clean for one dimension.
  const hourBuilds = (state: RollupState): string[] | undefined => {
    const ids: string[] = [];
    for (let h = day; h < day + DAY_S; h += HOUR_S) {
      for (const dim of dims) if (cleanBuild(state, 'hour', h, dim, graceMs) === undefined) return undefined;
      const build = cleanBuild(state, 'hour', h, '', graceMs);
      if (build) ids.push(build.buildId);
    }
    return ids;
  };
  // A first look, so that a day with an hour still to build does not wait for the writes in flight.
  if (hourBuilds(await readRollupState(client, database, projectId, day, day + DAY_S)) === undefined) return false;
  const builtAtMicros = (await buildStamp(client)).builtAt;
  const state = await readRollupState(client, database, projectId, day, day + DAY_S);
  const ids = hourBuilds(state);
  if (ids === undefined) return false;
  // Nothing changed since the hours were read (else the day is simply stale again at once).
  if (Number(builtAtMicros) <= (lastChange(state, 'day', day) ?? 0) + graceMs * 1000) return false;
  const db = sqlIdentifier(database);
  const params = new QueryParams();
  const project = params.bind('String', projectId);
  const start = `toDateTime(${params.bind('UInt32', day)}, 'UTC')`;
  const builtAt = `fromUnixTimestamp64Micro(${params.bind('Int64', builtAtMicros)}, 'UTC')`;
  await client.command({
    query: `INSERT INTO ${db}.${USAGE_ROLLUP_TABLE} (${ROLLUP_COLUMNS})
      SELECT project_id, 'day' AS level, ${start} AS start, ${builtAt} AS built_at, ${BUILD_ID} AS build_id, dim, split, value, provider, status_code, ${ROLLUP_MERGED_FIGURES}
      FROM (SELECT project_id, dim, split, value, provider, status_code, ${ROLLUP_FIGURE_COLUMNS.join(', ')} FROM ${db}.${USAGE_ROLLUP_TABLE}
        WHERE project_id = ${project} AND level = 'hour' AND start >= ${start} AND start < ${start} + INTERVAL 1 DAY
          AND ${buildIdsCondition(params, ids)})
      GROUP BY project_id, dim, split, value, provider, status_code`,
    query_params: params.values,
    clickhouse_settings: BUILD_SETTINGS,
  });
  await recordBuilds(client, db, params, project, "'day'", start, builtAt, dims);
  return true;
}
