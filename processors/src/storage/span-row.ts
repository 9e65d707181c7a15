/**
 * A SpanRecord as one row of the `spans` table (span-table.ts), in the shape JSONEachRow
 * expects. What the shape has to respect:
 *
 * - `start_time` is text, `<seconds>.<nanoseconds>` with 10-digit seconds: DateTime64(9) reads it
 *   exactly (a JSON number would go through a double and lose nanoseconds). Seconds are clamped to
 *   1970..2099. Event times likewise.
 * - UInt64 values above 2^53 are written as JSON strings (the engine parses quoted integers).
 * - Enum8 columns get the value's name.
 * - Values a column cannot hold (negative or fractional token counts, NaN costs) become NULL or
 *   are rounded here, so one odd span cannot make ClickHouse refuse its whole batch.
 * - Attribute maps hold strings: a string attribute as it is, any other value as its JSON text
 *   (an int64 beyond 2^53 as its digits, so that none is lost), as the OpenTelemetry Collector's
 *   ClickHouse exporter stores them. Property keys are lower-cased (they are matched
 *   case-insensitively; our instrumentation sends them lower-cased already).
 */
import { ATTR_DEPLOYMENT_ENVIRONMENT, ATTR_DEPLOYMENT_ENVIRONMENT_NAME, ATTR_SERVICE_NAME } from '@tokentrace/semconv';
import type { Attributes, SpanRecord } from '../pipeline/span-record.js';
import { SPAN_KIND_NAMES, STATUS_CODE_NAMES, type SpanKindName, type StatusCodeName } from './span-table.js';

export interface SpanRow {
  project_id: string;
  /** `<unix seconds>.<9 digits>` (UTC). */
  start_time: string;
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
  cost_saved_usd: number | null;
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
  /** 0..65535; 0 for a first attempt. */
  resend_count: number;
  properties: Record<string, string>;
  attributes: Record<string, string>;
  resource_attributes: Record<string, string>;
  'events.time': string[];
  'events.name': string[];
  'events.attributes': Array<Record<string, string>>;
  /** ReplacingMergeTree version: insert time in microseconds; the newest row of a span wins. */
  version: number;
}

// Resource attributes of the OpenTelemetry semantic conventions (service, deployment); the older
// `deployment.environment` is still what many SDKs send.
const RESOURCE_SERVICE_NAME = ATTR_SERVICE_NAME;
const RESOURCE_ENVIRONMENT = [ATTR_DEPLOYMENT_ENVIRONMENT_NAME, ATTR_DEPLOYMENT_ENVIRONMENT];

/** 2099-12-31T23:59:59Z. */
const MAX_SECONDS = 4_102_444_799n;
const NS_PER_SECOND = 1_000_000_000n;
/** The last second the columns hold, as clampTimeNs returns it, and the first nanosecond after that second. */
const MAX_NS = MAX_SECONDS * NS_PER_SECOND;
const AFTER_MAX_NS = (MAX_SECONDS + 1n) * NS_PER_SECOND;

/** The columns that depend only on a span's resource attributes. */
export interface ResourceColumns {
  service_name: string;
  environment: string;
  resource_attributes: Record<string, string>;
}

/** Rows for a batch, all with `version`. */
export function toSpanRows(spans: readonly SpanRecord[], version: number): SpanRow[] {
  const rowOf = spanRowMapper(version);
  return spans.map(rowOf);
}

/**
 * toSpanRow for the spans of one batch, one at a time. Spans of one OTLP ResourceSpans share
 * their resource attributes object, so its columns are computed once per resource.
 */
export function spanRowMapper(version: number): (span: SpanRecord) => SpanRow {
  const resources = new Map<Attributes, ResourceColumns>();
  return (span) => {
    let resource = resources.get(span.resourceAttributes);
    if (!resource) resources.set(span.resourceAttributes, (resource = resourceColumns(span.resourceAttributes)));
    return toSpanRow(span, version, resource);
  };
}

export function resourceColumns(resourceAttributes: Attributes): ResourceColumns {
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
    resource_attributes: attributeMap(resourceAttributes),
  };
}

const NO_STRINGS: string[] = [];
const NO_MAPS: Array<Record<string, string>> = [];

