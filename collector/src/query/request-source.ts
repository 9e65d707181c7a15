/**
 * Plans where the model calls of a time range are read from, day by day (request-days.ts), so
 * that every span is counted once with its newest version while as little as possible goes
 * through FINAL (which 18.16 runs on one thread, at a cost that grows with every column read):
 * - a day's base part (its largest merged part, free of duplicates): its rollup when one was
 *   built from that part (whole-day or hourly rows; the hours the range cuts are read from the
 *   part itself), else the part read plainly, in parallel;
 * - the day's delta parts (written since the day was last compacted): FINAL over those parts
 *   only, which is small, provided none of their spans is also in the base (checked per query);
 * - a day without a base, or whose deltas repeat spans of the base: FINAL over the whole day.
 * Reads that rely on what the plan saw of the parts are pinned to those parts (`_part IN …`), so
 * a part written meanwhile cannot be counted twice; the caller checks after the query that the
 * pinned parts are all still active (a merge may have replaced one mid-query) and plans again if
 * not (stable-plan.ts).
 *
 * On a cluster the tables are Distributed and the parts are on the shards, out of sight of
 * `system.parts` here: the plan is FINAL over the whole range, which each shard runs on its own
 * rows, in parallel. That is exact because every version of a span is on its trace's shard
 * (processors/src/clickhouse/schema-layout.ts), and as slow as FINAL is (README.md).
 */
import { sqlString } from '@tokentrace/processors';
import { selectRows, type QueryContext } from './query-context.js';
import { dateLiteral, dayOf, projectCondition, rangeCondition, type RangeMs } from './query-sql.js';
import { dayParts, isSettled, overlappingDays } from './request-days.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const NS_PER_MS = 1_000_000n;

/** A read of raw `requests` rows: `FROM requests [FINAL] WHERE …`. */
export interface RowBranch {
  final: boolean;
  where: string;
}

export interface SourcePlan {
  /** WHERE of `request_rollups` rows to read (project included), when any. */
  rollup?: string;
  rows: RowBranch[];
  /** Parts the reads are pinned to. */
  pinnedParts: string[];
  /** Base parts without a rollup yet (when rollups were asked for). */
  unbuilt: Array<{ day: string; part: string }>;
  /** Days that are not settled (when rollups were asked for): compacting them settles them. */
  unsettled: string[];
  /** Days whose deltas repeat spans of their base (read with FINAL until compacted). */
  overlapping: string[];
}

export interface PlanOptions {
  /** Read rollups where they can answer (no filter, a built-in dimension). */
  rollups: boolean;
  /** The caller buckets by hour: whole days come from the hourly rollup rows. */
  hourly: boolean;
  /** Read every day with FINAL, pinning nothing (the fallback when parts keep moving). */
  allFinal?: boolean;
}

export async function planSource(ctx: QueryContext, projectId: string, range: RangeMs, options: PlanOptions): Promise<SourcePlan> {
  const project = projectCondition(projectId);
  if (ctx.cluster) return { rows: [{ final: true, where: `${project} AND ${rangeCondition(range)} AND ${secondsCondition(range.fromMs, range.toMs)}` }], pinnedParts: [], unbuilt: [], unsettled: [], overlapping: [] };
  // The parts and the rollup builds are read at once (round trips are most of a small query).
  const [days, built] = await Promise.all([dayParts(ctx, range), options.rollups && !options.allFinal ? buildsInRange(ctx, range) : undefined]);
  const overlapping = options.allFinal ? new Set<string>() : await overlappingDays(ctx, days);
  const bases = new Map<string, string>();
  for (const [day, parts] of days) if (parts.base !== undefined && !overlapping.has(day) && !options.allFinal) bases.set(day, parts.base);
  const builds = built ? matchingBuilds(built, bases) : new Map<string, RollupBuild>();
  const rollupPieces: string[] = [];
  const plainPieces: string[] = [];
  const deltaPieces: string[] = [];
  const finalPieces: string[] = [];
  const plainParts = new Set<string>();
  const deltaParts = new Set<string>();
  const plan: SourcePlan = { rows: [], pinnedParts: [], unbuilt: [], unsettled: [], overlapping: [...overlapping] };
  for (let dayStart = Date.parse(dayOf(range.fromMs)); dayStart < range.toMs; dayStart += DAY_MS) {
    const day = dayOf(dayStart);
    const parts = days.get(day);
    if (parts === undefined) continue; // no rows that day
    const lo = Math.max(range.fromMs, dayStart);
    const hi = Math.min(range.toMs, dayStart + DAY_MS);
    if (options.rollups && !isSettled(parts)) plan.unsettled.push(day);
    const base = bases.get(day);
    if (base === undefined) {
      finalPieces.push(timePiece(day, lo, hi));
      continue;
    }
    if (parts.deltas.length > 0) {
      deltaPieces.push(timePiece(day, lo, hi));
      for (const p of parts.deltas) deltaParts.add(p);
    }
    const build = builds.get(day);
    if (build !== undefined && BigInt(Math.ceil(lo)) * NS_PER_MS <= build.minNs && build.maxNs < BigInt(Math.ceil(hi)) * NS_PER_MS) {
      // The range holds every row of the base (today's base ends before now): the rollup as built.
      rollupPieces.push(`(date = ${dateLiteral(day)} AND build_id = ${build.id} AND ${options.hourly ? 'hourly = 1' : 'hourly = 0'})`);
      continue;
    }
    const firstHour = Math.ceil((lo - dayStart) / HOUR_MS);
    const endHour = Math.floor((hi - dayStart) / HOUR_MS);
    if (build === undefined || firstHour >= endHour) {
      if (build === undefined && options.rollups) plan.unbuilt.push({ day, part: base });
      plainPieces.push(timePiece(day, lo, hi));
      plainParts.add(base);
      continue;
    }
    rollupPieces.push(`(date = ${dateLiteral(day)} AND build_id = ${build.id} AND hourly = 1 AND hour >= ${firstHour} AND hour < ${endHour})`);
    for (const [a, b] of [[lo, dayStart + firstHour * HOUR_MS], [dayStart + endHour * HOUR_MS, hi]]) {
      if (a < b) {
        plainPieces.push(timePiece(day, a, b));
        plainParts.add(base);
      }
    }
  }
  const pinned = (parts: Set<string>) => `_part IN (${[...parts].map(sqlString).join(', ')})`;
  if (rollupPieces.length) plan.rollup = `${project} AND (${rollupPieces.join(' OR ')})`;
  if (plainPieces.length) plan.rows.push({ final: false, where: `${project} AND ${pinned(plainParts)} AND (${plainPieces.join(' OR ')})` });
  if (deltaPieces.length) plan.rows.push({ final: true, where: `${project} AND ${pinned(deltaParts)} AND (${deltaPieces.join(' OR ')})` });
  if (finalPieces.length) plan.rows.push({ final: true, where: `${project} AND (${finalPieces.join(' OR ')})` });
  // A base read through its rollup needs no pin: the rollup is what the part held, and parts
  // never change; only rows read from parts can go missing when a merge replaces them mid-query.
  plan.pinnedParts = [...plainParts, ...deltaParts];
  return plan;
}

