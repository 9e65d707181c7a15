/**
 * The read side of the `spans` contract (span-table.ts): the columns each kind of read selects,
 * the conditions every query starts with, and the settings that make FINAL cheap. The query
 * engine (collector/src/queries) builds its statements from these, so a column is named here and
 * in span-table.ts only.
 */
import type { QueryParams } from './query-params.js';

/** `start_time_ns` as text: a UInt64 nanosecond count does not fit a JSON number. */
const START_NS = 'toString(start_time_ns) AS start_time_ns';

/** One request (model call) in a list or a detail. */
export const SUMMARY_COLUMNS = `trace_id, span_id, ${START_NS}, duration_ns, name, provider, operation, request_model, response_model, user_id,
  session_id, session_name, session_path, prompt_id, service_name, environment, status_code, error_type, resend_count, input_tokens, output_tokens,
  cache_read_tokens, cache_creation_tokens, reasoning_tokens, cost_total_usd, ttft_seconds, properties`;

/** One span in a trace or session tree. */
export const TREE_COLUMNS = `trace_id, span_id, parent_span_id, name, ${START_NS}, duration_ns, status_code, status_message, error_type,
  is_model_call, provider, operation, request_model, response_model, input_tokens, output_tokens, cache_read_tokens, reasoning_tokens,
  cost_total_usd, ttft_seconds, user_id, session_id, session_path`;

/** One span in full (a request's detail): the summary and everything else stored. */
export const DETAIL_COLUMNS = `${SUMMARY_COLUMNS}, parent_span_id, kind, status_message, scope_name, scope_version, cost_status, priced_model,
  cost_input_usd, cost_output_usd, cost_cache_read_usd, cost_cache_write_usd, attributes, resource_attributes,
  arrayMap(t -> toString(toUnixTimestamp64Nano(t)), events.time) AS event_times_ns, events.name AS event_names, events.attributes AS event_attributes`;

/**
 * Settings of every read. `do_not_merge_across_partitions_select_final`: a span's versions share
 * its day (the partition key comes from its start, which never changes), so FINAL merges within
 * a partition only, partitions in parallel, and a partition the engine has merged into one part
 * is read as it is.
 */
export const READ_SETTINGS = { do_not_merge_across_partitions_select_final: 1 } as const;

/** `project_id = …`: the first condition of every query (the tenant is the first key column). */
export function projectCondition(params: QueryParams, projectId: string): string {
  return `project_id = ${params.bind('String', projectId)}`;
}

/** Spans starting in [fromMs, toMs): prunes partitions (days) and the key's hours. */
export function startRangeCondition(params: QueryParams, fromMs: number, toMs: number): string {
  return `start_time >= fromUnixTimestamp64Milli(${params.bind('Int64', Math.ceil(fromMs))}, 'UTC') AND start_time < fromUnixTimestamp64Milli(${params.bind('Int64', Math.ceil(toMs))}, 'UTC')`;
}

/**
 * The value of custom property `name`, '' when absent. Keys are stored lower-cased (span-row.ts)
 * and looked up lower-cased: property names are case-insensitive.
 */
export function propertySql(params: QueryParams, name: string): string {
  return `properties[${params.bind('String', name.toLowerCase())}]`;
}

/**
 * The sum of a USD column, as decimals: a Float64 sum depends on the order the engine's threads
 * add the values in, so the same rows grouped two ways (a top-N with `(other)`, the totals, a
 * session's cost) differed in the last digit. Decimal addition is exact in any order.
 */
export function exactUsdSum(column: string): string {
  return `toFloat64(sum(toDecimal128(${column}, 15)))`;
}
