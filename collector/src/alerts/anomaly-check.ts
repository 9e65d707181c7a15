/**
 * Anomaly rules (issue 13: "tokens per request / latency / error rate for X moved away from its
 * own recent normal", no hand-set threshold). One query reads the rule's hourly series per group
 * over `baselineDays` before the window and the window itself; the level of the window is then
 * compared with the baseline's: the window's value must lie outside the baseline's robust spread
 * (median ± 4 × 1.4826 × MAD, the MAD scaled to a normal's standard deviation) and differ from
 * the median by at least `minChange` (a relative change), so that neither noise nor a significant
 * but tiny shift alerts. README.md describes it; the change-point detector of
 * insights/change-points replaces the spread test when merged (see `detectShift`).
 */
import { QueryParams } from '@tokentrace/processors';
import type { AnomalyCondition, StoredRule } from './alert-rule.js';
import { formatMetric, metricLabel, metricValue, PERCENTILE_METRICS, type WindowFigures } from './alert-metrics.js';
import type { Judgement } from './alert-state.js';
import { windowRange } from './alert-window.js';
import { groupSpec } from '../queries/analytics-sql.js';
import { parseFilterInput } from '../queries/filter/index.js';
import { modelCallsWhere } from '../queries/model-calls.js';
import { selectRows, type QueryContext } from '../queries/query-context.js';
import type { GroupBy } from '../queries/query-model.js';

export interface AnomalyJudgement extends Judgement {
  requests: number;
  detail: string | undefined;
}

const HOUR_MS = 3_600_000;
/** Scale of the MAD to a normal distribution's standard deviation. */
const MAD_TO_SIGMA = 1.4826;
/** Spread multiplier: 4 σ keeps a month of stable hourly traffic free of alerts. */
const SPREAD = 4;
/** Baseline hours needed before a group is judged. */
const MIN_BASELINE_HOURS = 24;
const MAX_GROUPS = 200;

interface HourRow {
  grp: string;
  hour: string;
  requests: string;
  errors: string;
  cost: number;
  input_tokens: string;
  output_tokens: string;
  latency: number[];
  ttft: number[];
}

export async function judgeAnomalies(ctx: QueryContext, rule: StoredRule, nowMs: number): Promise<Map<string, AnomalyJudgement>> {
  const condition = rule.condition as AnomalyCondition;
  const window = windowRange(rule.window, nowMs);
  const baselineFrom = window.fromMs - condition.baselineDays * 86_400_000;
  const params = new QueryParams();
  const filter = parseFilterInput(rule.filter || undefined);
  const where = modelCallsWhere(params, rule.projectId, { fromMs: baselineFrom, toMs: window.toMs }, filter);
  const group = rule.groupBy ? `toString(${groupSpec(rule.groupBy as GroupBy, params).sql})` : "''";
  const pct = PERCENTILE_METRICS.has(rule.metric);
  const windowStart = params.bind('Int64', window.fromMs);
  // The window is one bucket (hour = -1), the baseline one bucket per hour.
  const rows = await selectRows<HourRow>(
    ctx,
    `SELECT ${group} AS grp,
       if(toUnixTimestamp64Milli(start_time) >= ${windowStart}, toInt64(-1), intDiv(toUnixTimestamp64Milli(start_time), ${HOUR_MS})) AS hour,
       count() AS requests, countIf(status_code = 'error') AS errors, toFloat64(sum(toDecimal128(ifNull(cost_total_usd, 0), 15))) AS cost,
       sum(ifNull(input_tokens, 0)) AS input_tokens, sum(ifNull(output_tokens, 0)) AS output_tokens,
       ${pct ? 'quantilesExact(0.5, 0.95)(duration_ns / 1000000)' : '[]'} AS latency, ${pct ? 'quantilesExact(0.95)(ttft_seconds * 1000)' : '[]'} AS ttft
     FROM ${ctx.spans} FINAL WHERE ${where}
     GROUP BY grp, hour ORDER BY grp, hour`,
    params,
  );
  const byGroup = new Map<string, HourRow[]>();
  for (const r of rows) {
    if (!byGroup.has(r.grp) && byGroup.size >= MAX_GROUPS) continue;
    byGroup.set(r.grp, [...(byGroup.get(r.grp) ?? []), r]);
  }
  const result = new Map<string, AnomalyJudgement>();
  for (const [grp, hours] of byGroup) {
    const current = hours.find((h) => h.hour === '-1');
    const baseline = hours.filter((h) => h.hour !== '-1' && Number(h.requests) >= Math.max(1, Math.ceil(rule.minRequests / 24)));
    const currentFigures = current ? figuresOf(current) : undefined;
    const value = currentFigures ? metricValue(rule.metric, currentFigures) : null;
    const requests = currentFigures?.requests ?? 0;
    const values = baseline.map((h) => metricValue(rule.metric, perHourRate(rule, figuresOf(h), window.toMs - window.fromMs))).filter((v): v is number => v !== null);
    const judged = value !== null && requests >= rule.minRequests && values.length >= MIN_BASELINE_HOURS;
    const shift = judged ? detectShift(values, value, condition.minChange) : undefined;
    result.set(grp, {
      breached: shift !== undefined,
      value,
      severity: rule.severity,
      threshold: shift?.normal ?? (values.length > 0 ? median(values) : null),
      level: 0,
      requests,
      detail: shift ? describe(rule, grp, shift, value!) : undefined,
    });
  }
  return result;
}

