/**
 * One request (any span, in fact) in full: every column of its newest stored version, the
 * attributes, resource attributes and events parsed back from their JSON text, and the captured
 * content. The span's days come from `trace_index`, as for a trace tree, so the FINAL read
 * touches one granule of `spans`.
 */
import type { RequestDetail } from './query-model.js';
import { selectRows, type QueryContext } from './query-context.js';
import { capturedContent, jsonObject } from './request-content.js';
import { requestSummary, type SummaryRow } from './request-summary.js';
import { isoOfNs, numberOrNull, projectCondition, spanIdLiteral, traceIdLiteral } from './query-sql.js';

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
  attributes: string;
  resource_attributes: string;
  events: string;
};

interface StoredEvent {
  name?: unknown;
  time_unix_nano?: unknown;
  attributes?: unknown;
}

export async function getRequest(ctx: QueryContext, projectId: string, traceId: string, spanId: string): Promise<RequestDetail | null> {
  const project = projectCondition(projectId);
  const trace = traceIdLiteral(traceId);
  const span = spanIdLiteral(spanId);
  const { spans, traceIndex } = ctx.tables;
  const indexed = `FROM ${traceIndex} WHERE ${project} AND trace_id = ${trace}`;
  const [row] = await selectRows<DetailRow>(
    ctx,
    `SELECT * FROM ${spans} FINAL
     WHERE ${project} AND trace_id = ${trace} AND span_id = ${span}
       AND date >= (SELECT toDate(minMerge(first_start)) ${indexed})
       AND date <= (SELECT toDate(maxMerge(last_start)) ${indexed})`,
  );
  if (!row) return null;
  const attributes = jsonObject(row.attributes);
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
    attributes,
    resourceAttributes: jsonObject(row.resource_attributes),
    events: parseEvents(row.events),
    content: capturedContent(attributes),
  };
}

function parseEvents(text: string): RequestDetail['events'] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  return value.map((e: StoredEvent) => {
    const time = typeof e.time_unix_nano === 'string' || typeof e.time_unix_nano === 'number' ? String(e.time_unix_nano) : '0';
    return {
      name: typeof e.name === 'string' ? e.name : '',
      time: /^\d+$/.test(time) ? isoOfNs(time) : '',
      attributes: e.attributes !== null && typeof e.attributes === 'object' ? (e.attributes as Record<string, unknown>) : {},
    };
  });
}
