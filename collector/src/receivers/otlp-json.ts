/**
 * OTLP/JSON (OTLP spec, "JSON Protobuf Encoding") → the same ExportTraceServiceRequest message
 * the binary decoder produces, through the generated `fromObject`, which already follows the
 * proto3 JSON mapping for the rest: lowerCamelCase keys, int64 as decimal strings or numbers,
 * enums as integers (names are tolerated), bytes as base64, unknown fields ignored.
 *
 * int64 fields written as JSON numbers (allowed: "either numbers or strings are accepted when
 * decoding") lose precision past 2^53 in JSON.parse, and nanosecond timestamps are that large; when
 * the text has such long integers, they are kept as their source text (JSON.parse source access,
 * TC39 proposal-json-parse-with-source, in Node ≥ 21), which fromObject reads exactly.
 *
 * The one deviation from the proto3 mapping handled here: trace and span ids are case-insensitive hex, not base64, in
 * every OTLP message (Span, Span.Link). They are decoded to bytes before `fromObject`; a string
 * that is not hex becomes a 1-byte id, which no OTLP id can be, so the span is rejected with the
 * other invalid ids instead of failing the whole request.
 */
import { isStackOverflow, pruneNestedJson } from './nested-value-pruning.js';
import { ExportTraceServiceRequest, type OtlpTraceRequest } from './otlp-proto.js';

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
/** A JSON number with 16 or more integer digits: may be beyond 2^53. */
const LONG_NUMBER = /[:[,]\s*-?\d{16}/;
const NOT_AN_ID = new Uint8Array(1);

export class OtlpJsonError extends Error {
  readonly code = 'TOKENTRACE_OTLP_MALFORMED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OtlpJsonError';
  }
}

/**
 * Parses an OTLP/JSON ExportTraceServiceRequest; throws OtlpJsonError for malformed JSON or wrong
 * shapes. Attribute values nested deeper than `pruneDepth` are emptied if they would overflow
 * fromObject's stack (nested-value-pruning.ts).
 */
export function traceRequestFromJson(text: string, pruneDepth = Infinity): OtlpTraceRequest {
  let parsed: unknown;
  try {
    parsed = LONG_NUMBER.test(text) ? JSON.parse(text, exactIntegers) : JSON.parse(text);
  } catch (err) {
    throw new OtlpJsonError(`body is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isObject(parsed)) throw new OtlpJsonError('body is not a JSON object (ExportTraceServiceRequest)');
  for (const resourceSpans of list(parsed.resourceSpans)) {
    for (const scopeSpans of list(resourceSpans.scopeSpans)) {
      for (const span of list(scopeSpans.spans)) {
        hexField(span, 'traceId');
        hexField(span, 'spanId');
        hexField(span, 'parentSpanId');
        for (const link of list(span.links)) {
          hexField(link, 'traceId');
          hexField(link, 'spanId');
        }
      }
    }
  }
  try {
    try {
      return ExportTraceServiceRequest.fromObject(parsed);
    } catch (err) {
      if (!isStackOverflow(err) || pruneDepth === Infinity) throw err;
      pruneNestedJson(parsed, pruneDepth);
      return ExportTraceServiceRequest.fromObject(parsed);
    }
  } catch (err) {
    // fromObject throws TypeError naming the message and field, e.g. ".opentelemetry.proto...: object expected".
    throw new OtlpJsonError(`body is not an ExportTraceServiceRequest: ${(err as Error).message}`, { cause: err });
  }
}

/** JSON.parse reviver: an integer that a double cannot hold exactly stays a decimal string. */
function exactIntegers(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source)) return context.source;
  return value;
}

function hexField(target: Record<string, unknown>, key: string): void {
  const value = target[key];
  if (typeof value !== 'string') return;
  target[key] = HEX.test(value) ? Buffer.from(value, 'hex') : NOT_AN_ID;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The objects of a JSON array; anything else is left for fromObject to reject. */
function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}
