/**
 * Turns an export request's body into SpanRecords: OTLP decoding (protobuf or JSON) and the
 * conversion to records. Behind an interface so that the receivers do not care whether it runs on
 * the event loop (`inlineSpanDecoder`, for tests and small deployments) or on worker threads
 * (`WorkerSpanDecoder`, the collector's default), where it frees the event loop for batching and
 * the ClickHouse inserts.
 */
import { DEFAULT_SPAN_LIMITS, type SpanLimits } from './span-limits.js';
import { toSpanRecords, type SpanConversion } from './span-records.js';
import { SpanSanitizer, Utf8Repairs } from './span-sanitizer.js';
import { decodeTraceRequest, type OtlpEncoding } from './trace-codec.js';

export interface SpanDecoder {
  /** Rejects with OtlpDecodeError for a body that is not a valid ExportTraceServiceRequest. */
  decode(body: Uint8Array, encoding: OtlpEncoding, projectId: string): Promise<SpanConversion>;
  close(): Promise<void>;
}

/** Decodes and converts on the calling thread, within `limits` (span-limits.ts). */
export function createInlineSpanDecoder(limits: SpanLimits = DEFAULT_SPAN_LIMITS): SpanDecoder {
  return {
    async decode(body, encoding, projectId) {
      const repairs = new Utf8Repairs();
      const request = decodeTraceRequest(body, encoding, { repairs, maxNestingDepth: limits.maxNestingDepth });
      return toSpanRecords(request, projectId, new SpanSanitizer(limits, { repairs, wellFormed: encoding === 'protobuf' }));
    },
    async close() {},
  };
}

export const inlineSpanDecoder: SpanDecoder = createInlineSpanDecoder();
