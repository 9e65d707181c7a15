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
 *
 * Every string and size goes through the request's SpanSanitizer (issue 10); a span whose
 * content was changed, or whose resource's or scope's was, carries `tokentrace.sanitized` saying
 * what was done, and is counted in `sanitized`.
 */
import type { OtlpSpanKind, SpanEvent, SpanRecord } from '@tokentrace/processors';
import { ATTR_TOKENTRACE_SANITIZED } from '@tokentrace/semconv';
import { int64ToBigInt, toAttributes } from './any-value.js';
import type { OtlpEvent, OtlpSpan, OtlpTraceRequest } from './otlp-proto.js';
import { DEFAULT_SPAN_LIMITS } from './span-limits.js';
import { mergeChanges, sanitizedMark, SpanSanitizer } from './span-sanitizer.js';

export interface SpanConversion {
  spans: SpanRecord[];
  /** Spans left out for invalid ids. */
  rejected: number;
  /** Why, for ExportTracePartialSuccess.error_message; '' when nothing was rejected. */
  errorMessage: string;
  /** Spans kept whose content was changed to be storable or to fit the limits. */
  sanitized: number;
}

/** How many distinct reasons the partial-success message quotes. */
export const MAX_REASONS = 3;

/** Why a span was rejected, for the partial-success message (trace.proto, Span.trace_id / span_id / parent_span_id). */
export const INVALID_ID_REASONS = {
  traceId: 'trace_id must be 16 bytes (32 hex digits in OTLP/JSON), not all zero',
  spanId: 'span_id must be 8 bytes (16 hex digits in OTLP/JSON), not all zero',
  parentSpanId: 'parent_span_id must be empty or 8 bytes (16 hex digits in OTLP/JSON)',
} as const;

/** ExportTracePartialSuccess.error_message: '' when nothing was rejected. */
export function rejectionMessage(rejected: number, kept: number, reasons: ReadonlySet<string>): string {
  return rejected === 0 ? '' : `rejected ${rejected} of ${rejected + kept} spans: ${[...reasons].join('; ')}`;
}

export function toSpanRecords(request: OtlpTraceRequest, projectId: string, sanitizer = new SpanSanitizer(DEFAULT_SPAN_LIMITS)): SpanConversion {
  const spans: SpanRecord[] = [];
  const reasons = new Set<string>();
  let rejected = 0;
  let sanitized = 0;
  for (const resourceSpans of request.resourceSpans ?? []) {
    sanitizer.take();
    const resourceAttributes = toAttributes(resourceSpans.resource?.attributes, sanitizer);
    const resourceChanges = sanitizer.take();
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const scopeName = sanitizer.name(scopeSpans.scope?.name ?? '');
      const scopeVersion = sanitizer.name(scopeSpans.scope?.version ?? '');
      const outerChanges = mergeChanges(resourceChanges, sanitizer.take());
      for (const span of scopeSpans.spans ?? []) {
        const problem = invalidIds(span);
        if (problem) {
          rejected++;
          if (reasons.size < MAX_REASONS) reasons.add(problem);
          continue;
        }
        const record: SpanRecord = {
          projectId,
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: isZero(span.parentSpanId) ? '' : hex(span.parentSpanId),
          name: sanitizer.name(span.name ?? ''),
          kind: kindOf(span.kind),
          startTimeUnixNano: int64ToBigInt(span.startTimeUnixNano, false),
          endTimeUnixNano: int64ToBigInt(span.endTimeUnixNano, false),
          statusCode: statusOf(span.status?.code),
          statusMessage: sanitizer.value(span.status?.message ?? ''),
          attributes: toAttributes(span.attributes, sanitizer),
          // Shared by the spans of one ResourceSpans: processors change records in place, but
          // none changes resource attributes (they are only read: rows, size, forwarding).
          resourceAttributes,
          scopeName,
          scopeVersion,
          events: toEvents(span.events, sanitizer),
        };
        const changes = mergeChanges(outerChanges, sanitizer.take());
        if (changes) {
          record.attributes[ATTR_TOKENTRACE_SANITIZED] = sanitizedMark(changes);
          sanitized++;
        }
        spans.push(record);
      }
    }
  }
  return { spans, rejected, errorMessage: rejectionMessage(rejected, spans.length, reasons), sanitized };
}

function toEvents(events: OtlpEvent[] | null | undefined, sanitizer: SpanSanitizer): SpanEvent[] {
  if (!events || events.length === 0) return [];
  const kept = Math.min(events.length, sanitizer.limits.maxEventCount);
  sanitizer.count('events_dropped', events.length - kept);
  const result = new Array<SpanEvent>(kept);
  for (let i = 0; i < kept; i++) {
    const event = events[i];
    result[i] = { name: sanitizer.name(event.name ?? ''), timeUnixNano: int64ToBigInt(event.timeUnixNano, false), attributes: toAttributes(event.attributes, sanitizer) };
  }
  return result;
}

function invalidIds(span: OtlpSpan): string | undefined {
  if (span.traceId?.length !== 16 || isZero(span.traceId)) return INVALID_ID_REASONS.traceId;
  if (span.spanId?.length !== 8 || isZero(span.spanId)) return INVALID_ID_REASONS.spanId;
  const parent = span.parentSpanId;
  if (parent && parent.length !== 0 && parent.length !== 8) return INVALID_ID_REASONS.parentSpanId;
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
