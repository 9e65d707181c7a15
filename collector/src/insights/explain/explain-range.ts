/**
 * The baseline of a comparison, from its name or its bounds: `previous` (the same length just
 * before the period: the default), `previous-week` (the period's hours 7 days earlier: the same
 * weekdays, so the weekly cycle cancels) or `<from>..<to>` (ISO-8601 dates or times).
 */
import { QueryError } from '../../queries/query-error.js';
import type { MsRange } from './explain-model.js';

const WEEK_MS = 7 * 86_400_000;
/** Longest span read (baseline start to period end): hourly series stay small. */
export const MAX_SPAN_MS = 400 * 86_400_000;

export function baselineFor(period: MsRange, baseline: string | undefined): MsRange {
  const spec = (baseline ?? 'previous').trim();
  if (spec === 'previous') return { fromMs: 2 * period.fromMs - period.toMs, toMs: period.fromMs };
  if (spec === 'previous-week') return { fromMs: period.fromMs - WEEK_MS, toMs: period.toMs - WEEK_MS };
  const match = /^(.+)\.\.(.+)$/.exec(spec);
  const from = match ? Date.parse(zoned(match[1])) : Number.NaN;
  const to = match ? Date.parse(zoned(match[2])) : Number.NaN;
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new QueryError(`baseline: expected previous, previous-week or <from>..<to> (ISO-8601), got ${JSON.stringify(baseline)}`, 'baseline');
  }
  return { fromMs: from, toMs: to };
}

const zoned = (text: string) => (/T/i.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim()) ? `${text.trim()}Z` : text.trim());

export function checkRanges(period: MsRange, baseline: MsRange): void {
  for (const [name, r] of [['period', period], ['baseline', baseline]] as const) {
    if (!Number.isFinite(r.fromMs) || !Number.isFinite(r.toMs) || r.fromMs >= r.toMs) throw new QueryError(`${name}: from must be before to`, name);
  }
  if (baseline.fromMs < period.toMs && period.fromMs < baseline.toMs) throw new QueryError('baseline: must not overlap the period', 'baseline');
  if (Math.max(period.toMs, baseline.toMs) - Math.min(period.fromMs, baseline.fromMs) > MAX_SPAN_MS) {
    throw new QueryError('baseline: the baseline and the period must lie within 400 days', 'baseline');
  }
}
