/**
 * One request (any span, in fact) in full: every column of its newest stored version, the
 * attributes, resource attributes and events as stored (maps of strings: a non-string attribute
 * as its JSON text), and the captured content. Read with FINAL by project, trace and span id.
 */
import { DETAIL_COLUMNS, QueryParams } from '@tokentrace/processors';
import type { RequestDetail } from './query-model.js';
import { selectRows, type QueryContext } from './query-context.js';
import { capturedContent } from './request-content.js';
import { requestSummary, type SummaryRow } from './request-summary.js';
import { isoOfNs, numberOrNull, projectCondition, validSpanId, validTraceId } from './query-sql.js';

type DetailRow = SummaryRow & {
  parent_span_id: string;
  kind: string;
  status_message: string;
  scope_name: string;
  scope_version: string;
  cost_status: string;
  priced_model: string;
  cost_input_usd: number | null;
  cost_output_usd: number | null;
  cost_cache_read_usd: number | null;
  cost_cache_write_usd: number | null;
  attributes: Record<string, string>;
  resource_attributes: Record<string, string>;
  event_times_ns: string[];
  event_names: string[];
  event_attributes: Array<Record<string, string>>;
};

export async function getRequest(ctx: QueryContext, projectId: string, traceId: string, spanId: string): Promise<RequestDetail | null> {
  const params = new QueryParams();
  const [row] = await selectRows<DetailRow>(
    ctx,
    `SELECT ${DETAIL_COLUMNS} FROM ${ctx.spans} FINAL
     WHERE ${projectCondition(params, projectId)} AND trace_id = ${params.bind('String', validTraceId(traceId))} AND span_id = ${params.bind('String', validSpanId(spanId))}`,
    params,
  );
  if (!row) return null;
  return {
    ...requestSummary(row),
    parentSpanId: row.parent_span_id,
    kind: row.kind,
    statusMessage: row.status_message,
    scopeName: row.scope_name,
    scopeVersion: row.scope_version,
    costStatus: row.cost_status,
    pricedModel: row.priced_model,
    cost: {
      inputUsd: numberOrNull(row.cost_input_usd),
      outputUsd: numberOrNull(row.cost_output_usd),
      cacheReadUsd: numberOrNull(row.cost_cache_read_usd),
      cacheWriteUsd: numberOrNull(row.cost_cache_write_usd),
      totalUsd: numberOrNull(row.cost_total_usd),
    },
    attributes: row.attributes,
    resourceAttributes: row.resource_attributes,
    events: row.event_names.map((name, i) => ({ name, time: isoOfNs(row.event_times_ns[i]), attributes: row.event_attributes[i] ?? {} })),
    content: capturedContent(row.attributes),
  };
}