/** `FROM … WHERE …` of a row branch over `requests`, with `extra` conditions (a filter). */
export function rowSource(ctx: QueryContext, branch: RowBranch, extra?: string): string {
  return `FROM ${ctx.tables.requests}${branch.final ? ' FINAL' : ''} WHERE ${branch.where}${extra ? ` AND (${extra})` : ''}`;
}

/**
 * `[fromMs, toMs)` of one day: on the key's date and (through the key's hour) on the start time
 * in seconds, which prune granules, then exactly on the start time in nanoseconds.
 */
function timePiece(day: string, fromMs: number, toMs: number): string {
  const fromNs = BigInt(Math.ceil(fromMs)) * NS_PER_MS;
  const toNs = BigInt(Math.ceil(toMs)) * NS_PER_MS;
  return `(date = ${dateLiteral(day)} AND ${secondsCondition(fromMs, toMs)} AND start_time_ns >= ${fromNs} AND start_time_ns < ${toNs})`;
}

/** The start time in whole seconds around [fromMs, toMs): prunes granules through the key's hour. */
function secondsCondition(fromMs: number, toMs: number): string {
  return `start_time >= toDateTime(${Math.floor(fromMs / 1000)}) AND start_time <= toDateTime(${Math.ceil(toMs / 1000)})`;
}

/** A complete rollup build, and the first and last start (ns) of the rows it holds. */
export interface RollupBuild {
  id: string;
  minNs: bigint;
  maxNs: bigint;
}

type BuildRow = { day: string; source_part: string; build_id: string; lo: string; hi: string };

/** The complete rollup builds of the days of `range`, newest per (day, part). */
async function buildsInRange(ctx: QueryContext, range: RangeMs): Promise<BuildRow[]> {
  return selectRows<BuildRow>(
    ctx,
    `SELECT toString(date) AS day, source_part, toString(max(build_id)) AS build_id, toString(any(min_start_ns)) AS lo, toString(any(max_start_ns)) AS hi
     FROM ${ctx.tables.rollupBuilds}
     WHERE date >= ${dateLiteral(dayOf(range.fromMs))} AND date <= ${dateLiteral(dayOf(range.toMs - 1))}
     GROUP BY day, source_part`,
  );
}

/** Day → the build of its base part (`bases`: day → base part), for the days that have one. */
function matchingBuilds(rows: BuildRow[], bases: Map<string, string>): Map<string, RollupBuild> {
  const builds = new Map<string, RollupBuild>();
  for (const row of rows) if (bases.get(row.day) === row.source_part) builds.set(row.day, { id: row.build_id, minNs: BigInt(row.lo), maxNs: BigInt(row.hi) });
  return builds;
}

/** Day → the newest complete rollup build of its base part (`bases`: day → base part). */
export async function validBuilds(ctx: QueryContext, range: RangeMs, bases: Map<string, string>): Promise<Map<string, RollupBuild>> {
  return bases.size === 0 ? new Map() : matchingBuilds(await buildsInRange(ctx, range), bases);
}
