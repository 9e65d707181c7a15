/**
 * Turns an export request's body into SpanRecords: OTLP decoding (protobuf or JSON) and the
 * conversion to records. Behind an interface so that the receivers do not care whether it runs on
 * the event loop (`inlineSpanDecoder`, for tests and small deployments) or on worker threads
 * (`WorkerSpanDecoder`, the collector's default), where it frees the event loop for batching and
 * the ClickHouse inserts.
 */
import { toSpanRecords, type SpanConversion } from './span-records.js';
import { decodeTraceRequest, type OtlpEncoding } from './trace-codec.js';

export interface SpanDecoder {
  /** Rejects with OtlpDecodeError for a body that is not a valid ExportTraceServiceRequest. */
  decode(body: Uint8Array, encoding: OtlpEncoding, projectId: string): Promise<SpanConversion>;
  close(): Promise<void>;
}

export const inlineSpanDecoder: SpanDecoder = {
  async decode(body, encoding, projectId) {
    return toSpanRecords(decodeTraceRequest(body, encoding), projectId);
  },
  async close() {},
};
