/**
 * Anomaly rules (issue 13: "tokens per request / latency / error rate for X moved away from its
 * own recent normal", no hand-set threshold). One query reads the rule's metric per group and per
 * hour, counted back from the evaluation time (hour 0 is the last 60 minutes), over the window
 * and `baselineDays` before it; the window's hourly values are judged against the baseline's by
 * `isAnomalous` of insights/change-points: robust z of the medians (median and MAD of the
 * baseline, so past incidents do not widen the normal) beyond 4, and a relative change of at least
 * `minChange`. Latency, TTFT and error rate alert upwards only (down is good news); tokens per
 * request both ways. Hours with fewer than 3 requests are left out (their ratios are noise).
 *
 * The error rate is a rate of rare events: hourly rates are mostly 0 and their median and MAD say
 * little. It is judged as counts instead: the window's errors against a Poisson with the
 * baseline's pooled rate × the window's requests, anomalous when the chance of that many errors or
 * more is below 1e-6 (about 5 σ) and there are at least 3.
 */
import { QueryParams } from '@tokentrace/processors';
import { DEFAULT_ANOMALY_OPTIONS, isAnomalous, median } from '../insights/change-points/index.js';
import type { AnomalyCondition, StoredRule } from './alert-rule.js';
import { formatMetric, metricLabel, metricValue, NO_FIGURES, PERCENTILE_METRICS, type WindowFigures } from './alert-metrics.js';
import type { Judgement } from './alert-state.js';
import { windowRange } from './alert-window.js';
import { figuresOfRow, SUMMED_FIGURES, type FigureColumns } from './window-scan.js';
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
const MIN_HOUR_REQUESTS = 3;
/** Baseline hours a group needs before it is judged (the detector's own minimum is 12). */
const MIN_BASELINE_HOURS = 24;
const MAX_GROUPS = 200;

interface HourRow extends FigureColumns {
  /** Whole hours before the window's end. */
  ago: string;
}

/**
 * `billingDay`: the day `calendar_month` windows start on (alert-window.ts). `firing(group)`:
 * whether the group's alert is firing. A firing alert resolves only once the
 * level is back well within normal (robust z under 2, the change under half of `minChange`):
 * hysteresis, so that an hour of fewer or noisier requests does not resolve a shift that is still
 * there.
 */
export async function judgeAnomalies(ctx: QueryContext, rule: StoredRule, nowMs: number, billingDay: number, firing: (group: string) => boolean = () => false): Promise<Map<string, AnomalyJudgement>> {
  const condition = rule.condition as AnomalyCondition;
  const window = windowRange(rule.window, nowMs, billingDay);
  const windowHours = Math.max(1, Math.ceil((window.toMs - window.fromMs) / HOUR_MS));
  const params = new QueryParams();
  const from = window.toMs - (windowHours + condition.baselineDays * 24) * HOUR_MS;
  const where = modelCallsWhere(params, rule.projectId, { fromMs: from, toMs: window.toMs }, parseFilterInput(rule.filter || undefined));
  const group = rule.groupBy ? `toString(${groupSpec(rule.groupBy as GroupBy, params).sql})` : "''";
  const pct = PERCENTILE_METRICS.has(rule.metric);
  const figuresOf = (h: HourRow) => figuresOfRow(h, pct);
  const rows = await selectRows<HourRow>(
    ctx,
    `SELECT ${group} AS grp, intDiv(${params.bind('Int64', window.toMs)} - 1 - toUnixTimestamp64Milli(start_time), ${HOUR_MS}) AS ago,
       ${SUMMED_FIGURES},
       ${pct ? 'quantilesExact(0.5, 0.95)(duration_ns / 1000000)' : '[]'} AS latency,
       ${pct ? 'quantilesExact(0.95)(ttft_seconds * 1000)' : '[]'} AS ttft, count(ttft_seconds) AS ttft_n
     FROM ${ctx.spans} FINAL WHERE ${where}
     GROUP BY grp, ago ORDER BY grp, ago`,
    params,
  );
  const byGroup = new Map<string, HourRow[]>();
  for (const r of rows) {
    if (!byGroup.has(r.grp) && byGroup.size >= MAX_GROUPS) continue;
    byGroup.set(r.grp, [...(byGroup.get(r.grp) ?? []), r]);
  }
  const result = new Map<string, AnomalyJudgement>();
  for (const [grp, hours] of byGroup) {
    const recentHours = hours.filter((h) => Number(h.ago) < windowHours);
    const windowFigures = recentHours.map(figuresOf).reduce(add, NO_FIGURES);
    const valueOf = (h: HourRow) => (Number(h.requests) >= MIN_HOUR_REQUESTS ? metricValue(rule.metric, figuresOf(h)) : null);
    const recent = recentHours.map(valueOf).filter((v): v is number => v !== null);
    const history = hours.filter((h) => Number(h.ago) >= windowHours).map(valueOf).filter((v): v is number => v !== null);
    // Percentiles do not add up: the window's value is the median of its hours'.
    const value = pct ? (recent.length > 0 ? median(recent) : null) : metricValue(rule.metric, windowFigures);
    const judged = value !== null && windowFigures.requests >= rule.minRequests && history.length >= MIN_BASELINE_HOURS && recent.length > 0;
    const verdict =
      rule.metric === 'error_rate'
        ? errorCountVerdict(windowFigures, hours.filter((h) => Number(h.ago) >= windowHours).map(figuresOf).reduce(add, NO_FIGURES), condition.minChange, firing(grp))
        : levelVerdict(recent, history, condition.minChange, rule.metric === 'tokens_per_request' ? 'both' : 'up', firing(grp));
    const breached = judged && verdict.anomalous;
    result.set(grp, {
      breached,
      undecided: !judged && windowFigures.requests > 0,
      value,
      severity: rule.severity,
      threshold: history.length > 0 ? verdict.normal : null,
      level: 0,
      requests: windowFigures.requests,
      detail: breached ? describe(rule, grp, verdict.normal, value!, verdict.relativeChange, verdict.z) : undefined,
    });
  }
  return result;
}

