/**
 * The lifecycle of one (rule, group): ok → firing → resolved (and ok again), with a notification
 * on each change, again after the repeat interval while firing, and, for a budget, each time a
 * higher level is reached ("escalated"). `judge` says whether a window's figures breach the rule;
 * `transition` compares that with the state the (rule, group) was in.
 */
import { VOLUME_METRICS, type AlertRule, type Severity } from './alert-rule.js';
import { metricValue, type WindowFigures } from './alert-metrics.js';
import { parseDuration } from './alert-window.js';
import type { AlertEventKind } from './notification.js';
import type { BudgetForecast } from './forecast-budget.js';

export interface Judgement {
  breached: boolean;
  value: number | null;
  severity: Severity;
  /** The threshold, or the amount of the budget level reached (or of the first level when none). */
  threshold: number | null;
  /** A budget: the level reached (percent), 0 for none; percentSpent of the budget. */
  level: number;
  percentSpent?: number;
  /** Too little data to say either way (or a forecast within its hysteresis): no state change. */
  undecided?: boolean;
  /** A budget on the forecast: the figures it was judged on (forecast-budget.ts). */
  forecast?: BudgetForecast;
}

/** A (rule, group) that is firing; absent from the state map when ok. */
export interface FiringState {
  severity: Severity;
  level: number;
  sinceMs: number;
  lastNotifiedMs: number;
}

export function judge(rule: AlertRule, figures: WindowFigures): Judgement {
  const value = metricValue(rule.metric, figures);
  const judged = value !== null && (rule.metric === 'requests' || figures.requests >= rule.minRequests);
  // A rate or percentile over too few requests says nothing: a firing alert stays as it is,
  // unless the window holds no request at all (the group is gone).
  const undecided = !judged && !VOLUME_METRICS.has(rule.metric) && figures.requests > 0;
  const c = rule.condition;
  if (c.type === 'budget') {
    const percentSpent = value === null ? 0 : (value / c.amount) * 100;
    const reached = judged ? c.levels.filter((l) => percentSpent >= l.percent).at(-1) : undefined;
    const shown = reached ?? c.levels[0];
    return { breached: reached !== undefined, value, severity: shown.severity, threshold: (c.amount * shown.percent) / 100, level: reached?.percent ?? 0, percentSpent };
  }
  if (c.type === 'threshold') {
    const breached = judged && (c.op === 'above' ? value! > c.value : value! < c.value);
    return { breached, value, severity: rule.severity, threshold: c.value, level: 0, undecided };
  }
  // Anomaly rules are judged by anomaly-check.ts.
  return { breached: false, value, severity: rule.severity, threshold: null, level: 0 };
}

/** The notification this judgement calls for, given the state before (undefined: ok). */
export function transition(rule: AlertRule, before: FiringState | undefined, j: Judgement, nowMs: number): AlertEventKind | undefined {
  if (!before) return j.breached ? 'firing' : undefined;
  if (j.undecided) return undefined;
  if (!j.breached) return 'resolved';
  if (j.level > before.level) return 'escalated';
  const repeatMs = parseDuration(rule.repeatInterval) ?? 0;
  if (repeatMs > 0 && nowMs - before.lastNotifiedMs >= repeatMs) return 'repeat';
  return undefined;
}

/** The state after `event` (undefined: ok). */
export function nextState(before: FiringState | undefined, event: AlertEventKind | undefined, j: Judgement, nowMs: number): FiringState | undefined {
  if (event === undefined) return before;
  if (event === 'resolved') return undefined;
  return { severity: j.severity, level: Math.max(j.level, before?.level ?? 0), sinceMs: before?.sinceMs ?? nowMs, lastNotifiedMs: nowMs };
}
