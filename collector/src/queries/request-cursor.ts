/**
 * The opaque cursor of request pages: the position of the last request of a page in the list's
 * order (start time, trace id, span id, all descending), as base64url JSON. Keyset pagination
 * keeps pages free of gaps and repeats while newer spans arrive (they sort before the cursor).
 * A cursor is validated field by field before any of it reaches SQL.
 */
import type { QueryParams } from '@tokentrace/processors';
import { QueryError } from './query-error.js';

export interface CursorPosition {
  /** start_time_ns as a decimal string (UInt64). */
  startNs: string;
  traceId: string;
  spanId: string;
}

const VERSION = 1;
const MAX_CURSOR_LENGTH = 512;
const UINT64 = /^(0|[1-9][0-9]{0,19})$/;
/** Ids are hex in practice; anything stored is accepted back (bound as a parameter), within bounds. */
const MAX_ID_LENGTH = 128;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ v: VERSION, t: position.startNs, tr: position.traceId, s: position.spanId })).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  const invalid = (why: string) => new QueryError(`invalid cursor (${why}); pass the nextCursor of the previous page unchanged`, 'cursor');
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid('not base64url');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not JSON');
  }
  const { v, t, tr, s } = (value ?? {}) as Record<string, unknown>;
  if (v !== VERSION) throw invalid('unknown version');
  if (typeof t !== 'string' || !UINT64.test(t) || BigInt(t) > 0x7fff_ffff_ffff_ffffn) throw invalid('bad time');
  if (typeof tr !== 'string' || tr.length > MAX_ID_LENGTH) throw invalid('bad trace id');
  if (typeof s !== 'string' || s.length > MAX_ID_LENGTH) throw invalid('bad span id');
  return { startNs: t, traceId: tr, spanId: s };
}

/** Rows strictly after `position` in descending (start_time_ns, trace_id, span_id) order. */
export function afterCondition(params: QueryParams, position: CursorPosition): string {
  const t = `fromUnixTimestamp64Nano(${params.bind('Int64', position.startNs)}, 'UTC')`;
  const trace = params.bind('String', position.traceId);
  const span = params.bind('String', position.spanId);
  return `(start_time < ${t} OR (start_time = ${t} AND (trace_id < ${trace} OR (trace_id = ${trace} AND span_id < ${span}))))`;
}
