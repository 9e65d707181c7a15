/**
 * Decides whether a failed ClickHouse request may succeed when retried. Only two outcomes:
 * retryable (the server is down, slow or overloaded; the schema is not there yet) or permanent
 * (the data or the statement is wrong, or the credentials are refused: retrying cannot help).
 *
 * The server's error code is read from the message text, not from `ClickHouseError.code`:
 * `@clickhouse/client` 1.23 parses errors with a pattern that needs the `(ERROR_NAME)` suffix of
 * current servers (`Code: 27. DB::Exception: ... (CANNOT_PARSE_INPUT_ASSERTION_FAILED)`), while
 * 18.16 writes `Code: 27, e.displayText() = DB::Exception: ...`; there the client hands back a
 * plain Error without a code. The HTTP status does not help either: 18.16 answers 500 for
 * almost every exception. Codes: https://github.com/ClickHouse/ClickHouse/blob/master/src/Common/ErrorCodes.cpp
 */

/**
 * Server error codes that mean "this request will never succeed". Everything else from the
 * server (memory limit, too many parts, timeouts, unknown table while the schema is being
 * created, ...) is treated as retryable: a batch kept in the spool can still be stored later,
 * a batch refused as permanent cannot.
 */
const PERMANENT_CODES = new Map<number, string>([
  [6, 'CANNOT_PARSE_TEXT'],
  [16, 'NO_SUCH_COLUMN_IN_TABLE'],
  [26, 'CANNOT_PARSE_QUOTED_STRING'],
  [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
  [38, 'CANNOT_PARSE_DATE'],
  [41, 'CANNOT_PARSE_DATETIME'],
  [43, 'ILLEGAL_TYPE_OF_ARGUMENT'],
  [44, 'ILLEGAL_COLUMN'],
  [47, 'UNKNOWN_IDENTIFIER'],
  [53, 'TYPE_MISMATCH'],
  [62, 'SYNTAX_ERROR'],
  [69, 'ARGUMENT_OUT_OF_BOUND'],
  [70, 'CANNOT_CONVERT_TYPE'],
  [72, 'CANNOT_PARSE_NUMBER'],
  [73, 'UNKNOWN_FORMAT'],
  [117, 'INCORRECT_DATA'],
  [130, 'CANNOT_READ_ARRAY_FROM_TEXT'],
  [131, 'TOO_LARGE_STRING_SIZE'],
  [164, 'READONLY'],
  [190, 'SIZES_OF_ARRAYS_DOESNT_MATCH'],
  [192, 'UNKNOWN_USER'],
  [193, 'WRONG_PASSWORD'],
  [194, 'REQUIRED_PASSWORD'],
  [195, 'IP_ADDRESS_NOT_ALLOWED'],
  [497, 'ACCESS_DENIED'],
  [516, 'AUTHENTICATION_FAILED'],
]);

/** Socket-level failures of node:http: the server is not reachable right now. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ESOCKETTIMEDOUT']);

export interface ClickHouseFailure {
  retryable: boolean;
  /** The server's numeric error code, when the server answered with one. */
  serverCode?: number;
  /** A short name for logs and counters: the error name, the socket code, or `timeout`. */
  reason: string;
}

export function classifyClickHouseError(err: unknown): ClickHouseFailure {
  const message = err instanceof Error ? err.message : String(err);
  const serverCode = parseServerCode(err, message);
  if (serverCode !== undefined) {
    const permanent = PERMANENT_CODES.get(serverCode);
    return { retryable: permanent === undefined, serverCode, reason: permanent ?? `code ${serverCode}` };
  }
  const socketCode = (err as { code?: unknown } | null)?.code;
  if (typeof socketCode === 'string' && NETWORK_CODES.has(socketCode)) return { retryable: true, reason: socketCode };
  // The client's own request_timeout and abort (clickhouse-js `socket_pool`), and a dropped keep-alive socket.
  if (/^Timeout error|socket hang up|aborted a request/i.test(message)) return { retryable: true, reason: 'timeout' };
  // A JavaScript error raised before anything was sent (serializing a row) repeats on every try.
  if (err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError) return { retryable: false, reason: err.name };
  // Anything else (a proxy's HTML error page, an unknown failure): keep the data, try again.
  return { retryable: true, reason: 'unknown' };
}

function parseServerCode(err: unknown, message: string): number | undefined {
  // Current servers, parsed by the client: ClickHouseError.code is the numeric code as a string.
  const parsed = Number((err as { code?: unknown } | null)?.code);
  if ((err as { type?: unknown } | null)?.type !== undefined && Number.isInteger(parsed)) return parsed;
  // 18.16 ("Code: 27, e.displayText() = ...") and current servers ("Code: 27. DB::Exception: ...").
  const match = /^Code: (\d+)[,.]/.exec(message.trimStart());
  return match ? Number(match[1]) : undefined;
}
