/**
 * The only ways a caller's input becomes SQL text in the query engine. ClickHouse 18.16 has no
 * query parameters, so every value is inlined: ids are validated against their format first
 * (a trace id is 32 hex digits, so nothing else can reach the statement), free strings go through
 * `sqlString`, numbers are formatted here from validated finite values, times become integers.
 */
import { sqlString } from '@tokentrace/processors';
import { QueryError } from './query-error.js';
import type { TimeRange } from './query-model.js';

const TRACE_ID = /^[0-9a-fA-F]{32}$/;
const SPAN_ID = /^[0-9a-fA-F]{16}$/;
/** Longer session or project ids cannot have been stored usefully; refusing them bounds the SQL. */
const MAX_FREE_ID_LENGTH = 1024;
const NS_PER_MS = 1_000_000n;
/** The dates a `Date` column holds on 18.16 and on current servers. */
const MIN_MS = Date.UTC(1970, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);

export function traceIdLiteral(traceId: string): string {
  if (typeof traceId !== 'string' || !TRACE_ID.test(traceId)) throw new QueryError(`traceId must be 32 hex digits, got ${JSON.stringify(String(traceId).slice(0, 64))}`, 'traceId');
  return sqlString(traceId.toLowerCase());
}

export function spanIdLiteral(spanId: string): string {
  if (typeof spanId !== 'string' || !SPAN_ID.test(spanId)) throw new QueryError(`spanId must be 16 hex digits, got ${JSON.stringify(String(spanId).slice(0, 64))}`, 'spanId');
  return sqlString(spanId.toLowerCase());
}

/** Project and session ids are free text (a project from the key map, a session id from the app). */
export function freeIdLiteral(value: string, field: 'projectId' | 'sessionId'): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_FREE_ID_LENGTH) {
    throw new QueryError(`${field} must be a non-empty string of at most ${MAX_FREE_ID_LENGTH} characters`, field);
  }
  return sqlString(value);
}

/** `project_id = '…'`: the first condition of every query (the tenant is the first key column). */
export function projectCondition(projectId: string): string {
  return `project_id = ${freeIdLiteral(projectId, 'projectId')}`;
}

/** An integer limit in [1, max], `fallback` when absent. */
export function validLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined || limit === null) return fallback;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new QueryError(`limit must be an integer from 1 to ${max}, got ${JSON.stringify(limit)}`, 'limit');
  }
  return limit;
}

/** A validated range as epoch milliseconds. */
export interface RangeMs {
  fromMs: number;
  toMs: number;
}

export function validRange(range: TimeRange | undefined, field = 'range'): RangeMs {
  const fromMs = range?.from instanceof Date ? range.from.getTime() : Number.NaN;
  const toMs = range?.to instanceof Date ? range.to.getTime() : Number.NaN;
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new QueryError(`${field} needs valid from and to dates`, field);
  if (fromMs >= toMs) throw new QueryError(`${field}: from (${new Date(fromMs).toISOString()}) must be before to (${new Date(toMs).toISOString()})`, field);
  return { fromMs: Math.max(fromMs, MIN_MS), toMs: Math.min(toMs, MAX_MS) };
}

/** YYYY-MM-DD (UTC) of epoch milliseconds. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function dateLiteral(day: string): string {
  return `toDate('${day}')`;
}

/**
 * The rows of [from, to): `date` bounds first (they prune on the sorting key), then the exact
 * half-open bound on the start time in nanoseconds.
 */
export function rangeCondition({ fromMs, toMs }: RangeMs): string {
  const fromNs = BigInt(Math.ceil(fromMs)) * NS_PER_MS;
  const toNs = BigInt(Math.ceil(toMs)) * NS_PER_MS;
  return `date >= ${dateLiteral(dayOf(fromMs))} AND date <= ${dateLiteral(dayOf(toMs - 1))} AND start_time_ns >= ${fromNs} AND start_time_ns < ${toNs}`;
}

/** ISO-8601 of a start time in nanoseconds as ClickHouse returns UInt64 (a string). */
export function isoOfNs(ns: string | number): string {
  const date = new Date(Number(BigInt(ns) / NS_PER_MS));
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** Milliseconds (float) of a nanosecond count returned as a string. */
export function msOfNs(ns: string | number): number {
  return Number(BigInt(ns)) / 1e6;
}

/** A nullable numeric column as JSON gives it (UInt64 as strings) → number | null. */
export function numberOrNull(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/**
 * The sum of a USD column, as decimals: a Float64 sum depends on the order the engine's threads
 * add the values in, so the same rows grouped two ways (a top-N with `(other)`, the totals, a
 * session's cost) differed in the last digit. Decimal addition is exact in any order.
 */
export function exactUsdSum(column: string): string {
  return `toFloat64(sum(toDecimal128(${column}, 15)))`;
}
