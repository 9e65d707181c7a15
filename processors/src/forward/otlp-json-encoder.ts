/**
 * Encodes SpanRecords back into an OTLP/JSON ExportTraceServiceRequest (the OTLP spec's JSON
 * encoding: hex ids, 64-bit integers as strings, AnyValue objects), grouping spans by resource and
 * scope. `extraAttributes` adds the collector's enrichment (cost) to each span.
 */
import type { AttributeValue, Attributes, SpanRecord } from '../pipeline/span-record.js';

type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } }
  | Record<string, never>;
interface KeyValue {
  key: string;
  value: AnyValue;
}

export function encodeOtlpJson(spans: readonly SpanRecord[], extraAttributes: (span: SpanRecord) => Attributes = () => ({})): unknown {
  const byResource = new Map<string, { resource: Attributes; scopes: Map<string, { name: string; version: string; spans: unknown[] }> }>();
  for (const span of spans) {
    const resourceKey = stableKey(span.resourceAttributes);
    let resource = byResource.get(resourceKey);
    if (!resource) byResource.set(resourceKey, (resource = { resource: span.resourceAttributes, scopes: new Map() }));
    const scopeKey = `${span.scopeName}\u0000${span.scopeVersion}`;
    let scope = resource.scopes.get(scopeKey);
    if (!scope) resource.scopes.set(scopeKey, (scope = { name: span.scopeName, version: span.scopeVersion, spans: [] }));
    scope.spans.push(encodeSpan(span, extraAttributes(span)));
  }
  return {
    resourceSpans: [...byResource.values()].map((r) => ({
      resource: { attributes: keyValues(r.resource) },
      scopeSpans: [...r.scopes.values()].map((s) => ({ scope: { name: s.name, version: s.version }, spans: s.spans })),
    })),
  };
}

function encodeSpan(span: SpanRecord, extra: Attributes): unknown {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: span.startTimeUnixNano.toString(),
    endTimeUnixNano: span.endTimeUnixNano.toString(),
    attributes: keyValues({ ...span.attributes, ...extra }),
    events: span.events.map((e) => ({ name: e.name, timeUnixNano: e.timeUnixNano.toString(), attributes: keyValues(e.attributes) })),
    status: { code: span.statusCode, ...(span.statusMessage ? { message: span.statusMessage } : {}) },
  };
}

function keyValues(attributes: Attributes): KeyValue[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function anyValue(value: AttributeValue): AnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'bigint') return { intValue: value.toString() };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (value === null) return {};
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { kvlistValue: { values: keyValues(value) } };
}

function stableKey(attributes: Attributes): string {
  return JSON.stringify(Object.keys(attributes).sort().map((k) => [k, String(attributes[k])]));
}
