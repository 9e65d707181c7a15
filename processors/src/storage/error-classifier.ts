/**
 * Says what a failed ClickHouse request means, in one of three kinds (issue 10):
 *
 * - `data`: the server refuses the batch's *content*: a row's text it cannot parse, a value its
 *   column cannot hold. The same rows are refused on every try and other rows are not, so the
 *   batch is not retried as a whole: the exporter helpers split it to find the spans at fault.
 * - `refused`: the server refuses the *request*: credentials, permissions, schema, statement.
 *   Not the content's fault: the same rows are stored once an operator fixes the store. Fatal at
 *   start-up (a wrong password should stop the collector), retryable for inserts (the batches
 *   wait in the spool, /health says unhealthy; nothing is set aside).
 * - `transient`: down, slow, overloaded, cut off, or not known: retry later.
 *
 * When in doubt a code is `transient`, never `data`: a batch kept in the spool can still be stored
 * later, while spans wrongly called bad are set aside (kept in rejected/, but not stored). One
 * limit: a server tells a row it cannot parse from a row that no longer fits a changed table only
 * by its message, so a `spans` table whose column types were changed by hand refuses every row
 * with `data` codes and every span is set aside (counted in spans_set_aside: alert on it).
 *
 * The code is `ClickHouseError.code`, which the client parses from a server's answer and which the
 * embedded engine's connection (chdb) sets too; no message text is read.
 * Codes: https://github.com/ClickHouse/ClickHouse/blob/master/src/Common/ErrorCodes.cpp
 */
import { ClickHouseError } from '@clickhouse/client';

export type ClickHouseFailureKind = 'data' | 'refused' | 'transient';

/**
 * The content of a row is refused. Codes raised while a row's text is read into its columns
 * (JSONEachRow here), or by a check of one row's values; each one seen with a single bad row.
 */
