/**
 * How the terminal shows figures: money like $0.0123, durations in ms / s / min, token counts with
 * thousands separators, times in UTC. Fixed locale (en-US) so output is the same on every machine
 * and tests can compare it. A value never recorded (null) shows as `-`, never as 0.
 */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dollars = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Four decimals below $1 (LLM calls cost fractions of a cent), cents above; `<$0.0001` for dust. */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  if (value > 0 && value < 0.00005) return '<$0.0001';
  if (Math.abs(value) < 1) return `$${value.toFixed(4)}`;
  return `$${dollars.format(value)}`;
}

export function formatTokens(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : integer.format(value);
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')} s`;
}

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

/** `2026-01-31 12:00:05` (UTC), from an ISO string. */
export function formatTime(iso: string): string {
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '');
}

export function plural(n: number, word: string): string {
  return `${integer.format(n)} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Stored text (span names, user ids, error messages) comes from the instrumented apps: control
 * characters are replaced so that a name cannot move the cursor or recolour the terminal, and
 * line breaks cannot break a table row.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}
