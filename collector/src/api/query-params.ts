/**
 * Reading the query API's inputs, from a GET's query string or a POST's JSON body alike: time
 * range (`since` or `from`/`to`), limit, bucket, groupBy, cursor, filter, ids. Every refusal is a
 * 400 that names the parameter, so a typo (`group_by`, `since=7days`) is an answer, not a silently
 * ignored default.
 */
import type { FilterExpression } from '../queries/filter/filter-expression.js';
import { parseFilterInput } from '../queries/filter/index.js';
import type { Bucket, GroupBy, TimeRange } from '../queries/query-model.js';
import { invalidQuery } from './query-api-error.js';

/** req.query (strings, arrays when repeated) or a parsed JSON body. */
export type ParamValues = Record<string, unknown>;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Ten years: far enough back for anything stored, near enough that Date arithmetic stays exact. */
const MAX_SINCE_MS = 3650 * UNIT_MS.d;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const GROUPS = ['model', 'provider', 'user', 'session_name', 'prompt_id', 'service', 'environment'] as const;
export const MAX_LIMIT = 500;

/** Refuses parameters the endpoint does not know. */
export function checkKnown(values: ParamValues, known: readonly string[]): void {
  for (const name of Object.keys(values)) {
    if (!known.includes(name)) throw invalidQuery(name, `unknown parameter (this endpoint takes: ${known.join(', ') || 'none'})`);
  }
}

/** One string value, or undefined when absent; repeated query parameters and non-strings are refused. */
export function single(values: ParamValues, name: string): string | undefined {
  const value = values[name];
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) throw invalidQuery(name, 'given more than once');
  if (typeof value !== 'string') throw invalidQuery(name, `expected a string, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * `since=<n>(m|h|d)` back from now, or `from`/`to` (ISO-8601; a time without zone is UTC), as a
 * half-open range. `from` alone runs to now; `to` alone starts `defaultSince` before it.
 */
export function parseTimeRange(values: ParamValues, defaultSince: string, now = new Date()): TimeRange {
  const since = single(values, 'since');
  const from = single(values, 'from');
  const to = single(values, 'to');
  if (since !== undefined && (from !== undefined || to !== undefined)) throw invalidQuery('since', 'give either since or from/to, not both');
  if (from === undefined && to === undefined) return { from: new Date(now.getTime() - sinceMs(since ?? defaultSince, 'since')), to: now };
  const end = to === undefined ? now : isoDate(to, 'to');
  const start = from === undefined ? new Date(end.getTime() - sinceMs(defaultSince, 'since')) : isoDate(from, 'from');
  if (start.getTime() >= end.getTime()) throw invalidQuery('from', `must be before to (${end.toISOString()})`);
  return { from: start, to: end };
}

function sinceMs(text: string, name: string): number {
  const match = /^(\d{1,7})([mhd])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : NaN;
  if (!(ms > 0) || ms > MAX_SINCE_MS) throw invalidQuery(name, `expected a duration like 30m, 24h or 7d (at most 3650d), got ${JSON.stringify(text)}`);
  return ms;
}

function isoDate(text: string, name: string): Date {
  const trimmed = text.trim();
  const zoned = /T/i.test(trimmed) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) ? `${trimmed}Z` : trimmed;
  const date = ISO_DATE.test(trimmed) ? new Date(zoned) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw invalidQuery(name, `expected an ISO-8601 date or time like 2026-01-31 or 2026-01-31T12:00:00Z, got ${JSON.stringify(text)}`);
  return date;
}

/** A positive integer up to `max` (query string digits or a JSON number), or `fallback`. */
export function parseLimit(values: ParamValues, fallback?: number, max = MAX_LIMIT): number | undefined {
  const value = values.limit;
  if (value === undefined || value === null) return fallback;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalidQuery('limit', `expected an integer from 1 to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

export function parseBucket(values: ParamValues): Bucket | undefined {
  const bucket = single(values, 'bucket');
  if (bucket === undefined || bucket === '') return undefined;
  if (bucket !== 'hour' && bucket !== 'day') throw invalidQuery('bucket', `expected hour or day, got ${JSON.stringify(bucket)}`);
  return bucket;
}

export function parseGroupBy(values: ParamValues): GroupBy | undefined {
  const groupBy = single(values, 'groupBy');
  if (groupBy === undefined || groupBy === '') return undefined;
  if ((GROUPS as readonly string[]).includes(groupBy)) return groupBy as GroupBy;
  const property = /^property:(.+)$/s.exec(groupBy)?.[1];
  if (property !== undefined && property.trim() !== '' && property.length <= 256) return `property:${property}`;
  throw invalidQuery('groupBy', `expected one of ${GROUPS.join(', ')} or property:<Name>, got ${JSON.stringify(groupBy)}`);
}

export function parseCursor(values: ParamValues): string | undefined {
  const cursor = single(values, 'cursor');
  if (cursor === undefined || cursor === '') return undefined;
  if (cursor.length > 1024) throw invalidQuery('cursor', 'too long: pass the nextCursor of the previous page as it came');
  return cursor;
}

/** The text form (a string) or, in a JSON body, the JSON form; FilterError (with position/path) propagates. */
export function parseFilterParam(values: ParamValues, jsonAllowed: boolean): FilterExpression | undefined {
  const filter = values.filter;
  if (filter === undefined || filter === null || (typeof filter === 'string' && filter.trim() === '')) return undefined;
  if (!jsonAllowed) single(values, 'filter');
  else if (typeof filter !== 'string' && (typeof filter !== 'object' || Array.isArray(filter))) {
    throw invalidQuery('filter', 'expected the filter text (a string) or a filter expression (an object)');
  }
  return parseFilterInput(filter);
}

/** Trace ids are 32 hex digits, span ids 16 (W3C Trace Context), stored lower-case. */
export function parseHexId(value: string, name: 'traceId' | 'spanId'): string {
  const digits = name === 'traceId' ? 32 : 16;
  if (!new RegExp(`^[0-9a-f]{${digits}}$`, 'i').test(value)) throw invalidQuery(name, `expected ${digits} hex digits, got ${JSON.stringify(value)}`);
  return value.toLowerCase();
}

export function parseSessionId(value: string): string {
  if (value === '' || value.length > 1024) throw invalidQuery('sessionId', 'expected a session id of 1 to 1024 characters');
  return value;
}
