/**
 * How a caller's input is checked before it is bound as a query parameter: ids against their
 * format (a trace id is 32 hex digits), free ids and limits against bounds, ranges as valid
 * dates; and how ClickHouse's values come back (UInt64 as strings, nanoseconds).
 */
import { projectCondition as storedProjectCondition, type QueryParams } from '@tokentrace/processors';
import { QueryError } from './query-error.js';
import type { TimeRange } from './query-model.js';

const TRACE_ID = /^[0-9a-fA-F]{32}$/;
const SPAN_ID = /^[0-9a-fA-F]{16}$/;
/** Longer session or project ids cannot have been stored usefully; refusing them bounds a request. */
const MAX_FREE_ID_LENGTH = 1024;
const NS_PER_MS = 1_000_000n;
/** The times `spans.start_time` holds (span-row.ts clamps to 1970..2099). */
const MIN_MS = Date.UTC(1970, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);

export function validTraceId(traceId: string): string {
  if (typeof traceId !== 'string' || !TRACE_ID.test(traceId)) throw new QueryError(`traceId must be 32 hex digits, got ${JSON.stringify(String(traceId).slice(0, 64))}`, 'traceId');
  return traceId.toLowerCase();
}

export function validSpanId(spanId: string): string {
  if (typeof spanId !== 'string' || !SPAN_ID.test(spanId)) throw new QueryError(`spanId must be 16 hex digits, got ${JSON.stringify(String(spanId).slice(0, 64))}`, 'spanId');
  return spanId.toLowerCase();
}

/** Project and session ids are free text (a project from the key map, a session id from the app). */
export function validFreeId(value: string, field: 'projectId' | 'sessionId'): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_FREE_ID_LENGTH) {
    throw new QueryError(`${field} must be a non-empty string of at most ${MAX_FREE_ID_LENGTH} characters`, field);
  }
  return value;
}

/** `project_id = {…}`: the first condition of every query (the tenant is the first key column). */
export function projectCondition(params: QueryParams, projectId: string): string {
  return storedProjectCondition(params, validFreeId(projectId, 'projectId'));
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
