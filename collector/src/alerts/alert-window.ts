/**
 * Windows and intervals of alert rules: `<n>m|h|d` durations, and the range a window covers at an
 * evaluation time: rolling windows end at the evaluation time; `calendar_day` and
 * `calendar_month` run from the start of the current UTC day or month.
 */

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

/** The range `window` covers when evaluated at `nowMs` (a validated window). */
export function windowRange(window: string, nowMs: number): WindowRange {
  const now = new Date(nowMs);
  if (window === 'calendar_day') return { fromMs: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()), toMs: nowMs };
  if (window === 'calendar_month') return { fromMs: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1), toMs: nowMs };
  return { fromMs: nowMs - parseDuration(window)!, toMs: nowMs };
}

/** Whether `window` is a window a rule may have. */
export function isValidWindow(window: unknown): window is string {
  if (typeof window !== 'string') return false;
  if ((CALENDAR_WINDOWS as readonly string[]).includes(window)) return true;
  const ms = parseDuration(window);
  return ms !== undefined && ms >= MIN_WINDOW_MS && ms <= MAX_WINDOW_MS;
}