export const DATA_CODES = new Map<number, string>([
  [6, 'CANNOT_PARSE_TEXT'], // a value's text is not of its column's type
  [19, 'SIZE_OF_FIXED_STRING_DOESNT_MATCH'], // a value longer than its FixedString column
  [25, 'CANNOT_PARSE_ESCAPE_SEQUENCE'], // a bad escape in a string, e.g. `\ud800` without its pair (issue 10)
  [26, 'CANNOT_PARSE_QUOTED_STRING'], // a string column given a number, null or object
  [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'], // a row's text is not shaped as its column expects
  [38, 'CANNOT_PARSE_DATE'],
  [41, 'CANNOT_PARSE_DATETIME'],
  [53, 'TYPE_MISMATCH'], // a value of the wrong type for its column (current servers' readers of JSON values)
  [69, 'ARGUMENT_OUT_OF_BOUND'], // a row's value out of a function's bounds in a column DEFAULT or a materialized view
  [70, 'CANNOT_CONVERT_TYPE'], // a value that cannot be converted to its column's type
  [72, 'CANNOT_PARSE_NUMBER'], // a negative number for an unsigned column
  [117, 'INCORRECT_DATA'], // malformed row, e.g. a field the statement does not name
  [128, 'TOO_LARGE_ARRAY_SIZE'], // an array beyond the server's limit
  [130, 'CANNOT_READ_ARRAY_FROM_TEXT'],
  [131, 'TOO_LARGE_STRING_SIZE'], // a string too large for its column
  [190, 'SIZES_OF_ARRAYS_DONT_MATCH'], // a row's events.time / events.name / events.attributes (Nested) of different lengths
  [321, 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE'],
  [349, 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN'],
  [376, 'CANNOT_PARSE_UUID'],
  [407, 'DECIMAL_OVERFLOW'],
  [441, 'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING'],
  [467, 'CANNOT_PARSE_BOOL'],
  [469, 'VIOLATED_CONSTRAINT'], // a row fails a CHECK constraint of the table
  [691, 'UNKNOWN_ELEMENT_OF_ENUM'],
]);

/** The request is refused: who sends it, what it may do, what it names. Not the rows' fault. */
export const REFUSED_CODES = new Map<number, string>([
  [192, 'UNKNOWN_USER'],
  [193, 'WRONG_PASSWORD'],
  [194, 'REQUIRED_PASSWORD'],
  [195, 'IP_ADDRESS_NOT_ALLOWED'],
  [516, 'AUTHENTICATION_FAILED'],
  [497, 'ACCESS_DENIED'], // no INSERT or CREATE grant
  [291, 'DATABASE_ACCESS_DENIED'],
  [164, 'READONLY'], // the user's profile is readonly
  [8, 'THERE_IS_NO_COLUMN'], // the table lacks a column the statement names: schema drift
  [10, 'NOT_FOUND_COLUMN_IN_BLOCK'],
  [16, 'NO_SUCH_COLUMN_IN_TABLE'],
  [36, 'BAD_ARGUMENTS'], // a statement the server rejects as written, e.g. DDL a server version or table engine does not take
  [20, 'NUMBER_OF_COLUMNS_DOESNT_MATCH'],
  [43, 'ILLEGAL_TYPE_OF_ARGUMENT'], // a column's type does not fit an expression of the schema: types, not values
  [44, 'ILLEGAL_COLUMN'],
  [46, 'UNKNOWN_FUNCTION'],
  [47, 'UNKNOWN_IDENTIFIER'],
  [48, 'NOT_IMPLEMENTED'],
  [50, 'UNKNOWN_TYPE'],
  [56, 'UNKNOWN_STORAGE'],
  [62, 'SYNTAX_ERROR'],
  [73, 'UNKNOWN_FORMAT'],
  [80, 'INCORRECT_QUERY'],
  [115, 'UNKNOWN_SETTING'], // a setting the server does not know (clickhouse-client.ts)
]);

/**
 * Retried. Listed to name them in logs and to say why; any code not listed here or above is
 * retried too.
 */
export const TRANSIENT_CODES = new Map<number, string>([
  [32, 'ATTEMPT_TO_READ_AFTER_EOF'], // the body was cut off (connection lost mid-insert)
  [33, 'CANNOT_READ_ALL_DATA'], // likewise
  [60, 'UNKNOWN_TABLE'], // the schema is being created (by this collector, another one, or ON CLUSTER DDL)
  [81, 'UNKNOWN_DATABASE'], // likewise
  [159, 'TIMEOUT_EXCEEDED'],
  [160, 'TOO_SLOW'],
  [173, 'CANNOT_ALLOCATE_MEMORY'],
  [201, 'QUOTA_EXPIRED'], // the quota's interval ends
  [202, 'TOO_MANY_SIMULTANEOUS_QUERIES'],
  [203, 'NO_FREE_CONNECTION'],
  [209, 'SOCKET_TIMEOUT'],
  [210, 'NETWORK_ERROR'],
  [225, 'NO_ZOOKEEPER'],
  [236, 'ABORTED'],
  [241, 'MEMORY_LIMIT_EXCEEDED'],
  [242, 'TABLE_IS_READ_ONLY'], // a replica without Keeper: back when Keeper is
  [243, 'NOT_ENOUGH_SPACE'],
  [252, 'TOO_MANY_PARTS'], // merges are behind: back off
  [279, 'ALL_CONNECTION_TRIES_FAILED'], // a Distributed table's shard is down
  [285, 'TOO_FEW_LIVE_REPLICAS'],
  [319, 'UNKNOWN_STATUS_OF_INSERT'], // may or may not be stored: inserting again is safe (ReplacingMergeTree)
  [394, 'QUERY_WAS_CANCELLED'],
  [999, 'KEEPER_EXCEPTION'],
]);

/** Socket-level failures of node:http: the server is not reachable right now. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ESOCKETTIMEDOUT']);

export interface ClickHouseFailure {
  kind: ClickHouseFailureKind;
  /** The server's numeric error code, when the server answered with one. */
  serverCode?: number;
  /** A short name for logs and counters: the error name, the socket code, or `timeout`. */
  reason: string;
}

export function classifyClickHouseError(err: unknown): ClickHouseFailure {
  const message = err instanceof Error ? err.message : String(err);
  const serverCode = serverCodeOf(err);
  if (serverCode !== undefined) {
    const data = DATA_CODES.get(serverCode);
    if (data !== undefined) return { kind: 'data', serverCode, reason: data };
    const refused = REFUSED_CODES.get(serverCode);
    if (refused !== undefined) return { kind: 'refused', serverCode, reason: refused };
    // The embedded engine's errors are ClickHouseErrors of chdb's own copy of the client: not instanceof, same `type`.
    const type = (err as { type?: unknown }).type;
    return { kind: 'transient', serverCode, reason: TRANSIENT_CODES.get(serverCode) ?? (typeof type === 'string' && type !== '' ? type : `code ${serverCode}`) };
  }
  const socketCode = (err as { code?: unknown } | null)?.code;
  if (typeof socketCode === 'string' && NETWORK_CODES.has(socketCode)) return { kind: 'transient', reason: socketCode };
  // The client's own request_timeout and abort (clickhouse-js `socket_pool`), and a dropped keep-alive socket.
  if (/^Timeout error|socket hang up|aborted a request/i.test(message)) return { kind: 'transient', reason: 'timeout' };
  // Raised while spans are turned into rows (JSON.stringify: a BigInt it cannot write, a cycle,
  // a stack overflow): repeats on every try, for these spans only.
  if (err instanceof TypeError || err instanceof RangeError) return { kind: 'data', reason: err.name };
  // Anything else (a proxy's HTML error page, an unknown failure): keep the data, try again.
  return { kind: 'transient', reason: 'unknown' };
}

/** ClickHouseError.code: the numeric code as a string. */
function serverCodeOf(err: unknown): number | undefined {
  if (!(err instanceof ClickHouseError || (err as { type?: unknown } | null)?.type !== undefined)) return undefined;
  const parsed = Number((err as { code?: unknown }).code);
  return Number.isInteger(parsed) ? parsed : undefined;
}
