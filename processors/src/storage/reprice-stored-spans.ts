/**
 * Re-prices spans already stored, after a price change (new catalog data, a new or edited price
 * file): reads model-call rows page by page, prices them again at the price in force at their
 * start time, and writes back each row whose cost changed with a newer version. The table is a
 * ReplacingMergeTree keyed on the span, so the new row replaces the old one (at once for queries
 * reading with FINAL, on disk after merges).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { PricingProcessor } from '../pricing/pricing-processor.js';
import type { CostFields, SpanRecord } from '../pipeline/span-record.js';
import { schemaTables } from './schema.js';
import { timeText, type SpanRow } from './span-row.js';
import { SPAN_INSERT_COLUMNS } from './span-table.js';

export interface RepriceOptions {
  /** Only this project's spans; all projects when absent. */
  projectId?: string;
  /** Only spans on or after this day (UTC, `YYYY-MM-DD`). */
  since?: string;
  /** Rows read per page. Default 5000. */
  pageSize?: number;
}

export interface RepriceResult {
  scanned: number;
  changed: number;
}

/** A row as stored and read back: `start_time` as the engine prints it, `start_time_ns` beside it. */
type StoredRow = Omit<SpanRow, 'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cache_creation_tokens' | 'reasoning_tokens'> & {
  input_tokens: number | string | null;
  output_tokens: number | string | null;
  cache_read_tokens: number | string | null;
  cache_creation_tokens: number | string | null;
  reasoning_tokens: number | string | null;
  start_time_ns?: string;
};

export async function repriceStoredSpans(
  client: ClickHouseClient,
  database: string,
  pricing: PricingProcessor,
  options: RepriceOptions = {},
): Promise<RepriceResult> {
  const table = schemaTables(database).spans;
  const pageSize = options.pageSize ?? 5000;
  const where = ['is_model_call = 1'];
  const params: Record<string, string> = {};
  if (options.projectId !== undefined) {
    where.push('project_id = {project:String}');
    params.project = options.projectId;
  }
  if (options.since !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(options.since)) throw new TypeError(`invalid since: expected YYYY-MM-DD, got ${JSON.stringify(options.since)}`);
    where.push('date >= {since:Date}');
    params.since = options.since;
  }
  const result: RepriceResult = { scanned: 0, changed: 0 };
  // Microseconds, like the exporter's versions, so that a re-priced row is always the newest.
  const version = Date.now() * 1000;
  for (let offset = 0; ; offset += pageSize) {
    const query = `SELECT ${SPAN_INSERT_COLUMNS.map((c) => `\`${c}\``).join(', ')}, toString(start_time_ns) AS start_time_ns FROM ${table} FINAL WHERE ${where.join(' AND ')}
      ORDER BY project_id, start_time, trace_id, span_id LIMIT ${pageSize} OFFSET ${offset}`;
    const rows = await (await client.query({ query, format: 'JSONEachRow', query_params: params })).json<StoredRow>();
    if (rows.length === 0) break;
    result.scanned += rows.length;
    const changed = rows.flatMap((row) => {
      // A response-cache hit spent nothing; its savings were priced from attributes not read here.
      if (row.cost_status === 'cache_hit') return [];
      const cost = pricing.priceSpan(asSpan(row));
      return sameCost(row, cost) ? [] : [withCost(row, cost, version)];
    });
    if (changed.length > 0) {
      const values = changed.map(({ start_time_ns, ...row }) => ({ ...row, start_time: timeText(BigInt(start_time_ns!)) }));
      await client.insert({ table, values, format: 'JSONEachRow', columns: SPAN_INSERT_COLUMNS as [string, ...string[]] });
      result.changed += changed.length;
    }
    if (rows.length < pageSize) break;
  }
  return result;
}

/** The parts of a span that pricing reads, rebuilt from its typed columns. */
function asSpan(row: StoredRow): SpanRecord {
  const n = (v: number | string | null) => (v === null ? undefined : Number(v));
  return {
    projectId: row.project_id,
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    name: row.name,
    kind: 0,
    startTimeUnixNano: BigInt(row.start_time_ns!),
    endTimeUnixNano: BigInt(row.start_time_ns!) + BigInt(row.duration_ns),
    statusCode: 0,
    statusMessage: '',
    attributes: {},
    resourceAttributes: {},
    scopeName: row.scope_name,
    scopeVersion: row.scope_version,
    events: [],
    genAi: {
      provider: row.provider || undefined,
      operation: row.operation || undefined,
      requestModel: row.request_model || undefined,
      responseModel: row.response_model || undefined,
      inputTokens: n(row.input_tokens),
      outputTokens: n(row.output_tokens),
      cacheReadInputTokens: n(row.cache_read_tokens),
      cacheCreationInputTokens: n(row.cache_creation_tokens),
      reasoningOutputTokens: n(row.reasoning_tokens),
      properties: {},
      isModelCall: true,
    },
  };
}

function sameCost(row: StoredRow, cost: CostFields): boolean {
  const same = (stored: number | null, now: number | undefined) =>
    (stored === null && now === undefined) || (stored !== null && now !== undefined && Math.abs(stored - now) < 1e-15);
  return (
    row.cost_status === cost.status &&
    same(row.cost_input_usd, cost.inputUsd) &&
    same(row.cost_output_usd, cost.outputUsd) &&
    same(row.cost_total_usd, cost.totalUsd) &&
    same(row.cost_cache_read_usd, cost.cacheReadUsd) &&
    same(row.cost_cache_write_usd, cost.cacheWriteUsd)
  );
}

function withCost(row: StoredRow, cost: CostFields, version: number): StoredRow {
  const real = (v: number | undefined) => (v === undefined ? null : v);
  return {
    ...row,
    cost_input_usd: real(cost.inputUsd),
    cost_output_usd: real(cost.outputUsd),
    cost_cache_read_usd: real(cost.cacheReadUsd),
    cost_cache_write_usd: real(cost.cacheWriteUsd),
    cost_total_usd: real(cost.totalUsd),
    cost_status: cost.status,
    priced_model: cost.pricedModel ?? '',
    version,
  };
}
