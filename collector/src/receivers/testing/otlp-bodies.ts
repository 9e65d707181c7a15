/**
 * Export request bodies written by hand, for what no SDK exporter sends: raw spans with any ids
 * or content, and values nested deeper than any encoder recurses. Shared by the receivers'
 * conformance suite and the collector's end-to-end tests.
 */
import { ExportTraceServiceRequest } from '../otlp-proto.js';

/** An OTLP/JSON-shaped request (hex ids) with the given spans, for raw requests. */
export function requestWith(spans: Record<string, unknown>[]): Record<string, unknown> {
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw' } }] }, scopeSpans: [{ scope: { name: 'raw' }, spans }] }] };
}

/** Raw spans start at this module's load (recent, so that the store's retention keeps them), 1 ns long. */
export const RAW_SPAN_START_NS = BigInt(Date.now()) * 1_000_000n + 1n;

export function rawSpan(traceId: string, spanId: string, name: string): Record<string, unknown> {
  return { traceId, spanId, name, kind: 3, startTimeUnixNano: RAW_SPAN_START_NS.toString(), endTimeUnixNano: (RAW_SPAN_START_NS + 1n).toString() };
}

/** An OTLP/JSON-shaped request as binary protobuf. */
export function toProtobuf(request: Record<string, unknown>): Uint8Array {
  // Test-side hex → bytes, so the encoding does not go through the receiver's own JSON decoder.
  const copy = structuredClone(request) as { resourceSpans?: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
  for (const rs of copy.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) for (const key of ['traceId', 'spanId', 'parentSpanId']) if (typeof span[key] === 'string') span[key] = Buffer.from(span[key] as string, 'hex');
    }
  }
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(copy)).finish();
}

/**
 * A binary ExportTraceServiceRequest with one span `deep` (ids in hex) whose attribute `deep`
 * is nested `depth` arrays deep, built inside out from the lengths: no encoder recurses that deep.
 */
export function deepProtobufRequest(depth: number, traceId: string, spanId: string): Buffer {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return out;
  };
  const field = (number: number, length: number): number[] => [(number << 3) | 2, ...varint(length)];
  const leaf = [0x0a, 1, 0x78]; // AnyValue { string_value: "x" }
  const levels: number[][] = []; // innermost first
  let length = leaf.length;
  for (let i = 0; i < depth; i++) {
    const values = field(1, length); // ArrayValue.values
    const array = field(5, values.length + length); // AnyValue.array_value
    levels.push(values, array);
    length += values.length + array.length;
  }
  const fixed64 = (n: bigint): number[] => [...Buffer.from(new BigUint64Array([n]).buffer)];
  const key = [...field(1, 4), ...Buffer.from('deep')];
  const keyValue = [...key, ...field(2, length)]; // then the value's bytes
  const spanHead = [
    ...field(1, 16), ...Buffer.from(traceId, 'hex'),
    ...field(2, 8), ...Buffer.from(spanId, 'hex'),
    ...field(5, 4), ...Buffer.from('deep'),
    0x30, 3, // kind: client
    0x39, ...fixed64(1_700_000_000_000_000_001n),
    0x41, ...fixed64(1_700_000_000_000_000_002n),
  ];
  const attribute = field(9, keyValue.length + length); // Span.attributes
  let inner = spanHead.length + attribute.length + keyValue.length + length;
  const outer: number[][] = []; // innermost first: ScopeSpans.spans, ResourceSpans.scope_spans, request.resource_spans
  for (const number of [2, 2, 1]) {
    const header = field(number, inner);
    outer.push(header);
    inner += header.length;
  }
  return Buffer.from([...outer.reverse(), spanHead, attribute, keyValue, ...levels.reverse(), leaf].flat());
}
