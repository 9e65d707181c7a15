/**
 * One evaluation round in as few ClickHouse scans as the rules allow: rules of a project whose
 * windows cover the same range share one scan of `spans` (FINAL, model calls only, the range
 * pruning days and hours), and within it every distinct (filter, grouping) is a slot. Each row is
 * tagged with the slots whose filter it matches (`ARRAY JOIN` over `(slot, group, matches)`
 * tuples), and figures are summed per (slot, group): N rules over one window cost one read of that
 * window. Rules that differ only in metric or condition share a slot. Every value is a query
 * parameter; the SQL text is built from the filter's structure only (queries/filter).
 */
import { QueryParams } from '@tokentrace/processors';
import { groupSpec } from '../queries/analytics-sql.js';
import { modelCallsWhere } from '../queries/model-calls.js';
import { selectRows, type QueryContext } from '../queries/query-context.js';
import { compileFilter, parseFilterInput } from '../queries/filter/index.js';
import type { GroupBy } from '../queries/query-model.js';
import type { WindowFigures } from './alert-metrics.js';
import type { WindowRange } from './alert-window.js';

/** Groups kept per slot, the largest by requests: one alert per group, bounded. */
export const MAX_GROUPS_PER_SLOT = 500;

export interface ScanSlot {
  filter: string;
  groupBy: string;
  /** Compute latency and TTFT percentiles for this slot (they keep every value: only when a rule needs them). */
  percentiles: boolean;
}

export interface WindowScan {
  projectId: string;
  range: WindowRange;
  slots: ScanSlot[];
}

/** The sums every alert read takes per group (percentiles differ by read). */
export const SUMMED_FIGURES = `count() AS requests, countIf(status_code = 'error') AS errors,
    toFloat64(sum(toDecimal128(ifNull(cost_total_usd, 0), 15))) AS cost,
    sum(ifNull(input_tokens, 0)) AS input_tokens, sum(ifNull(output_tokens, 0)) AS output_tokens`;

/** A group's figures as an alert read returns them: SUMMED_FIGURES plus `latency` [p50, p95], `ttft` [p95] and `ttft_n`. */
export interface FigureColumns {
  grp: string;
  requests: string;
  errors: string;
  cost: number;
  input_tokens: string;
  output_tokens: string;
  latency: number[];
  ttft: number[];
  ttft_n: string;
}

interface FigureRow extends FigureColumns {
  slot: number;
}

export function scanSql(ctx: QueryContext, scan: WindowScan, params: QueryParams): string {
  const where = modelCallsWhere(params, scan.projectId, scan.range, undefined);
  const tuples = scan.slots.map((slot, i) => {
    const group = slot.groupBy ? `toString(${groupSpec(slot.groupBy as GroupBy, params).sql})` : "''";
    const filter = parseFilterInput(slot.filter || undefined);
    const matches = filter ? `toUInt8(${compileFilter(filter, params)})` : 'toUInt8(1)';
    return `tuple(toUInt16(${i}), ${group}, ${matches})`;
  });
  const pct = scan.slots.flatMap((s, i) => (s.percentiles ? [i] : []));
  const pctCond = pct.length === 0 ? '0' : `has([${pct.map((i) => `toUInt16(${i})`).join(', ')}], slot)`;
  return `SELECT tagged.1 AS slot, tagged.2 AS grp, ${SUMMED_FIGURES},
    quantilesExactIf(0.5, 0.95)(duration_ns / 1000000, ${pctCond}) AS latency,
    quantilesExactIf(0.95)(ttft_seconds * 1000, ${pctCond} AND isNotNull(ttft_seconds)) AS ttft,
    countIf(${pctCond} AND isNotNull(ttft_seconds)) AS ttft_n
  FROM ${ctx.spans} FINAL
  ARRAY JOIN arrayFilter(t -> t.3 = 1, [${tuples.join(', ')}]) AS tagged
  WHERE ${where}
  GROUP BY slot, grp
  ORDER BY slot, requests DESC, grp
  LIMIT ${params.bind('UInt32', MAX_GROUPS_PER_SLOT)} BY slot`;
}

/** The figures of each slot (in order), per group (`''` for an ungrouped slot). */
export async function runScan(ctx: QueryContext, scan: WindowScan): Promise<Array<Map<string, WindowFigures>>> {
  const params = new QueryParams();
  const rows = await selectRows<FigureRow>(ctx, scanSql(ctx, scan, params), params);
  const result = scan.slots.map(() => new Map<string, WindowFigures>());
  for (const r of rows) result[r.slot].set(r.grp, figuresOfRow(r, scan.slots[r.slot].percentiles));
  return result;
}

/** A row's figures; percentiles only where they were computed (`percentiles`) over some values. */
export function figuresOfRow(r: FigureColumns, percentiles: boolean): WindowFigures {
  const requests = Number(r.requests);
  const latency = r.latency ?? [];
  const ttft = r.ttft ?? [];
  // quantilesExactIf over no values gives zeros (not NULL): no values, no percentile.
  const hasPct = percentiles && requests > 0;
  return {
    requests,
    errors: Number(r.errors),
    costUsd: Number(r.cost),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    latencyP50Ms: hasPct ? finiteOrNull(latency[0]) : null,
    latencyP95Ms: hasPct ? finiteOrNull(latency[1]) : null,
    ttftP95Ms: hasPct && Number(r.ttft_n) > 0 ? finiteOrNull(ttft[0]) : null,
  };
}

function finiteOrNull(value: unknown): number | null {
  const n = Number(value);
  return value === undefined || value === null || !Number.isFinite(n) ? null : n;
}
