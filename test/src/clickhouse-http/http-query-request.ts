/**
 * A query request as ClickHouse's HTTP handler reads it (src/Server/HTTPHandler.cpp, processQuery
 * and DynamicQueryHandler::getQuery):
 *
 * - the statement is the `query` URL parameter, a newline and the body (an INSERT's data), or
 *   the body alone, or the `query` field of a multipart/form-data body;
 * - `database` and `default_format` (or the `X-ClickHouse-Database` / `X-ClickHouse-Format`
 *   headers, which win), `query_id` (or `X-ClickHouse-Query-Id`), `param_<name>` query
 *   parameters; the reserved names below are not settings; every other parameter is a setting;
 * - GET runs read-only (`readonly=2`), as on the server.
 *
 * The engine takes statements as text, so a body that is not UTF-8 (RowBinary, Native, Parquet)
 * is refused with NOT_IMPLEMENTED rather than altered.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { exceptions } from './clickhouse-exception.js';
import { decodeBody, responseCodec, type HttpCodec } from './http-body.js';
import { parseMultipartForm } from './multipart-form.js';

export interface QueryRequest {
  /** The statement without inline data: the `query` parameter (or field), else the body. */
  statement: string;
  /** What the engine runs: the statement and its inline data. */
  sql: string;
  queryId: string;
  database: string | undefined;
  /** Output format when the statement has no FORMAT clause; ClickHouse's is TabSeparated. */
  defaultFormat: string;
  /** URL parameters that are settings, as sent. */
  settings: Record<string, string>;
  /** Query parameters by name, in ClickHouse's text form as sent (`param_<name>`). */
  params: Record<string, string>;
  /** A GET: read-only. */
  readonly: boolean;
  /** Whether the statement is an INSERT. */
  isInsert: boolean;
  /** The output format (`X-ClickHouse-Format`); none for an INSERT. */
  outputFormat: string | undefined;
  /** Compression of the response, when enabled and accepted. */
  responseCodec: HttpCodec | undefined;
  responseCompressionLevel: number | undefined;
}

/** Parameters that are neither settings nor query parameters. */
const RESERVED = new Set([
  'query', 'database', 'default_format', 'query_id', 'user', 'password', 'quota_key', 'stacktrace', 'buffer_size',
  'wait_end_of_query', 'session_timeout', 'session_check', 'client_protocol_version', 'close_session',
]);
const INSERT = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*INSERT\b/i;
const FORMAT_CLAUSE = /\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function parseQueryRequest(req: IncomingMessage, url: URL, rawBody: Buffer): Promise<QueryRequest> {
  const params = url.searchParams;
  if (params.has('session_id')) throw exceptions.notImplemented('sessions (session_id) are not supported; every request has its own context');
  if (params.has('role')) throw exceptions.notImplemented('roles (role) are not supported');
  if (isTrue(params.get('compress')) || isTrue(params.get('decompress'))) {
    throw exceptions.notImplemented("ClickHouse's native compression (compress, decompress) is not supported; use Content-Encoding");
  }
  const body = await decodeBody(rawBody, req.headers['content-encoding']);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw exceptions.notImplemented('the request body is not valid UTF-8; the embedded engine takes statements as text, so binary formats (RowBinary, Native, Parquet) are not supported');
  }

  const multipart = (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
  const queryParams: Record<string, string> = {};
  let statement: string;
  let sql: string;
  if (multipart) {
    statement = params.get('query') ?? '';
    for (const field of parseMultipartForm(text, req.headers['content-type'] ?? '')) {
      if (field.name === 'query') statement += field.value;
      else if (field.name.startsWith('param_')) queryParams[field.name.slice('param_'.length)] = field.value;
    }
    sql = statement;
  } else {
    const query = params.get('query') ?? '';
    statement = query === '' ? text : query;
    sql = query === '' ? text : `${query}\n${text}`;
  }
  if (sql.trim() === '') throw exceptions.syntaxError('Empty query');

  const settings: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key === '' || RESERVED.has(key)) continue;
    if (multipart && /_(format|types|structure)$/.test(key)) continue;
    if (key.startsWith('param_')) queryParams[key.slice('param_'.length)] ??= value;
    else settings[key] = value;
  }

  const isInsert = INSERT.test(statement);
  const defaultFormat = header(req, 'x-clickhouse-format') || params.get('default_format') || 'TabSeparated';
  const level = settings.http_zlib_compression_level;
  return {
    statement,
    sql,
    queryId: params.get('query_id') || header(req, 'x-clickhouse-query-id') || randomUUID(),
    database: header(req, 'x-clickhouse-database') || params.get('database') || undefined,
    defaultFormat,
    settings,
    params: queryParams,
    readonly: req.method === 'GET',
    isInsert,
    outputFormat: isInsert ? undefined : (FORMAT_CLAUSE.exec(statement)?.[1] ?? defaultFormat),
    responseCodec: responseCodec(isTrue(settings.enable_http_compression), header(req, 'accept-encoding')),
    responseCompressionLevel: level === undefined || !/^\d+$/.test(level) ? undefined : Number(level),
  };
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function isTrue(value: string | null | undefined): boolean {
  return value === '1' || value?.toLowerCase() === 'true';
}
