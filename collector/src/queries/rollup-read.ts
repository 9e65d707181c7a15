/**
 * When and how analytics read the usage rollup (processors/src/storage/usage-rollup-*.ts) instead
 * of scanning `spans`: the plan of a read. A query can use it when its group is a dimension the
 * rollup keeps (built-in ones, configured properties) and its filter names only provider and
 * status (columns the rollup's rows have under the same names). The range is then split:
 *
 * - whole UTC days clean at the day level (unless bucketed by hour) → the day's rows; also the
 *   last day of the range when none of its hours after the range ever had a span (e.g. today,
 *   while no span arrives: its day build holds exactly the hours before);
 * - other whole hours clean at the hour level → the hour's rows;
 * - every other hour (partial hours at the ends, hours changed since their build or never built)
 *   → `spans FINAL`, as before.
 *
 * A period that never had a span is read from nowhere. Everything is then merged in one statement
 * (analytics-sql.ts), so the answer is the one `spans FINAL` alone gives: same requests, tokens,
 * Decimal costs and histograms (exact by construction of the rollup; tested in rollup-read.test.ts).
 */
import { cleanBuild, DAY_S, HOUR_S, readRollupState, type PeriodBuild, type QueryParams, type RollupState } from '@tokentrace/processors';
import type { FilterExpression } from './filter/filter-expression.js';
import { compileFilter, resolveField } from './filter/index.js';
import { validateFilter } from './filter/filter-validate.js';
import type { QueryContext } from './query-context.js';
import type { Bucket } from './query-model.js';
import type { RangeMs } from './query-sql.js';

/** Filter fields the rollup's rows carry (as `provider` and `status_code`, like `spans`). */
const ROLLUP_FILTER_FIELDS = new Set(['provider', 'status']);

export interface RollupPlan {
  /** Builds whose rows answer (day and hour builds). */
  buildIds: string[];
  /** Hours read from spans (seconds, UTC hour starts), including partial hours at the ends. */
  rawHours: number[];
  /** Whole hours of the range: [fromS, toS). */
  fromS: number;
  toS: number;
}

/** True when the filter names only fields the rollup's rows carry. */
export function rollupCanFilter(filter: FilterExpression | undefined): boolean {
  if (filter === undefined) return true;
  const fits = (e: FilterExpression): boolean => {
    const node = e as Record<string, unknown>;
    const [key] = Object.keys(node);
    if (key === 'and' || key === 'or') return (node[key] as FilterExpression[]).every(fits);
    if (key === 'not') return fits(node.not as FilterExpression);
    const resolved = resolveField(key);
    return !('problem' in resolved) && resolved.kind !== 'property' && ROLLUP_FILTER_FIELDS.has(resolved.name);
  };
  return fits(validateFilter(filter));
}

/**
 * The plan for dimension `dim` over `range`; undefined when the rollup answers nothing of it (no
 * whole hour, or no clean build): then the query reads spans alone, as without a rollup.
 */
export async function planRollupRead(ctx: QueryContext, projectId: string, range: RangeMs, dim: string, bucket: Bucket | undefined): Promise<RollupPlan | undefined> {
  if (ctx.rollup === undefined) return undefined;
  const state = await readPlanState(ctx, projectId, range);
  return state && planFromState(state, ctx.rollup.graceMs, range, [dim], bucket);
}

/** The rollup's state of `range`'s whole hours through the end of its last day; undefined when it has no whole hour. */
export async function readPlanState(ctx: QueryContext, projectId: string, range: RangeMs): Promise<RollupState | undefined> {
  const { fromS, toS } = wholeHours(range);
  if (fromS >= toS) return undefined;
  // Through the end of the range's last day: its later hours say whether its day build can answer.
  return readRollupState(ctx.client, ctx.database, projectId, fromS, Math.ceil(toS / DAY_S) * DAY_S);
}

function wholeHours(range: RangeMs): { fromS: number; toS: number } {
  return { fromS: Math.ceil(range.fromMs / (HOUR_S * 1000)) * HOUR_S, toS: Math.floor(range.toMs / (HOUR_S * 1000)) * HOUR_S };
}