/** Volume metrics of the baseline hours scaled to the window's length, so that they compare. */
function perHourRate(rule: StoredRule, f: WindowFigures, windowMs: number): WindowFigures {
  if (['tokens_per_request', 'error_rate', 'latency_p50', 'latency_p95', 'ttft_p95'].includes(rule.metric)) return f;
  const k = windowMs / HOUR_MS;
  return { ...f, costUsd: f.costUsd * k, inputTokens: f.inputTokens * k, outputTokens: f.outputTokens * k, requests: f.requests * k, errors: f.errors * k };
}

export interface Shift {
  normal: number;
  spread: number;
  change: number;
}

/** The window's value against the baseline's median and robust spread; undefined when within normal. */
export function detectShift(baseline: readonly number[], value: number, minChange: number): Shift | undefined {
  const normal = median(baseline);
  const mad = median(baseline.map((v) => Math.abs(v - normal)));
  const spread = SPREAD * MAD_TO_SIGMA * mad;
  const change = normal === 0 ? (value === 0 ? 0 : Infinity) : (value - normal) / Math.abs(normal);
  if (Math.abs(value - normal) <= spread || Math.abs(change) < minChange) return undefined;
  return { normal, spread, change };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function figuresOf(r: HourRow): WindowFigures {
  return {
    requests: Number(r.requests),
    errors: Number(r.errors),
    costUsd: Number(r.cost),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    latencyP50Ms: r.latency.length > 0 ? r.latency[0] : null,
    latencyP95Ms: r.latency.length > 1 ? r.latency[1] : null,
    ttftP95Ms: r.ttft.length > 0 && Number.isFinite(r.ttft[0]) ? r.ttft[0] : null,
  };
}

function describe(rule: StoredRule, group: string, shift: Shift, value: number): string {
  const who = rule.groupBy ? ` for ${rule.groupBy.replace(/^property:/, '')} ${group || '(none)'}` : '';
  const pct = Number.isFinite(shift.change) ? `${shift.change > 0 ? '+' : ''}${Math.round(shift.change * 100)} %` : 'from nothing';
  return `${metricLabel(rule.metric)}${who} moved from its recent normal ${formatMetric(rule.metric, shift.normal)} to ${formatMetric(rule.metric, value)} over the last ${rule.window} (${pct}).`;
}
