/**
 * A SpanRecord as one row of the `spans` table (migrations.ts), in the shape JSONEachRow
 * expects on 18.16 and on current servers. What the shape has to respect:
 *
 * - Every column is always present: 18.16 fills a field missing from a JSON row with the type's
 *   zero, not with the column's DEFAULT (input_format_defaults_for_omitted_fields came in 19.x).
 * - UInt64 values above 2^53 are written as JSON strings; both versions parse quoted integers.
 * - Enum8 columns get the value's name: 18.16 refuses a number for an Enum in JSON.
 * - DateTime gets Unix seconds clamped to 1970..2099: out-of-range seconds silently wrap on
 *   18.16, and Date has no days after 2105 there.
 * - Values a column cannot hold (negative or fractional token counts, NaN costs) become NULL or
 *   are rounded here, so one odd span cannot make ClickHouse refuse its whole batch.
 * - attributes, resource_attributes and events are kept in full as JSON text; int64 attribute
 *   values beyond 2^53 are written as strings so that no digit is lost.
 */
import { ATTR_DEPLOYMENT_ENVIRONMENT, ATTR_DEPLOYMENT_ENVIRONMENT_NAME, ATTR_SERVICE_NAME } from '@tokentrace/semconv';
import type { Attributes, SpanRecord } from '../pipeline/span-record.js';

export interface SpanRow {
  project_id: string;
  /** YYYY-MM-DD (UTC) of start_time: the partition key. */
  date: string;
  /** Unix seconds. */
  start_time: number;
  start_time_ns: string;
  duration_ns: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  service_name: string;
  environment: string;
  name: string;
  kind: SpanKindName;
  status_code: StatusCodeName;
  status_message: string;
  scope_name: string;
  scope_version: string;
  is_model_call: 0 | 1;
  provider: string;
  operation: string;
  request_model: string;
  response_model: string;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_creation_tokens: number | null;
  reasoning_tokens: number | null;
  cost_input_usd: number | null;
  cost_output_usd: number | null;
  cost_cache_read_usd: number | null;
  cost_cache_write_usd: number | null;
  cost_total_usd: number | null;
  /** CostFields.status; '' when the pricing stage did not run. */
  cost_status: string;
  priced_model: string;
  ttft_seconds: number | null;
  user_id: string;
  session_id: string;
  session_name: string;
  session_path: string;
  session_parent_path: string;
  session_depth: number;
  prompt_id: string;
  error_type: string;
  property_keys: string[];
  property_values: string[];
  attributes: string;
  resource_attributes: string;
  events: string;
  /** ReplacingMergeTree version: insert time in microseconds; the newest row of a span wins. */
  version: number;
}

export const SPAN_KIND_NAMES = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
export type SpanKindName = (typeof SPAN_KIND_NAMES)[number];
export const STATUS_CODE_NAMES = ['unset', 'ok', 'error'] as const;
export type StatusCodeName = (typeof STATUS_CODE_NAMES)[number];

/** The columns in table order; inserts name them, so columns added later keep their defaults. */
export const SPAN_COLUMNS = [
  'project_id', 'date', 'start_time', 'start_time_ns', 'duration_ns', 'trace_id', 'span_id', 'parent_span_id', 'service_name', 'environment',
  'name', 'kind', 'status_code', 'status_message', 'scope_name', 'scope_version', 'is_model_call', 'provider', 'operation', 'request_model',
  'response_model', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'reasoning_tokens', 'cost_input_usd',
  'cost_output_usd', 'cost_cache_read_usd', 'cost_cache_write_usd', 'cost_total_usd', 'cost_status', 'priced_model', 'ttft_seconds', 'user_id',
  'session_id', 'session_name', 'session_path', 'session_parent_path', 'session_depth', 'prompt_id', 'error_type', 'property_keys',
  'property_values', 'attributes', 'resource_attributes', 'events', 'version',
] as const satisfies readonly (keyof SpanRow)[];

// Resource attributes of the OpenTelemetry semantic conventions (service, deployment); the older
// `deployment.environment` is still what many SDKs send.
const RESOURCE_SERVICE_NAME = ATTR_SERVICE_NAME;
const RESOURCE_ENVIRONMENT = [ATTR_DEPLOYMENT_ENVIRONMENT_NAME, ATTR_DEPLOYMENT_ENVIRONMENT];

/** 2099-12-31T23:59:59Z: within DateTime and Date on 18.16 and on current servers. */
const MAX_SECONDS = 4_102_444_799;
const NS_PER_SECOND = 1_000_000_000n;

/** The columns that depend only on a span's resource attributes. */
export interface ResourceColumns {
  service_name: string;
  environment: string;
  resource_attributes: string;
}

/**
 * Rows for a batch, all with `version`. Spans of one OTLP ResourceSpans share their resource
 * attributes object, so its columns (its JSON text above all) are computed once per batch.
 */
export function toSpanRows(spans: readonly SpanRecord[], version: number): SpanRow[] {
  const rowOf = spanRowMapper(version);
  return spans.map(rowOf);
}

