/**
 * Request pages, newest first, with filters and keyset pagination, exact under duplicates
 * without FINAL (which would merge every row of the range before the first page could be cut):
 * 1. candidates: the next positions in list order among all stored versions of the matching
 *    model calls (a plain parallel read of a few columns; `LIMIT 1 BY` drops a span's repeated
 *    versions). A span whose newest version matches has that version among them.
 * 2. the candidates' versions are read by key, and each span counts with its newest version only,
 *    if that one matches the filter too (an older version may have matched where the newest, e.g.
 *    re-priced, does not). When that drops candidates, step 1 continues after the last one.
 * Positions (start time, trace id, span id) never change between versions, so the order is
 * stable, and newer spans arriving sort before any cursor: pages neither skip nor repeat.
 *
 * On a cluster, step 1 reads plain rows and drops repeated versions here: through a Distributed
 * table each shard may apply the LIMIT before the LIMIT BY, so a shard holding two versions of
 * its newest spans would send too few spans and the page would miss some. A span's versions are neighbours in list order, so the next read starts after the
 * last position seen, and the list ends only when a read returns fewer rows than asked for.
 */
import { QueryParams, SUMMARY_COLUMNS } from '@tokentrace/processors';
import { compileFilter } from './filter/index.js';
import type { RequestListQuery, RequestPage, RequestSummary } from './query-model.js';
import { selectRows, type QueryContext } from './query-context.js';
import { afterCondition, decodeCursor, encodeCursor, type CursorPosition } from './request-cursor.js';
import { requestSummary, type SummaryRow } from './request-summary.js';
import { modelCallsWhere } from './model-calls.js';
import { projectCondition, validLimit, validRange } from './query-sql.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
const ORDER = 'ORDER BY start_time DESC, trace_id DESC, span_id DESC';

interface CandidateRow {
  start_time_ns: string;
  trace_id: string;
  span_id: string;
}

export async function listRequests(ctx: QueryContext, query: RequestListQuery): Promise<RequestPage> {
  const limit = validLimit(query.limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const range = query.range === undefined ? undefined : validRange(query.range);
  let after: CursorPosition | undefined = query.cursor === undefined || query.cursor === null ? undefined : decodeCursor(query.cursor);

  const items: Array<{ summary: RequestSummary; position: CursorPosition }> = [];
  const wanted = limit + 1; // one more than the page tells whether there is a next page
  for (;;) {
    const need = wanted - items.length;
    const params = new QueryParams();
    const where = modelCallsWhere(params, query.projectId, range, query.filter) + (after ? ` AND ${afterCondition(params, after)}` : '');
    const read = await selectRows<CandidateRow>(
      ctx,
      `SELECT toString(start_time_ns) AS start_time_ns, trace_id, span_id FROM ${ctx.spans}
       WHERE ${where} ${ORDER} ${ctx.cluster ? '' : 'LIMIT 1 BY trace_id, span_id '}LIMIT ${need}`,
      params,
    );
    if (read.length === 0) break;
    const candidates = ctx.cluster ? oneVersionEach(read) : read;
    const newest = await newestVersions(ctx, query, candidates);
    for (const c of candidates) {
      const row = newest.get(`${c.trace_id}/${c.span_id}`);
      if (row) items.push({ summary: requestSummary(row), position: { startNs: c.start_time_ns, traceId: c.trace_id, spanId: c.span_id } });
    }
    if (items.length >= wanted || read.length < need) break;
    const last = read[read.length - 1];
    after = { startNs: last.start_time_ns, traceId: last.trace_id, spanId: last.span_id };
  }
  const page = items.slice(0, limit);
  return { items: page.map((i) => i.summary), nextCursor: items.length > limit ? encodeCursor(page[page.length - 1].position) : null };
}

/** The rows with the first of each span's versions (they are neighbours in list order). */
function oneVersionEach(rows: CandidateRow[]): CandidateRow[] {
  return rows.filter((row, i) => i === 0 || row.trace_id !== rows[i - 1].trace_id || row.span_id !== rows[i - 1].span_id);
}

type VersionRow = SummaryRow & { version: string; matches: number };

/**
 * The newest version of each candidate that still matches the filter, by `trace/span`: read by
 * key (the candidates' start times and trace ids; a span never changes either). Spans of those
 * traces that are not candidates may come along; only candidates are looked up.
 */
async function newestVersions(ctx: QueryContext, query: RequestListQuery, candidates: CandidateRow[]): Promise<Map<string, SummaryRow>> {
  const params = new QueryParams();
  const starts = candidates.map((c) => BigInt(c.start_time_ns));
  const [first, last] = [starts.reduce((a, b) => (a < b ? a : b)), starts.reduce((a, b) => (a > b ? a : b))];
  const matches = query.filter === undefined ? '1' : `(${compileFilter(query.filter, params)})`;
  const rows = await selectRows<VersionRow>(
    ctx,
    `SELECT ${SUMMARY_COLUMNS}, version, ${matches} AS matches FROM ${ctx.spans}
     WHERE ${projectCondition(params, query.projectId)} AND is_model_call = 1
       AND start_time >= fromUnixTimestamp64Nano(${params.bind('Int64', first.toString())}, 'UTC')
       AND start_time <= fromUnixTimestamp64Nano(${params.bind('Int64', last.toString())}, 'UTC')
       AND trace_id IN ${params.bind('Array(String)', [...new Set(candidates.map((c) => c.trace_id))])}
       AND span_id IN ${params.bind('Array(String)', candidates.map((c) => c.span_id))}`,
    params,
  );
  const newest = new Map<string, VersionRow>();
  for (const row of rows) {
    const key = `${row.trace_id}/${row.span_id}`;
    const seen = newest.get(key);
    if (!seen || BigInt(row.version) > BigInt(seen.version)) newest.set(key, row);
  }
  const matching = new Map<string, SummaryRow>();
  for (const [key, row] of newest) if (Number(row.matches) === 1) matching.set(key, row);
  return matching;
}
