/**
 * The two OTLP encodings of the trace service messages, behind one pair of functions: request
 * bytes → message (binary protobuf or OTLP/JSON), and the ExportTraceServiceResponse in the
 * request's encoding ("The server MUST use the same Content-Type in the response as it received
 * in the request", OTLP spec, "OTLP/HTTP Response").
 */
import { traceRequestFromJson } from './otlp-json.js';
import { ExportTraceServiceRequest, ExportTraceServiceResponse, type OtlpTraceRequest } from './otlp-proto.js';

export type OtlpEncoding = 'protobuf' | 'json';

export const CONTENT_TYPES: Record<OtlpEncoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** The encoding a Content-Type header names, ignoring parameters such as `charset`; undefined when unsupported. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return undefined;
}

export class OtlpDecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OtlpDecodeError';
  }
}

/** Decodes an ExportTraceServiceRequest; throws OtlpDecodeError for malformed or truncated bodies. */
export function decodeTraceRequest(body: Uint8Array, encoding: OtlpEncoding): OtlpTraceRequest {
  try {
    if (encoding === 'json') return traceRequestFromJson(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
    return ExportTraceServiceRequest.decode(body);
  } catch (err) {
    // protobufjs throws RangeError ("index out of range") for truncated input and Error
    // ("invalid wire type") for bytes that are not this message.
    const reason = (err as Error).message;
    throw new OtlpDecodeError(encoding === 'json' ? reason : `body is not a protobuf ExportTraceServiceRequest: ${reason}`, { cause: err });
  }
}

/** ExportTraceServiceResponse; `partial_success` is set only when something was rejected (spec: "MUST leave ... unset" on full success). */
export function encodeTraceResponse(encoding: OtlpEncoding, rejectedSpans: number, errorMessage: string): Uint8Array {
  const partial = rejectedSpans > 0 || errorMessage !== '';
  if (encoding === 'json') {
    // int64 as a decimal string: the proto3 JSON mapping the OTLP/JSON encoding follows.
    const body = partial ? { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } } : {};
    return Buffer.from(JSON.stringify(body));
  }
  return ExportTraceServiceResponse.encode(partial ? { partialSuccess: { rejectedSpans, errorMessage } } : {}).finish();
}
