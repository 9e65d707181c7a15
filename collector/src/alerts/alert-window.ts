/**
 * Windows and intervals of alert rules: `<n>m|h|d` durations, and the range a window covers at an
 * evaluation time: rolling windows end at the evaluation time; `calendar_day` and
 * `calendar_month` run from the start of the current UTC day or billing period: the month starts
 * at 00:00 UTC on the billing day (`forecast.billingDay`, 1 = calendar months), the same period the
 * month-end forecast forecasts (insights/forecast/billing-period.ts).
 */
import { billingPeriodAt } from '../insights/forecast/billing-period.js';
import { DAY_MS } from '../insights/forecast/daily-model.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const MIN_WINDOW_MS = 5 * UNIT_MS.m;
export const MAX_WINDOW_MS = 30 * UNIT_MS.d;
export const CALENDAR_WINDOWS = ['calendar_day', 'calendar_month'] as const;

/** `90m` → 5400000; undefined when not `<n>m|h|d`. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})([mhd])$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : undefined;
}

export interface WindowRange {
  fromMs: number;
  toMs: number;
}

/** The range `window` covers when evaluated at `nowMs` (a validated window); months start on `billingDay` (1–28). */
export function windowRange(window: string, nowMs: number, billingDay = 1): WindowRange {
  if (window === 'calendar_day') return { fromMs: Math.floor(nowMs / DAY_MS) * DAY_MS, toMs: nowMs };
  if (window === 'calendar_month') return { fromMs: billingPeriodAt(nowMs, billingDay).startDay * DAY_MS, toMs: nowMs };
  return { fromMs: nowMs - parseDuration(window)!, toMs: nowMs };
}

/** Whether `window` is a window a rule may have. */
export function isValidWindow(window: unknown): window is string {
  if (typeof window !== 'string') return false;
  if ((CALENDAR_WINDOWS as readonly string[]).includes(window)) return true;
  const ms = parseDuration(window);
  return ms !== undefined && ms >= MIN_WINDOW_MS && ms <= MAX_WINDOW_MS;
}
