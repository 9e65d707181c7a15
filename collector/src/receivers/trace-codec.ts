/**
 * The two OTLP encodings of the trace service messages, behind one pair of functions: request
 * bytes → message (binary protobuf or OTLP/JSON), and the ExportTraceServiceResponse in the
 * request's encoding ("The server MUST use the same Content-Type in the response as it received
 * in the request", OTLP spec, "OTLP/HTTP Response").
 */
import { isStackOverflow, pruneNestedProtobuf } from './nested-value-pruning.js';
import { traceRequestFromJson } from './otlp-json.js';
import { ExportTraceServiceRequest, ExportTraceServiceResponse, utf8CheckingReader, type OtlpTraceRequest } from './otlp-proto.js';
import { DEFAULT_SPAN_LIMITS } from './span-limits.js';
import { Utf8Repairs } from './span-sanitizer.js';

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

/** The code of every error that says a request body is not an OTLP export request (a 400). */
export const OTLP_MALFORMED = 'TOKENTRACE_OTLP_MALFORMED';

export class OtlpDecodeError extends Error {
  readonly code = OTLP_MALFORMED;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OtlpDecodeError';
  }
}

export interface DecodeOptions {
  /** Collects the strings in which invalid UTF-8 was replaced (for the sanitizer's count). */
  repairs?: Utf8Repairs;
  /** Attribute values nested deeper than this are emptied when they would overflow the decoder's stack. */
  maxNestingDepth?: number;
}

/** Decodes an ExportTraceServiceRequest; throws OtlpDecodeError for malformed or truncated bodies. */
export function decodeTraceRequest(body: Uint8Array, encoding: OtlpEncoding, options: DecodeOptions = {}): OtlpTraceRequest {
  const repairs = options.repairs ?? new Utf8Repairs();
  // One above the limit: the sanitizer sees that something was cut, drops it and says so.
  const pruneDepth = (options.maxNestingDepth ?? DEFAULT_SPAN_LIMITS.maxNestingDepth) + 1;
  try {
    if (encoding === 'json') {
      repairs.checkBody(body);
      return traceRequestFromJson(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'), pruneDepth);
    }
    const check = (decoded: string) => repairs.add(decoded);
    try {
      return ExportTraceServiceRequest.decode(utf8CheckingReader(body, check));
    } catch (err) {
      if (!isStackOverflow(err)) throw err;
      return ExportTraceServiceRequest.decode(utf8CheckingReader(pruneNestedProtobuf(body, pruneDepth), check));
    }
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
