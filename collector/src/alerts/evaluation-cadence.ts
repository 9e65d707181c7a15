/**
 * How often a rule is evaluated: a rule over a long window changes slowly, so reading its whole
 * window every minute buys nothing. A threshold or budget rule is due every window / 48 (a 1-hour
 * window every round, 6 hours every 7.5 minutes, a day or more every 15 minutes at most); an
 * anomaly rule, judged on hourly values, every 5 minutes at least. The round schedule stays one
 * minute: a rule is due in a round when its cadence boundary passed since the previous round.
 * A budget on the forecast (forecast-budget.ts), a month-end figure that moves with each day's
 * spend, is due every 15 minutes whatever its window: its simulation then costs a round in 15.
 * This keeps the rounds of 100 rules over 30 days of spans a small share of a core (README.md).
 */
import type { AlertRule } from './alert-rule.js';
import { parseDuration } from './alert-window.js';
import { isForecastRule } from './forecast-budget.js';

const MINUTE = 60_000;
const MAX_CADENCE_MS = 15 * MINUTE;
/** Below this the rule is simply evaluated every round. */
const EVERY_ROUND_MS = 2 * MINUTE;

function windowLengthMs(window: string): number {
  if (window === 'calendar_day') return 24 * 60 * MINUTE;
  if (window === 'calendar_month') return 30 * 24 * 60 * MINUTE;
  return parseDuration(window) ?? 0;
}

export function cadenceMs(rule: Pick<AlertRule, 'window' | 'condition'>): number {
  if (isForecastRule(rule)) return MAX_CADENCE_MS;
  const windowMs = windowLengthMs(rule.window);
  const cadence = rule.condition.type === 'anomaly' ? Math.max(5 * MINUTE, windowMs / 12) : windowMs / 48;
  const bounded = Math.min(MAX_CADENCE_MS, cadence);
  return bounded < EVERY_ROUND_MS ? 0 : bounded;
}

/** Whether the rule is due at `nowMs` when the previous round was at `previousMs` (none: due). */
export function isDue(rule: Pick<AlertRule, 'window' | 'condition'>, nowMs: number, previousMs: number | undefined): boolean {
  const cadence = cadenceMs(rule);
  if (previousMs === undefined || cadence === 0 || nowMs <= previousMs) return true;
  return Math.floor(nowMs / cadence) > Math.floor(previousMs / cadence);
}
