/**
 * The query API's errors and the one place that turns any thrown value into an HTTP answer
 * `{ "error": { "code", "message", "position"?, "path"? } }` (contract: preamble "HTTP API").
 *
 * Bad input says what and where (the parameter, or the filter's position/path); refused
 * credentials map exactly like ingest (ReceiverFailure kinds → 401/403/503); anything else is a
 * 500 with a fixed message: ClickHouse messages carry SQL and server internals, and stack traces
 * never leave the process (they go to `log`).
 */
import type { Response } from 'express';
import { FilterError } from '../queries/filter/index.js';
import { HTTP_STATUS, ReceiverFailure } from '../receivers/receiver-failure.js';

export type QueryApiErrorCode =
  | 'TOKENTRACE_INVALID_QUERY'
  | 'TOKENTRACE_INVALID_FILTER'
  | 'TOKENTRACE_NOT_FOUND'
  | 'TOKENTRACE_UNAUTHENTICATED'
  | 'TOKENTRACE_FORBIDDEN'
  | 'TOKENTRACE_UNAVAILABLE'
  | 'TOKENTRACE_INTERNAL';

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: QueryApiErrorCode; message: string; position?: number; path?: string };
}

export class QueryApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: QueryApiErrorCode,
    message: string,
    /** The query parameter or body property at fault, echoed as `path`. */
    readonly path?: string,
  ) {
    super(message);
    this.name = 'QueryApiError';
  }
}

/** 400 TOKENTRACE_INVALID_QUERY naming the parameter (`since`, `limit`, `body.groupBy`). */
export function invalidQuery(parameter: string, message: string): QueryApiError {
  return new QueryApiError(400, 'TOKENTRACE_INVALID_QUERY', `${parameter}: ${message}`, parameter);
}

export function notFound(message: string): QueryApiError {
  return new QueryApiError(404, 'TOKENTRACE_NOT_FOUND', message);
}

const FAILURE_CODES: Partial<Record<ReceiverFailure['kind'], QueryApiErrorCode>> = {
  unauthenticated: 'TOKENTRACE_UNAUTHENTICATED',
  forbidden: 'TOKENTRACE_FORBIDDEN',
  unavailable: 'TOKENTRACE_UNAVAILABLE',
  throttled: 'TOKENTRACE_UNAVAILABLE',
};

/** Network errors of the ClickHouse client: the store is down, the caller may retry (503). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);

/** Maps any error to its status and body; `log` receives what is not the caller's fault. */
export function errorAnswer(err: unknown, log: (message: string) => void): { status: number; body: ErrorBody } {
  if (err instanceof QueryApiError) {
    return answer(err.status, err.code, err.message, { path: err.path });
  }
  if (err instanceof FilterError || isCoded(err, 'TOKENTRACE_INVALID_FILTER')) {
    const filterError = err as FilterError;
    return answer(400, 'TOKENTRACE_INVALID_FILTER', filterError.message, { position: filterError.position, path: filterError.path });
  }
  // The engine's own input checks (queries/query-error.ts: an unreadable cursor, a refused property name).
  if (isCoded(err, 'TOKENTRACE_INVALID_QUERY')) {
    const field = (err as { field?: unknown }).field;
    return answer(400, 'TOKENTRACE_INVALID_QUERY', (err as Error).message, { path: typeof field === 'string' ? field : undefined });
  }
  if (err instanceof ReceiverFailure && FAILURE_CODES[err.kind]) {
    return answer(HTTP_STATUS[err.kind], FAILURE_CODES[err.kind]!, err.message, {});
  }
  if (isClientHttpError(err)) {
    // express.json()'s refusals (bad JSON 400, too large 413, bad charset 415): safe to echo.
    return answer(err.status, 'TOKENTRACE_INVALID_QUERY', `body: ${err.message}`, { path: 'body' });
  }
  log(`query failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  if (isUnreachable(err)) return answer(503, 'TOKENTRACE_UNAVAILABLE', 'the span store is unreachable, retry later', {});
  return answer(500, 'TOKENTRACE_INTERNAL', 'internal error while running the query', {});
}

export function sendError(res: Response, err: unknown, log: (message: string) => void): void {
  const { status, body } = errorAnswer(err, log);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  res.status(status).json(body);
}

function answer(status: number, code: QueryApiErrorCode, message: string, where: { position?: number; path?: string }): { status: number; body: ErrorBody } {
  const error: ErrorBody['error'] = { code, message };
  if (typeof where.position === 'number') error.position = where.position;
  if (where.path) error.path = where.path;
  return { status, body: { error } };
}

function isCoded(err: unknown, code: string): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === code;
}

/** An http-errors error marked safe to show (`expose`), with a 4xx status, as body-parser throws. */
function isClientHttpError(err: unknown): err is Error & { status: number } {
  const { expose, status } = (err ?? {}) as { expose?: unknown; status?: unknown };
  return err instanceof Error && expose === true && typeof status === 'number' && status >= 400 && status < 500;
}

function isUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (UNREACHABLE.has(String((e as { code?: unknown }).code))) return true;
  }
  return false;
}
