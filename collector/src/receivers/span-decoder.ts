/**
 * Turns an export request's body into SpanRecords: binary protobuf in one pass by hand
 * (protobuf-span-records.ts), OTLP/JSON by protobufjs's `fromObject` and the conversion to records
 * (span-records.ts). Behind an interface so that the receivers do not care whether it runs on
 * the event loop (`inlineSpanDecoder`, for tests and small deployments) or on worker threads
 * (`WorkerSpanDecoder`, the collector's default), where it frees the event loop for batching and
 * the ClickHouse inserts.
 */
import { protobufSpanRecords, WireFormatError } from './protobuf-span-records.js';
import { DEFAULT_SPAN_LIMITS, type SpanLimits } from './span-limits.js';
import { toSpanRecords, type SpanConversion } from './span-records.js';
import { SpanSanitizer, Utf8Repairs } from './span-sanitizer.js';
import { decodeTraceRequest, OtlpDecodeError, type OtlpEncoding } from './trace-codec.js';

export interface SpanDecoder {
  /** Rejects with OtlpDecodeError for a body that is not a valid ExportTraceServiceRequest. */
  decode(body: Uint8Array, encoding: OtlpEncoding, projectId: string): Promise<SpanConversion>;
  close(): Promise<void>;
}

/** Decodes and converts on the calling thread, within `limits` (span-limits.ts). */
export function createInlineSpanDecoder(limits: SpanLimits = DEFAULT_SPAN_LIMITS): SpanDecoder {
  return {
    async decode(body, encoding, projectId) {
      if (encoding === 'protobuf') return decodeProtobufSpans(body, projectId, limits);
      const repairs = new Utf8Repairs();
      const request = decodeTraceRequest(body, encoding, { repairs, maxNestingDepth: limits.maxNestingDepth });
      return toSpanRecords(request, projectId, new SpanSanitizer(limits, { repairs }));
    },
    async close() {},
  };
}

/** A binary request straight to records (protobuf-span-records.ts); OtlpDecodeError for malformed bytes. */
function decodeProtobufSpans(body: Uint8Array, projectId: string, limits: SpanLimits): SpanConversion {
  try {
    // Node's UTF-8 decoder never makes a lone surrogate: no check for them.
    return protobufSpanRecords(body, projectId, new SpanSanitizer(limits, { wellFormed: true }));
  } catch (err) {
    if (err instanceof WireFormatError) throw new OtlpDecodeError(`body is not a protobuf ExportTraceServiceRequest: ${err.message}`, { cause: err });
    throw err;
  }
}

export const inlineSpanDecoder: SpanDecoder = createInlineSpanDecoder();