/** toSpanRow for the spans of one batch, one at a time, with the resource columns computed once per resource. */
export function spanRowMapper(version: number): (span: SpanRecord) => SpanRow {
  const resources = new Map<Attributes, ResourceColumns>();
  return (span) => {
    let resource = resources.get(span.resourceAttributes);
    if (!resource) resources.set(span.resourceAttributes, (resource = resourceColumns(span.resourceAttributes)));
    return toSpanRow(span, version, resource);
  };
}

function resourceColumns(resourceAttributes: Attributes): ResourceColumns {
  let environment: unknown;
  for (const key of RESOURCE_ENVIRONMENT) {
    const v = resourceAttributes[key];
    if (v !== undefined && v !== null && v !== '') {
      environment = v;
      break;
    }
  }
  return {
    service_name: text(resourceAttributes[RESOURCE_SERVICE_NAME]),
    environment: text(environment),
    resource_attributes: attributesJson(resourceAttributes),
  };
}

/** YYYY-MM-DD (UTC) of Unix seconds; the last day is remembered (a batch's spans share days). */
let lastDay = -1;
let lastDate = '';
function dateOf(seconds: number): string {
  const day = Math.floor(seconds / 86_400);
  if (day !== lastDay) {
    lastDate = new Date(day * 86_400_000).toISOString().slice(0, 10);
    lastDay = day;
  }
  return lastDate;
}

const NO_EVENTS = '[]';

export function toSpanRow(span: SpanRecord, version: number, resource: ResourceColumns = resourceColumns(span.resourceAttributes)): SpanRow {
  const g = span.genAi;
  const c = span.cost;
  const s = span.session;
  const start = span.startTimeUnixNano > 0n ? span.startTimeUnixNano : 0n;
  const seconds = Math.min(MAX_SECONDS, Number(start / NS_PER_SECOND));
  const duration = span.endTimeUnixNano > start ? span.endTimeUnixNano - start : 0n;
  const properties = g?.properties ? Object.entries(g.properties) : [];
  if (properties.length > 1) properties.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    project_id: span.projectId,
    date: dateOf(seconds),
    start_time: seconds,
    start_time_ns: start.toString(),
    duration_ns: duration.toString(),
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    service_name: resource.service_name,
    environment: resource.environment,
    name: span.name,
    kind: SPAN_KIND_NAMES[span.kind] ?? 'unspecified',
    status_code: STATUS_CODE_NAMES[span.statusCode] ?? 'unset',
    status_message: span.statusMessage,
    scope_name: span.scopeName,
    scope_version: span.scopeVersion,
    is_model_call: g?.isModelCall ? 1 : 0,
    provider: g?.provider ?? '',
    operation: g?.operation ?? '',
    request_model: g?.requestModel ?? '',
    response_model: g?.responseModel ?? '',
    input_tokens: count(g?.inputTokens),
    output_tokens: count(g?.outputTokens),
    cache_read_tokens: count(g?.cacheReadInputTokens),
    cache_creation_tokens: count(g?.cacheCreationInputTokens),
    reasoning_tokens: count(g?.reasoningOutputTokens),
    cost_input_usd: real(c?.inputUsd),
    cost_output_usd: real(c?.outputUsd),
    cost_cache_read_usd: real(c?.cacheReadUsd),
    cost_cache_write_usd: real(c?.cacheWriteUsd),
    cost_total_usd: real(c?.totalUsd),
    cost_status: c?.status ?? '',
    priced_model: c?.pricedModel ?? '',
    ttft_seconds: real(g?.timeToFirstChunk),
    user_id: g?.userId ?? '',
    session_id: s?.id ?? g?.sessionId ?? '',
    session_name: s?.name ?? g?.sessionName ?? '',
    session_path: s?.path ?? g?.sessionPath ?? '',
    session_parent_path: s?.parentPath ?? '',
    session_depth: s ? Math.max(0, Math.min(65_535, Math.trunc(s.depth) || 0)) : 0,
    prompt_id: g?.promptId ?? '',
    error_type: g?.errorType ?? '',
    property_keys: properties.map(([k]) => k),
    property_values: properties.map(([, v]) => String(v)),
    attributes: attributesJson(span.attributes),
    resource_attributes: resource.resource_attributes,
    events:
      span.events.length === 0
        ? NO_EVENTS
        : attributesJson(span.events.map((e) => ({ name: e.name, time_unix_nano: e.timeUnixNano.toString(), attributes: e.attributes }))),
    version,
  };
}

/** JSON text of attribute values; bigint becomes a number when exact, a string otherwise. */
export function attributesJson(value: Attributes | unknown[]): string {
  try {
    return JSON.stringify(value); // the common case: no bigint anywhere
  } catch {
    return JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'bigint' ? (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v,
    );
  }
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? attributesJson(value as Attributes) : String(value);
}

function count(value: number | undefined): number | null {
  return typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER ? Math.round(value) : null;
}

function real(value: number | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
