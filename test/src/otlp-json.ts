// Flattens OTLP/JSON export requests (ExportTraceServiceRequest, ExportMetricsServiceRequest) into
// one record per span and per metric data point, which is what tests assert on. Follows the
// OTLP/JSON rules (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): lowerCamelCase
// keys, trace and span ids as hex, int64 as decimal strings, enums as integers; for leniency it
// also takes snake_case keys, enum names and base64 ids.

import { attributes, enumValue, get, id, list, num, optionalNanos, str, type OtlpAttributes } from './otlp-json-values.js';

export type { OtlpAttributes, OtlpValue } from './otlp-json-values.js';
export type ReceivedSpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** undefined for root spans. */
  parentSpanId: string | undefined;
  name: string;
  /** OTLP's kind as a name; note OTLP numbers differ from @opentelemetry/api's SpanKind by one. */
  kind: ReceivedSpanKind;
  /** Nanoseconds since the epoch, as the decimal string OTLP sends. */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  /** 0 unset, 1 ok, 2 error (same numbers as @opentelemetry/api's SpanStatusCode). */
  status: { code: number; message: string };
  attributes: OtlpAttributes;
  events: Array<{ name: string; timeUnixNano: string; attributes: OtlpAttributes }>;
  resource: OtlpAttributes;
  scopeName: string;
  scopeVersion: string | undefined;
}

export type ReceivedMetricType = 'sum' | 'gauge' | 'histogram' | 'exponentialHistogram' | 'summary';

export interface ReceivedDataPoint {
  /** The metric's name, description and unit. */
  name: string;
  description: string;
  unit: string;
  type: ReceivedMetricType;
  attributes: OtlpAttributes;
  resource: OtlpAttributes;
  scopeName: string;
  startTimeUnixNano: string | undefined;
  timeUnixNano: string | undefined;
  aggregationTemporality: 'unspecified' | 'delta' | 'cumulative' | undefined;
  isMonotonic: boolean | undefined;
  /** sum and gauge points. */
  value: number | undefined;
  /** histogram, exponential histogram and summary points. */
  count: number | undefined;
  sum: number | undefined;
  min: number | undefined;
  max: number | undefined;
  /** histogram points. */
  bucketCounts: number[] | undefined;
  explicitBounds: number[] | undefined;
}

const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
const STATUS_CODES = ['unset', 'ok', 'error'] as const;
const TEMPORALITIES = ['unspecified', 'delta', 'cumulative'] as const;

/** Every span in an ExportTraceServiceRequest. */
export function flattenTraces(request: unknown): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of list(request, 'resourceSpans')) {
    const resource = attributes(list(get(rs, 'resource'), 'attributes'));
    for (const ss of list(rs, 'scopeSpans')) {
      const scope = get(ss, 'scope');
      for (const span of list(ss, 'spans')) {
        const parent = id(get(span, 'parentSpanId'));
        const status = get(span, 'status');
        spans.push({
          traceId: id(get(span, 'traceId')),
          spanId: id(get(span, 'spanId')),
          parentSpanId: parent === '' ? undefined : parent,
          name: str(get(span, 'name')),
          kind: enumValue(get(span, 'kind') ?? 0, SPAN_KINDS, 'SPAN_KIND_'),
          startTimeUnixNano: str(get(span, 'startTimeUnixNano')),
          endTimeUnixNano: str(get(span, 'endTimeUnixNano')),
          status: { code: STATUS_CODES.indexOf(enumValue(get(status, 'code') ?? 0, STATUS_CODES, 'STATUS_CODE_')), message: str(get(status, 'message')) },
          attributes: attributes(list(span, 'attributes')),
          events: list(span, 'events').map((e) => ({
            name: str(get(e, 'name')), timeUnixNano: str(get(e, 'timeUnixNano')), attributes: attributes(list(e, 'attributes')),
          })),
          resource,
          scopeName: str(get(scope, 'name')),
          scopeVersion: get(scope, 'version') === undefined ? undefined : str(get(scope, 'version')),
        });
      }
    }
  }
  return spans;
}

const METRIC_TYPES: readonly ReceivedMetricType[] = ['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'];

/** Every data point in an ExportMetricsServiceRequest. */
export function flattenMetrics(request: unknown): ReceivedDataPoint[] {
  const points: ReceivedDataPoint[] = [];
  for (const rm of list(request, 'resourceMetrics')) {
    const resource = attributes(list(get(rm, 'resource'), 'attributes'));
    for (const sm of list(rm, 'scopeMetrics')) {
      const scopeName = str(get(get(sm, 'scope'), 'name'));
      for (const metric of list(sm, 'metrics')) {
        const type = METRIC_TYPES.find((t) => get(metric, t) !== undefined);
        if (!type) continue;
        const data = get(metric, type);
        const temporality = get(data, 'aggregationTemporality');
        const monotonic = get(data, 'isMonotonic');
        for (const dp of list(data, 'dataPoints')) {
          const asInt = get(dp, 'asInt');
          const buckets = get(dp, 'bucketCounts');
          const bounds = get(dp, 'explicitBounds');
          points.push({
            name: str(get(metric, 'name')),
            description: str(get(metric, 'description')),
            unit: str(get(metric, 'unit')),
            type,
            attributes: attributes(list(dp, 'attributes')),
            resource,
            scopeName,
            startTimeUnixNano: optionalNanos(get(dp, 'startTimeUnixNano')),
            timeUnixNano: optionalNanos(get(dp, 'timeUnixNano')),
            aggregationTemporality: temporality === undefined ? undefined : enumValue(temporality, TEMPORALITIES, 'AGGREGATION_TEMPORALITY_'),
            isMonotonic: monotonic === undefined ? undefined : monotonic === true,
            value: asInt !== undefined ? Number(asInt) : num(get(dp, 'asDouble')),
            count: num(get(dp, 'count')),
            sum: num(get(dp, 'sum')),
            min: num(get(dp, 'min')),
            max: num(get(dp, 'max')),
            bucketCounts: Array.isArray(buckets) ? buckets.map(Number) : undefined,
            explicitBounds: Array.isArray(bounds) ? bounds.map(Number) : undefined,
          });
        }
      }
    }
  }
  return points;
}
