/**
 * How numbers look on every page: money in USD, durations, token counts, rates and times. One
 * fixed locale (en-US) so the figures read the same in every browser, and the tests can assert
 * them exactly. A value that was never recorded (null) shows as an em dash, never as 0.
 */

export const NONE = '—';

const usd2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usd4 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 4, maximumFractionDigits: 4 });
const usd6 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 });
const usdPriced = new Intl.NumberFormat('en-US', { minimumFractionDigits: 4, maximumFractionDigits: 6 });
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const twoDecimals = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function missing(value) {
  return value === null || value === undefined || Number.isNaN(value);
}

/**
 * Dollars: cents from $1 up ($1,234.56); below, four decimals ($0.0123), since single LLM calls
 * cost fractions of a cent; below $0.0001, up to six ($0.000042). Exactly 0 is $0.00.
 */
export function usd(value) {
  if (missing(value)) return NONE;
  const abs = Math.abs(value);
  const sign = value < 0 ? '-' : '';
  if (abs === 0) return '$0.00';
  if (abs >= 1) return `${sign}$${usd2.format(abs)}`;
  if (abs >= 0.0001) return `${sign}$${usd4.format(abs)}`;
  return `${sign}$${usd6.format(abs)}`;
}

/** Dollars with four to six decimals, for cost breakdowns where every digit was priced. */
export function usdExact(value) {
  if (missing(value)) return NONE;
  return `${value < 0 ? '-' : ''}$${usdPriced.format(Math.abs(value))}`;
}

/** `850 ms`, `1.25 s`, `2m 05s`. */
export function duration(ms) {
  if (missing(ms)) return NONE;
  if (ms < 1) return `${twoDecimals.format(ms)} ms`;
  if (ms < 1000) return `${integer.format(ms)} ms`;
  if (ms < 60_000) return `${twoDecimals.format(ms / 1000)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/** `12,345`. */
export function count(value) {
  if (missing(value)) return NONE;
  return integer.format(value);
}

/** Input → output tokens: `1,200 → 350`. */
export function tokenPair(input, output) {
  if (missing(input) && missing(output)) return NONE;
  return `${count(input)} → ${count(output)}`;
}

/** A 0..1 ratio as a percentage with one decimal: `2.5%`. */
export function percent(ratio) {
  if (missing(ratio)) return NONE;
  return `${(ratio * 100).toFixed(1)}%`;
}

/** p50 / p95 / p99 as durations. */
export function percentiles(p) {
  if (!p) return NONE;
  return `${duration(p.p50)} / ${duration(p.p95)} / ${duration(p.p99)}`;
}

/** An ISO time in the browser's time zone: `2026-11-23 10:04:05`. */
export function dateTime(iso) {
  if (!iso) return NONE;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `15` → `15th` (the collector's forecast-summary.ts words days the same way). */
export function ordinal(d) {
  const suffix = d % 100 >= 11 && d % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][d % 10] ?? 'th');
  return `${d}${suffix}`;
}

/** `1 error`, `2 errors`. */
export function plural(n, one, many = `${one}s`) {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** A group value as shown in tables: the API's '' (field not set) reads `(none)`. */
export function groupLabel(value) {
  return value === '' || value === undefined || value === null ? '(none)' : String(value);
}
