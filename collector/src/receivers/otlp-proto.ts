/**
 * The official OTLP message definitions, as code generated from opentelemetry-proto by protobufjs
 * (`pbjs -t static-module`) and published in `@opentelemetry/otlp-transformer@0.216.0`, the last
 * release that ships generated decoders (later ones hand-write an encoder only). Loaded through
 * `require` because it is CommonJS assigning `module.exports` and its `.d.ts` types the root only
 * as a reflection `Root`; the shapes the receivers read are declared below.
 *
 * Only this file knows where the definitions come from, so moving to another source (e.g. the
 * `.proto` files loaded with protobufjs) changes nothing else.
 */
import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';

/** int64/fixed64 as protobufjs decodes it: a `Long` (the `long` package is installed) or a number. */
export type Int64 = number | string | { low: number; high: number; unsigned: boolean };

export interface OtlpAnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64 | null;
  doubleValue?: number | null;
  arrayValue?: { values?: OtlpAnyValue[] | null } | null;
  kvlistValue?: { values?: OtlpKeyValue[] | null } | null;
  bytesValue?: Uint8Array | null;
}

export interface OtlpKeyValue {
  key?: string | null;
  value?: OtlpAnyValue | null;
}

export interface OtlpEvent {
  timeUnixNano?: Int64 | null;
  name?: string | null;
  attributes?: OtlpKeyValue[] | null;
}

export interface OtlpSpan {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  parentSpanId?: Uint8Array | null;
  name?: string | null;
  kind?: number | null;
  startTimeUnixNano?: Int64 | null;
  endTimeUnixNano?: Int64 | null;
  attributes?: OtlpKeyValue[] | null;
  events?: OtlpEvent[] | null;
  status?: { code?: number | null; message?: string | null } | null;
}

export interface OtlpScopeSpans {
  scope?: { name?: string | null; version?: string | null } | null;
  spans?: OtlpSpan[] | null;
}

export interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] | null } | null;
  scopeSpans?: OtlpScopeSpans[] | null;
}

/** opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest */
export interface OtlpTraceRequest {
  resourceSpans?: OtlpResourceSpans[] | null;
}

/** opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse */
export interface OtlpTraceResponse {
  partialSuccess?: { rejectedSpans?: Int64 | null; errorMessage?: string | null } | null;
}

/** The static methods pbjs generates for every message. */
export interface MessageType<T> {
  decode(bytes: Uint8Array | BufferReader): T;
  encode(message: T): { finish(): Uint8Array };
  fromObject(object: Record<string, unknown>): T;
  toObject(message: T, options?: { longs?: typeof String | typeof Number; defaults?: boolean }): Record<string, unknown>;
}

interface GeneratedRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: { v1: { ExportTraceServiceRequest: MessageType<OtlpTraceRequest>; ExportTraceServiceResponse: MessageType<OtlpTraceResponse> } };
      };
    };
  };
}

const require = createRequire(import.meta.url);
const generatedPath = require.resolve('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const generated = require(generatedPath) as GeneratedRoot;
const traceV1 = generated.opentelemetry.proto.collector.trace.v1;

/** protobufjs's reader over a Buffer, as the generated decoders use it (same protobufjs copy, so `instanceof` holds). */
interface BufferReader {
  buf: Buffer & { utf8Slice(start: number, end: number): string };
  pos: number;
  len: number;
  uint32(): number;
  string(): string;
}
const protobuf = createRequire(generatedPath)('protobufjs/minimal') as { Reader: { create(buffer: Uint8Array): BufferReader } };

/**
 * A reader for `decode` that reports each string whose bytes were not valid UTF-8 (decoded, as
 * Node always does, with U+FFFD in place of the bad bytes) to `onRepaired`.
 */
export function utf8CheckingReader(body: Uint8Array, onRepaired: (decoded: string) => void): BufferReader {
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const reader = protobuf.Reader.create(buffer);
  reader.string = function readString(this: BufferReader): string {
    const length = this.uint32();
    const start = this.pos;
    const end = (this.pos = Math.min(start + length, this.len));
    const decoded = this.buf.utf8Slice(start, end);
    // Only a string with U+FFFD can be a repair, and U+FFFD is not ASCII (an ASCII string has as
    // many characters as bytes); then the bytes say whether it was sent as such.
    if (decoded.includes('\uFFFD') && !isUtf8(this.buf.subarray(start, end))) onRepaired(decoded);
    return decoded;
  };
  return reader;
}

export const ExportTraceServiceRequest: MessageType<OtlpTraceRequest> = traceV1.ExportTraceServiceRequest;
export const ExportTraceServiceResponse: MessageType<OtlpTraceResponse> = traceV1.ExportTraceServiceResponse;