/**
 * The plan over `range` from its state (readPlanState) for every dimension of `dims` at once: a
 * period answers from the rollup when it is clean for each. `boundariesMs` (e.g. the ends of the
 * windows a read compares) split the range: no day is taken whole across one, and an hour that
 * one cuts is read from spans.
 */
export function planFromState(
  state: RollupState,
  graceMs: number,
  range: RangeMs,
  dims: readonly string[],
  bucket: Bucket | undefined,
  boundariesMs: readonly number[] = [],
): RollupPlan | undefined {
  const { fromS, toS } = wholeHours(range);
  if (fromS >= toS) return undefined;
  const cuts = (startS: number, endS: number) => boundariesMs.some((b) => b > startS * 1000 && b < endS * 1000);
  const clean = (level: 'hour' | 'day', start: number) => {
    let found: PeriodBuild | null = null;
    for (const dim of dims) {
      const build = cleanBuild(state, level, start, dim, graceMs);
      if (build === undefined) return undefined;
      found = build;
    }
    return found;
  };
  const buildIds: string[] = [];
  const rawHours: number[] = [];
  if (range.fromMs < fromS * 1000) rawHours.push(fromS - HOUR_S);
  // A day that starts in the range answers for it when it ends in the range, or when none of its
  // hours after the range's last whole hour ever had a span (today, between two bursts of spans).
  const restUnchanged = (day: number) => {
    for (let h = toS; h < day + DAY_S; h += HOUR_S) if (state.changes.has(h)) return false;
    return true;
  };
  for (let h = fromS; h < toS; ) {
    const dayWhole = h % DAY_S === 0 && bucket !== 'hour' && (h + DAY_S <= toS || restUnchanged(h)) && !cuts(h, h + DAY_S);
    const day = dayWhole ? clean('day', h) : undefined;
    if (day !== undefined) {
      if (day !== null) buildIds.push(day.buildId);
      h += DAY_S;
      continue;
    }
    const hour = cuts(h, h + HOUR_S) ? undefined : clean('hour', h);
    if (hour === undefined) rawHours.push(h);
    else if (hour !== null) buildIds.push(hour.buildId);
    h += HOUR_S;
  }
  if (range.toMs > toS * 1000) rawHours.push(toS);
  if (buildIds.length === 0) return undefined;
  return { buildIds, rawHours, fromS, toS };
}

/**
 * The spans of `hours` (seconds, UTC hour starts; not empty): the plan's raw hours, for analytics
 * and the explainer alike. (Adding the range from the first to the end of the last, for partition
 * pruning, was measured slower: 220 against 191 ms for cost by user over 7 days with its 20 newest
 * hours raw, 3 M spans, interleaved; bench/README.md.)
 */
export function rawHoursCondition(params: QueryParams, hours: readonly number[]): string {
  return `toStartOfHour(start_time) IN (SELECT toDateTime(arrayJoin(${params.bind('Array(UInt32)', hours)}), 'UTC'))`;
}

/** Reading the rollup: the plan, the group's dimension and the filter's SQL (absent for none), which names provider and status only. */
export interface RollupRead {
  projectId: string;
  plan: RollupPlan;
  dim: string;
  /** The filter on provider and status (the rows per provider and status, `split` 1); absent: none (the rows over all of them, `split` 0). */
  filterSql?: string;
}

/**
 * The rollup's part of a read of `dim` (analytics-sql.ts `perGroupSql`), when the filter allows
 * it and the rollup has clean periods in the range; undefined: spans only.
 */
export async function rollupRead(
  ctx: QueryContext,
  params: QueryParams,
  projectId: string,
  range: RangeMs,
  dim: string,
  bucket: Bucket | undefined,
  filter: FilterExpression | undefined,
): Promise<RollupRead | undefined> {
  if (!rollupCanFilter(filter)) return undefined;
  const plan = await planRollupRead(ctx, projectId, range, dim, bucket);
  if (plan === undefined) return undefined;
  return { projectId, plan, dim, filterSql: filter === undefined ? undefined : compileFilter(filter, params) };
}
