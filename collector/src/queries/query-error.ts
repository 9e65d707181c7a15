/**
 * The error a query raises for input it cannot run: a malformed id, cursor, time range, group-by
 * or limit. Its `code` is what the HTTP API maps to 400 (the filter language raises its own
 * FilterError, `TOKENTRACE_INVALID_FILTER`). Failures of ClickHouse itself are passed on as they
 * come from the client: they are not the caller's fault.
 */
export class QueryError extends Error {
  readonly code = 'TOKENTRACE_INVALID_QUERY';
  constructor(
    message: string,
    /** The input that was refused (`cursor`, `traceId`, `groupBy`, `range`, `limit`). */
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'QueryError';
  }
}