export function toSpanRow(span: SpanRecord, version: number, resource: ResourceColumns = resourceColumns(span.resourceAttributes)): SpanRow {
  const g = span.genAi;
  const c = span.cost;
  const s = span.session;
  const start = span.startTimeUnixNano > 0n ? span.startTimeUnixNano : 0n;
  const events = span.events;
  return {
    project_id: span.projectId,
    start_time: timeText(start),
    duration_ns: durationNs(span).toString(),
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
    cost_saved_usd: real(c?.savedUsd),
    cost_status: c?.status ?? '',
    priced_model: c?.pricedModel ?? '',
    ttft_seconds: real(g?.timeToFirstChunk),
    user_id: g?.userId ?? '',
    session_id: s?.id ?? g?.sessionId ?? '',
    session_name: s?.name ?? g?.sessionName ?? '',
    session_path: s?.path ?? g?.sessionPath ?? '',
    session_parent_path: s?.parentPath ?? '',
    session_depth: s ? uint16(s.depth) : 0,
    prompt_id: g?.promptId ?? '',
    error_type: g?.errorType ?? '',
    resend_count: g?.resendCount ? uint16(g.resendCount) : 0,
    properties: g?.properties ? propertyMap(g.properties) : {},
    attributes: attributeMap(span.attributes),
    resource_attributes: resource.resource_attributes,
    'events.time': events.length === 0 ? NO_STRINGS : events.map((e) => timeText(e.timeUnixNano > 0n ? e.timeUnixNano : 0n)),
    'events.name': events.length === 0 ? NO_STRINGS : events.map((e) => e.name),
    'events.attributes': events.length === 0 ? NO_MAPS : events.map((e) => attributeMap(e.attributes)),
    version,
  };
}

/**
 * `<seconds>.<nanoseconds>` of a Unix time in nanoseconds, within 1970..2099. Seconds have 10
 * digits (zero-padded): with `date_time_input_format = 'best_effort'` (the default since
 * ClickHouse 26.5) a shorter number (`0.000000005`, a time before 1973-03-03, e.g. an unset
 * event time) is not read as a Unix time but refused (CANNOT_PARSE_DATETIME), and its span with it.
 */
export function timeText(ns: bigint): string {
  const seconds = ns / NS_PER_SECOND;
  if (seconds > MAX_SECONDS) return `${MAX_SECONDS}.000000000`;
  return `${seconds.toString().padStart(10, '0')}.${(ns % NS_PER_SECOND).toString().padStart(9, '0')}`;
}

const MAX_UINT64 = 2n ** 64n - 1n;

/** End minus start (a start before 1970 counting as 1970), 0 when the end is not after it, at most UInt64's maximum. */
export function durationNs(span: SpanRecord): bigint {
  const start = span.startTimeUnixNano > 0n ? span.startTimeUnixNano : 0n;
  const duration = span.endTimeUnixNano > start ? span.endTimeUnixNano - start : 0n;
  return duration > MAX_UINT64 ? MAX_UINT64 : duration;
}

/** A Unix time in nanoseconds within 1970..2099 as the columns store it (timeText's value, as an integer). */
export function clampTimeNs(ns: bigint): bigint {
  if (ns <= 0n) return 0n;
  // ns / NS_PER_SECOND > MAX_SECONDS, without a bigint division (and the bigint it makes) per time.
  return ns >= AFTER_MAX_NS ? MAX_NS : ns;
}

/** Attributes as a map of strings: strings as they are, other values as JSON text. */
export function attributeMap(attributes: Attributes): Record<string, string> {
  const map: Record<string, string> = {};
  for (const key in attributes) map[key] = text(attributes[key]);
  return map;
}

export function propertyMap(properties: Record<string, unknown>): Record<string, string> {
  const map: Record<string, string> = {};
  for (const key in properties) map[key.toLowerCase()] = String(properties[key]);
  return map;
}

/** JSON text of a value; bigint becomes a number when exact, a string of its digits otherwise. */
export function valueJson(value: unknown): string {
  try {
    return JSON.stringify(value); // the common case: no bigint anywhere
  } catch {
    return JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'bigint' ? (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v,
    );
  }
}

/** An attribute value as a map's string: strings as they are, bigints as digits, others as JSON text. */
export function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  return typeof value === 'object' ? valueJson(value) : String(value);
}

/** A token count a UInt64 holds (rounded), or null. */
export function count(value: number | undefined): number | null {
  return typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER ? Math.round(value) : null;
}

/** A UInt16 (session depth, resend count): truncated, clamped to 0..65535. */
export function uint16(value: number): number {
  return Math.max(0, Math.min(65_535, Math.trunc(value) || 0));
}

/** A finite Float64, or null. */
export function real(value: number | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
