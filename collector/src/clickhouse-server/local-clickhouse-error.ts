/** Errors of the managed local ClickHouse server, with stable codes a program can switch on. */

export type LocalClickHouseErrorCode =
  /** No clickhouse-server / clickhouse binary on this machine. */
  | 'CLICKHOUSE_NOT_FOUND'
  /** The process exited before answering /ping (see the log tail in the message). */
  | 'CLICKHOUSE_EXITED'
  /** It did not answer /ping within startTimeoutMs. */
  | 'CLICKHOUSE_START_TIMEOUT'
  /** A configured port is taken by another process. */
  | 'CLICKHOUSE_PORT_IN_USE'
  /** Another server already runs on the same data directory. */
  | 'CLICKHOUSE_DIR_IN_USE'
  /** An option is invalid; the message names it. */
  | 'CLICKHOUSE_INVALID_OPTION';

export class LocalClickHouseError extends Error {
  constructor(
    readonly code: LocalClickHouseErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LocalClickHouseError';
  }
}