/**
 * Per-request levels (tokens, latency, TTFT) are positive and right-skewed, and their spread
 * grows with their level: judged on their logarithms (the detector's `relative` family does the
 * same), the change reported on the original scale.
 */
function levelVerdict(recent: number[], history: number[], minChange: number, direction: 'up' | 'both', firing: boolean): { anomalous: boolean; normal: number; relativeChange: number; z: number } {
  const log = (values: number[]) => values.filter((v) => v > 0).map(Math.log);
  const threshold = firing ? RESOLVE_Z : DEFAULT_ANOMALY_OPTIONS.threshold;
  const v = isAnomalous(log(recent), log(history), { threshold, minRelativeChange: 0, minHistory: MIN_BASELINE_HOURS, direction });
  const normal = Math.exp(v.normal);
  const relativeChange = Math.exp(v.recent - v.normal) - 1;
  return { anomalous: v.anomalous && Math.abs(relativeChange) >= (firing ? minChange / 2 : minChange), normal, relativeChange, z: v.z };
}

/** A firing anomaly stays firing while its robust z is beyond this (the detector's 4 to start). */
const RESOLVE_Z = 2;

/** Smallest chance of the window's error count under the baseline's rate that is still normal. */
const ERROR_P_VALUE = 1e-6;
const MIN_ERRORS = 3;

function errorCountVerdict(window: WindowFigures, baseline: WindowFigures, minChange: number, firing: boolean): { anomalous: boolean; normal: number; relativeChange: number; z: number } {
  // A baseline without errors still has a rate: at most half an error over its requests.
  const rate = Math.max(baseline.errors, 0.5) / Math.max(baseline.requests, 1);
  const expected = rate * window.requests;
  const relativeChange = expected > 0 ? window.errors / expected - 1 : 0;
  const p = poissonUpperTail(window.errors, expected);
  const z = expected > 0 ? (window.errors - expected) / Math.sqrt(expected) : 0;
  if (firing) return { anomalous: z > RESOLVE_Z && relativeChange >= minChange / 2, normal: rate, relativeChange, z };
  return { anomalous: window.errors >= MIN_ERRORS && p < ERROR_P_VALUE && relativeChange >= minChange, normal: rate, relativeChange, z };
}

/** P(X ≥ k) for X ~ Poisson(λ), summed in log space from k up (the tail is what is small). */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (!(lambda > 0)) return 0;
  let logTerm = -lambda + k * Math.log(lambda) - logFactorial(k);
  let sum = 0;
  for (let x = k; x < k + 1000; x++) {
    const term = Math.exp(logTerm);
    sum += term;
    if (term < sum * 1e-12 && x > lambda) break;
    logTerm += Math.log(lambda) - Math.log(x + 1);
  }
  return Math.min(1, sum);
}

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}


function add(a: WindowFigures, b: WindowFigures): WindowFigures {
  return { ...NO_FIGURES, requests: a.requests + b.requests, errors: a.errors + b.errors, costUsd: a.costUsd + b.costUsd, inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
}

function describe(rule: StoredRule, group: string, normal: number, value: number, change: number, z: number): string {
  const who = rule.groupBy ? ` for ${rule.groupBy.replace(/^property:/, '')} ${group || '(none)'}` : '';
  const pct = Number.isFinite(change) ? `${change > 0 ? '+' : ''}${Math.round(change * 100)} %` : 'from nothing';
  const label = metricLabel(rule.metric);
  return `${label[0].toUpperCase()}${label.slice(1)}${who} moved away from its normal: ${formatMetric(rule.metric, value)} over the last ${rule.window} against ${formatMetric(rule.metric, normal)} over the ${(rule.condition as AnomalyCondition).baselineDays} days before (${pct}, robust z ${z.toFixed(1)}).`;
}
