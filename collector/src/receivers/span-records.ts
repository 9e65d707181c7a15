/**
 * A decoded ExportTraceServiceRequest → SpanRecord[], one record per valid span, each tagged
 * with the caller's project. Spans with ids OTLP calls invalid are left out and counted, so the
 * receiver can answer a partial success with `rejected_spans` and pass the rest on (OTLP spec,
 * "Partial Success").
 *
 * Validity (trace.proto, Span.trace_id / span_id): "An ID with all zeroes OR of length other than
 * 16 bytes [8 for span ids] is considered invalid". A parent span id is empty for a root span;
 * any other length is rejected too. Unknown kind or status values (proto3 keeps unknown enum
 * numbers) become 0, "unspecified"/"unset", rather than losing the span.
 */
import type { OtlpSpanKind, SpanEvent, SpanRecord } from '@tokentrace/processors';
import { int64ToBigInt, toAttributes } from './any-value.js';
import type { OtlpSpan, OtlpTraceRequest } from './otlp-proto.js';

export interface SpanConversion {
  spans: SpanRecord[];
  /** Spans left out for invalid ids. */
  rejected: number;
  /** Why, for ExportTracePartialSuccess.error_message; '' when nothing was rejected. */
  errorMessage: string;
}

/** How many distinct reasons the partial-success message quotes. */
const MAX_REASONS = 3;

export function toSpanRecords(request: OtlpTraceRequest, projectId: string): SpanConversion {
  const spans: SpanRecord[] = [];
  const reasons = new Set<string>();
  let rejected = 0;
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resourceAttributes = toAttributes(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const scopeName = scopeSpans.scope?.name ?? '';
      const scopeVersion = scopeSpans.scope?.version ?? '';
      for (const span of scopeSpans.spans ?? []) {
        const problem = invalidIds(span);
        if (problem) {
          rejected++;
          if (reasons.size < MAX_REASONS) reasons.add(problem);
          continue;
        }
        spans.push({
          projectId,
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: isZero(span.parentSpanId) ? '' : hex(span.parentSpanId),
          name: span.name ?? '',
          kind: kindOf(span.kind),
          startTimeUnixNano: int64ToBigInt(span.startTimeUnixNano, false),
          endTimeUnixNano: int64ToBigInt(span.endTimeUnixNano, false),
          statusCode: statusOf(span.status?.code),
          statusMessage: span.status?.message ?? '',
          attributes: toAttributes(span.attributes),
          // Shared by the spans of one ResourceSpans: processors change records in place, but
          // none changes resource attributes (they are only read: rows, size, forwarding).
          resourceAttributes,
          scopeName,
          scopeVersion,
          events: !span.events || span.events.length === 0 ? [] : span.events.map(
            (event): SpanEvent => ({
              name: event.name ?? '',
              timeUnixNano: int64ToBigInt(event.timeUnixNano, false),
              attributes: toAttributes(event.attributes),
            }),
          ),
        });
      }
    }
  }
  const errorMessage = rejected === 0 ? '' : `rejected ${rejected} of ${rejected + spans.length} spans: ${[...reasons].join('; ')}`;
  return { spans, rejected, errorMessage };
}

function invalidIds(span: OtlpSpan): string | undefined {
  if (span.traceId?.length !== 16 || isZero(span.traceId)) return 'trace_id must be 16 bytes (32 hex digits in OTLP/JSON), not all zero';
  if (span.spanId?.length !== 8 || isZero(span.spanId)) return 'span_id must be 8 bytes (16 hex digits in OTLP/JSON), not all zero';
  const parent = span.parentSpanId;
  if (parent && parent.length !== 0 && parent.length !== 8) return 'parent_span_id must be empty or 8 bytes (16 hex digits in OTLP/JSON)';
  return undefined;
}

function isZero(bytes: Uint8Array | null | undefined): boolean {
  if (!bytes) return true;
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

function hex(bytes: Uint8Array | null | undefined): string {
  if (!bytes) return '';
  // protobufjs hands out Buffers on Node: no second view needed.
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('hex');
}

function kindOf(kind: number | null | undefined): OtlpSpanKind {
  return kind != null && kind >= 0 && kind <= 5 ? (kind as OtlpSpanKind) : 0;
}

function statusOf(code: number | null | undefined): 0 | 1 | 2 {
  return code === 1 || code === 2 ? code : 0;
}
