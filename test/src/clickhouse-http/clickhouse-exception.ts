/**
 * A ClickHouse exception as the HTTP interface answers it, so that `@clickhouse/client` parses a
 * `ClickHouseError` with the right numeric `code` and `type`:
 *
 * - status from the exception code, keyed here by the code's name (ClickHouse
 *   src/Server/HTTP/exceptionCodeToHTTPStatus.cpp), 500 for everything else;
 * - header `X-ClickHouse-Exception-Code: <code>`;
 * - body `Code: <code>. DB::Exception: <message>. (<TYPE>) (version <v>)` and a newline
 *   (getExceptionMessage: a `.` is added when the message does not end with one).
 *
 * Errors of the engine keep the engine's own text; only the version is added.
 */

const STATUS_BY_TYPE: ReadonlyArray<[number, readonly string[]]> = [
  [401, ['REQUIRED_PASSWORD']],
  [403, ['UNKNOWN_USER', 'WRONG_PASSWORD', 'AUTHENTICATION_FAILED', 'SET_NON_GRANTED_ROLE', 'ACCESS_DENIED']],
  [400, [
    'BAD_ARGUMENTS', 'CANNOT_COMPILE_REGEXP', 'CANNOT_PARSE_TEXT', 'CANNOT_PARSE_ESCAPE_SEQUENCE', 'CANNOT_PARSE_QUOTED_STRING',
    'CANNOT_PARSE_DATE', 'CANNOT_PARSE_DATETIME', 'CANNOT_PARSE_NUMBER', 'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING', 'CANNOT_PARSE_IPV4',
    'CANNOT_PARSE_IPV6', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'CANNOT_PARSE_UUID', 'DUPLICATE_COLUMN', 'ILLEGAL_COLUMN',
    'UNKNOWN_ELEMENT_IN_AST', 'UNKNOWN_TYPE_OF_AST_NODE', 'THERE_IS_NO_COLUMN', 'TOO_DEEP_AST', 'TOO_BIG_AST', 'UNEXPECTED_AST_STRUCTURE',
    'SYNTAX_ERROR', 'INCORRECT_DATA', 'TYPE_MISMATCH', 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  ]],
  [404, [
    'UNKNOWN_TABLE', 'UNKNOWN_FUNCTION', 'UNKNOWN_IDENTIFIER', 'UNKNOWN_TYPE', 'UNKNOWN_STORAGE', 'UNKNOWN_DATABASE', 'UNKNOWN_SETTING',
    'UNKNOWN_DIRECTION_OF_SORTING', 'UNKNOWN_AGGREGATE_FUNCTION', 'UNKNOWN_FORMAT', 'UNKNOWN_DATABASE_ENGINE', 'UNKNOWN_TYPE_OF_QUERY',
    'UNKNOWN_ROLE',
  ]],
  [413, ['QUERY_IS_TOO_LARGE']],
  [501, ['NOT_IMPLEMENTED']],
  [503, ['SOCKET_TIMEOUT', 'CANNOT_OPEN_FILE', 'CANNOT_SCHEDULE_TASK']],
  [411, ['HTTP_LENGTH_REQUIRED']],
  [408, ['TIMEOUT_EXCEEDED']],
  [415, ['UNSUPPORTED_MEDIA_TYPE']],
];

const STATUS = new Map<string, number>(STATUS_BY_TYPE.flatMap(([status, types]) => types.map((t): [string, number] => [t, status])));

/** The engine's own exception text: `Code: 62. DB::Exception: .... (SYNTAX_ERROR)`. */
const ENGINE_TEXT = /^Code: (\d+)\. [\s\S]*\(([A-Z0-9_]+)\)$/;

export class ClickHouseException extends Error {
  readonly code: number;
  readonly type: string;
  /** The engine's text of this exception, when it came from the engine. */
  readonly #engineText: string | undefined;

  constructor(code: number, type: string, message: string, options?: { engineText?: string; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = 'ClickHouseException';
    this.code = code;
    this.type = type;
    this.#engineText = options?.engineText;
  }

  /** The HTTP status ClickHouse answers this exception with. */
  get httpStatus(): number {
    return STATUS.get(this.type) ?? 500;
  }

  /** The response body, as `version` of ClickHouse writes it. */
  body(version: string): string {
    const text = this.#engineText
      ?? `Code: ${this.code}. DB::Exception: ${this.message}${this.message.endsWith('.') ? '' : '.'} (${this.type})`;
    return `${text} (version ${version})\n`;
  }
}

/**
 * The exception in an error thrown by the chdb connection: a `ClickHouseError` of
 * @clickhouse/client-common (numeric string `code`, `type`), whose `cause` holds the engine's
 * text. Anything else (a bug here or in chdb) becomes a 1001 STD_EXCEPTION with its message.
 */
export function engineException(err: unknown): ClickHouseException {
  const e = err as { code?: unknown; type?: unknown; message?: unknown; cause?: { message?: unknown } } | undefined;
  const causeText = typeof e?.cause?.message === 'string' ? e.cause.message.trim() : undefined;
  if (causeText !== undefined) {
    const m = ENGINE_TEXT.exec(causeText);
    if (m) return new ClickHouseException(Number(m[1]), m[2], String(e?.message ?? '').trim(), { engineText: causeText, cause: err });
  }
  if (typeof e?.code === 'string' && /^\d+$/.test(e.code) && typeof e.type === 'string') {
    return new ClickHouseException(Number(e.code), e.type, String(e.message ?? '').trim(), { cause: err });
  }
  return new ClickHouseException(1001, 'STD_EXCEPTION', `tokentrace ClickHouse test server: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** Exceptions this server raises itself, with ClickHouse's codes. */
export const exceptions = {
  authenticationFailed: (message: string) => new ClickHouseException(516, 'AUTHENTICATION_FAILED', message),
  badArguments: (message: string) => new ClickHouseException(36, 'BAD_ARGUMENTS', message),
  syntaxError: (message: string) => new ClickHouseException(62, 'SYNTAX_ERROR', message),
  unknownSetting: (name: string) => new ClickHouseException(115, 'UNKNOWN_SETTING', `Unknown setting '${name}'`),
  /** A feature of the real server that this test server does not have; the message says which. */
  notImplemented: (what: string) => new ClickHouseException(48, 'NOT_IMPLEMENTED', `tokentrace ClickHouse test server: ${what}`),
  cannotDecompress: (codec: string, cause: unknown) => new ClickHouseException(
    codec === 'gzip' || codec === 'deflate' ? 354 : 271,
    codec === 'gzip' || codec === 'deflate' ? 'ZLIB_INFLATE_FAILED' : 'CANNOT_DECOMPRESS',
    `Cannot decompress the ${codec} request body: ${cause instanceof Error ? cause.message : String(cause)}`,
    { cause },
  ),
};
