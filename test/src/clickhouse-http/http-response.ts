/**
 * Answers as ClickHouse's HTTP interface writes them: the result with `X-ClickHouse-Query-Id`,
 * `X-ClickHouse-Format`, `X-ClickHouse-Timezone` and `X-ClickHouse-Summary` (the headers
 * `@clickhouse/client` reads or passes on), or an exception (clickhouse-exception.ts). Nothing is
 * written to a connection that is already gone.
 */
import type { ServerResponse } from 'node:http';
import type { ClickHouseSummary } from 'chdb/connection';
import type { ClickHouseException } from './clickhouse-exception.js';
import { encodeBody } from './http-body.js';
import type { QueryRequest } from './http-query-request.js';

export const SERVER_DISPLAY_NAME = 'tokentrace-clickhouse-test';

const EMPTY_SUMMARY: ClickHouseSummary = {
  read_rows: '0', read_bytes: '0', written_rows: '0', written_bytes: '0',
  total_rows_to_read: '0', result_rows: '0', result_bytes: '0', elapsed_ns: '0',
};

export interface AnswerContext {
  /** The request as parsed, when it got that far. */
  request: QueryRequest | undefined;
  /** Close the connection after this answer (the server is stopping). */
  close: boolean;
  version: string;
  timezone: string;
}

export function answerResult(res: ServerResponse, ctx: AnswerContext & { request: QueryRequest }, bytes: Buffer, summary: ClickHouseSummary | undefined): void {
  const { request } = ctx;
  const headers: Record<string, string> = {
    'Content-Type': request.outputFormat === undefined ? 'text/plain; charset=UTF-8' : contentType(request.outputFormat),
    'X-ClickHouse-Query-Id': request.queryId,
    'X-ClickHouse-Timezone': ctx.timezone,
    'X-ClickHouse-Summary': JSON.stringify(summary ?? EMPTY_SUMMARY),
  };
  if (request.outputFormat !== undefined) headers['X-ClickHouse-Format'] = request.outputFormat;
  write(res, 200, headers, bytes, ctx);
}

export function answerException(res: ServerResponse, ctx: AnswerContext, exception: ClickHouseException): void {
  const headers: Record<string, string> = {
    'Content-Type': 'text/plain; charset=UTF-8',
    'X-ClickHouse-Exception-Code': String(exception.code),
  };
  if (ctx.request) headers['X-ClickHouse-Query-Id'] = ctx.request.queryId;
  if (exception.type === 'REQUIRED_PASSWORD') headers['WWW-Authenticate'] = 'Basic realm="ClickHouse server HTTP API"';
  write(res, exception.httpStatus, headers, Buffer.from(exception.body(ctx.version)), ctx);
}

/** A plain answer outside the query handler (`/ping`, an unknown path). */
export function answerText(res: ServerResponse, status: number, text: string, close: boolean): void {
  write(res, status, { 'Content-Type': 'text/html; charset=UTF-8' }, Buffer.from(text), { request: undefined, close });
}

function write(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer, ctx: Pick<AnswerContext, 'request' | 'close'>): void {
  if (res.destroyed || res.headersSent) return;
  let payload = body;
  const codec = ctx.request?.responseCodec;
  if (codec !== undefined) {
    payload = encodeBody(body, codec, ctx.request?.responseCompressionLevel);
    headers['Content-Encoding'] = codec;
  }
  headers['X-ClickHouse-Server-Display-Name'] = SERVER_DISPLAY_NAME;
  headers['Content-Length'] = String(payload.length);
  if (ctx.close) headers.Connection = 'close';
  res.writeHead(status, headers);
  res.end(payload);
}

/** The Content-Type ClickHouse gives a format's output (the client does not read it). */
function contentType(format: string): string {
  const f = format.toLowerCase();
  if (f.startsWith('tabseparated') || f.startsWith('tsv')) return 'text/tab-separated-values; charset=UTF-8';
  if (f.startsWith('csv')) return `text/csv; charset=UTF-8; header=${f.includes('withnames') ? 'present' : 'absent'}`;
  if (f.endsWith('eachrow') || f.endsWith('eachrowwithprogress') || f.endsWith('lines')) return 'application/x-ndjson; charset=UTF-8';
  if (f.startsWith('json')) return 'application/json; charset=UTF-8';
  if (['rowbinary', 'native', 'parquet', 'arrow', 'arrowstream', 'orc', 'avro', 'protobuf', 'msgpack'].some((b) => f.startsWith(b))) return 'application/octet-stream';
  return 'text/plain; charset=UTF-8';
}
