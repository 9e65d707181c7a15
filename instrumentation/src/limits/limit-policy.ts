/**
 * One limit: a quota of requests or cents per window, counted per segment (everyone, each user,
 * each value of a property). Written by the `Helicone-RateLimit-Policy` header (Helicone's
 * grammar, https://docs.helicone.ai/features/advanced-usage/custom-rate-limits:
 * `[quota];w=[time_window];u=[unit];s=[segment]`, the window in seconds, at least 60; unit
 * `request` (default) or `cents`; segment `user` or a property name, global when absent) or by a
 * budget in the configuration (limit-config.ts).
 */

export type LimitUnit = 'request' | 'cents';
/** `global` is everything the process (or the processes sharing a Redis) sends for the project. */
export type LimitSegment = { kind: 'global' } | { kind: 'user' } | { kind: 'property'; name: string };
/**
 * Fixed windows: `seconds` aligned to the Unix epoch, or UTC calendar days and months; or a
 * rolling window of `seconds` (`rolling: true`): the last `seconds`, counted in 60 buckets.
 */
export type LimitWindow = { seconds: number; rolling?: boolean } | 'day' | 'month';
export type LimitMode = 'enforce' | 'warn';

export interface LimitPolicy {
  /** Identifies the counter (with the segment value and window); the header text for header policies. */
  id: string;
  quota: number;
  window: LimitWindow;
  unit: LimitUnit;
  segment: LimitSegment;
  mode: LimitMode;
  /** Only calls whose tracking values match are counted (budgets in the configuration). */
  match?: { userId?: string; properties?: Record<string, string> };
  /** The policy as Helicone writes it, for `Helicone-RateLimit-Policy` and the span. */
  text: string;
}

/** Helicone's minimum window. */
export const MIN_WINDOW_SECONDS = 60;

export class LimitPolicyError extends Error {
  readonly code = 'TOKENTRACE_INVALID_RATE_LIMIT_POLICY';
}

/** Parses a `Helicone-RateLimit-Policy` value; throws LimitPolicyError saying what is wrong. */
export function parseLimitPolicy(text: string, mode: LimitMode = 'enforce'): LimitPolicy {
  const [quotaText, ...params] = text.split(';').map((p) => p.trim());
  const quota = Number(quotaText);
  if (!quotaText || !Number.isFinite(quota) || quota < 0) throw new LimitPolicyError(`quota must be a number >= 0, got "${quotaText}"`);
  let seconds: number | undefined;
  let unit: LimitUnit = 'request';
  let segment: LimitSegment = { kind: 'global' };
  for (const param of params) {
    if (param === '') continue;
    const eq = param.indexOf('=');
    const key = param.slice(0, eq).trim().toLowerCase();
    const value = param.slice(eq + 1).trim();
    if (eq < 0) throw new LimitPolicyError(`expected key=value, got "${param}"`);
    if (key === 'w') {
      seconds = Number(value);
      if (!Number.isInteger(seconds) || seconds < MIN_WINDOW_SECONDS) throw new LimitPolicyError(`w must be whole seconds >= ${MIN_WINDOW_SECONDS}, got "${value}"`);
    } else if (key === 'u') {
      const u = value.toLowerCase();
      if (u !== 'request' && u !== 'cents') throw new LimitPolicyError(`u must be request or cents, got "${value}"`);
      unit = u;
    } else if (key === 's') {
      if (!value) throw new LimitPolicyError('s must name user or a property');
      // Property names are stored lower-cased, as the Helicone-Property-* headers are read.
      segment = value.toLowerCase() === 'user' ? { kind: 'user' } : { kind: 'property', name: value.toLowerCase() };
    } else throw new LimitPolicyError(`unknown parameter "${key}"`);
  }
  if (seconds === undefined) throw new LimitPolicyError('w (the window in seconds) is required');
  const window = { seconds };
  const normalized = formatPolicy(quota, window, unit, segment);
  return { id: `h:${normalized}`, quota, window, unit, segment, mode, text: normalized };
}

/** Helicone's form of a policy; calendar windows are written with their length in seconds of the current one's nominal length. */
export function formatPolicy(quota: number, window: LimitWindow, unit: LimitUnit, segment: LimitSegment): string {
  // Helicone's grammar has no calendar or rolling windows: their length in seconds (a month as 30 days).
  const w = typeof window === 'object' ? window.seconds : window === 'day' ? 86_400 : 2_592_000;
  const s = segment.kind === 'global' ? '' : `;s=${segment.kind === 'user' ? 'user' : segment.name}`;
  return `${quota};w=${w};u=${unit}${s}`;
}
