/**
 * One trace export, the same over HTTP and gRPC: decode, convert to SpanRecords (counting the
 * invalid ones), hand the valid ones to the pipeline, and report what to answer. Transport code
 * only reads bodies, authenticates and encodes the outcome.
 */
import type { SpanConsumer } from '@tokentrace/processors';
import { failureFromPipeline, ReceiverFailure } from './receiver-failure.js';
import { inlineSpanDecoder, type SpanDecoder } from './span-decoder.js';
import { OtlpDecodeError, type OtlpEncoding } from './trace-codec.js';
import type { TraceJournal } from './types.js';

export interface TraceExportResult {
  acceptedSpans: number;
  rejectedSpans: number;
  /** Accepted spans whose content was changed to be storable (span-sanitizer.ts). */
  sanitizedSpans: number;
  /** For ExportTracePartialSuccess.error_message; '' when nothing was rejected. */
  errorMessage: string;
}

/** Resolves with the partial-success figures; rejects with a ReceiverFailure. */
export async function exportTraces(
  consumer: SpanConsumer,
  body: Uint8Array,
  encoding: OtlpEncoding,
  projectId: string,
  decoder: SpanDecoder = inlineSpanDecoder,
  journal?: TraceJournal,
): Promise<TraceExportResult> {
  let conversion;
  try {
    conversion = await decoder.decode(body, encoding, projectId);
  } catch (err) {
    if (err instanceof OtlpDecodeError) throw new ReceiverFailure('bad_data', err.message, undefined, { cause: err });
    throw err;
  }
  const { spans, rejected, errorMessage, sanitized } = conversion;
  // An empty request, or one whose spans were all invalid, is answered without bothering the
  // pipeline (spec: an empty request "SHOULD" get success).
  if (spans.length > 0) {
    try {
      await consumer.consume(spans);
      // Issue 11: durable before the answer (a crash after it cannot lose what was acknowledged).
      await journal?.record(body, encoding, projectId);
    } catch (err) {
      throw failureFromPipeline(err);
    }
  }
  return { acceptedSpans: spans.length, rejectedSpans: rejected, sanitizedSpans: sanitized, errorMessage };
}
