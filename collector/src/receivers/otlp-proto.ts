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
  buf: ProtoBuffer;
  pos: number;
  len: number;
  uint32(): number;
  string(): string;
}
const protobuf = createRequire(generatedPath)('protobufjs/minimal') as { Reader: { create(buffer: Uint8Array): BufferReader } };

/**
 * Short ASCII strings decoded lately, by a hash of their bytes: attribute keys, model and provider
 * names, span names, which every span of a request repeats, are then one string shared by all
 * their spans instead of a new one each (fewer allocations, and an attribute key already
 * internalized when it is set on the next span's attributes). A slot holds the last string that
 * hashed to it; a hit is checked byte for byte. ASCII bytes are their own UTF-8 decoding, so the
 * string is the one utf8Slice would make, with nothing to repair.
 */
const RECENT_SLOTS = 4096;
const RECENT_MAX_BYTES = 64;
const recent = new Array<string | undefined>(RECENT_SLOTS).fill(undefined);

/**
 * The bytes `buf[start, end)` as a string when they are ASCII, from `recent` when it has them; undefined otherwise.
 * The slot is a hash of the length and of a few bytes at both ends only (keys and values that
 * vary, like `user-17`, mostly do so there), not of every byte: a hit is checked byte for byte
 * anyway, and that check proves the bytes ASCII, as the cached string is.
 */
function recentAscii(buf: ProtoBuffer, start: number, end: number): string | undefined {
  const length = end - start;
  let hash = 0x811c9dc5 ^ length;
  if (length !== 0) {
    const last = end - 1;
    hash = Math.imul(hash ^ buf[start]!, 0x01000193);
    hash = Math.imul(hash ^ buf[last]!, 0x01000193);
    hash = Math.imul(hash ^ buf[start + (length >>> 1)]!, 0x01000193);
    if (length > 3) {
      hash = Math.imul(hash ^ buf[start + 1]!, 0x01000193);
      hash = Math.imul(hash ^ buf[last - 1]!, 0x01000193);
      hash = Math.imul(hash ^ buf[last - 2]!, 0x01000193);
    }
  }
  const slot = (hash ^ (hash >>> 16)) & (RECENT_SLOTS - 1);
  const cached = recent[slot];
  if (cached !== undefined && cached.length === length) {
    let i = 0;
    while (i < length && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === length) return cached;
  }
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return undefined;
  const decoded = buf.latin1Slice(start, end);
  recent[slot] = decoded;
  return decoded;
}

/** Node's Buffer with the slicing methods `toString` calls (no argument checks): what protobufjs's reader holds too. */
export type ProtoBuffer = Buffer & { utf8Slice(start: number, end: number): string; latin1Slice(start: number, end: number): string; hexSlice(start: number, end: number): string; base64Slice(start: number, end: number): string };

/**
 * The protobuf string at `buf[start, end)`: short ASCII strings from `recent`, others through
 * Node's UTF-8 decoder (invalid bytes become U+FFFD; `isRepairedUtf8` tells). Shared by
 * protobufjs's reader (`utf8CheckingReader`) and the receivers' own span decoder
 * (protobuf-span-records.ts), so both make the same strings.
 */
export function protoString(buf: ProtoBuffer, start: number, end: number): string {
  if (end - start <= RECENT_MAX_BYTES) {
    const ascii = recentAscii(buf, start, end);
    if (ascii !== undefined) return ascii;
  }
  return buf.utf8Slice(start, end);
}

/** Whether `decoded`, protoString of `buf[start, end)`, had invalid UTF-8 replaced. */
export function isRepairedUtf8(buf: ProtoBuffer, start: number, end: number, decoded: string): boolean {
  // Only a string with U+FFFD can be a repair, and U+FFFD is not ASCII (an ASCII string has as
  // many characters as bytes); then the bytes say whether it was sent as such.
  return decoded.includes('\uFFFD') && !isUtf8(buf.subarray(start, end));
}

/**
 * A reader for `decode` that reports each string whose bytes were not valid UTF-8 (decoded, as
 * Node always does, with U+FFFD in place of the bad bytes) to `onRepaired`, and takes short
 * ASCII strings from `recent`.
 */
export function utf8CheckingReader(body: Uint8Array, onRepaired: (decoded: string) => void): BufferReader {
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const reader = protobuf.Reader.create(buffer);
  reader.string = function readString(this: BufferReader): string {
    const length = this.uint32();
    const start = this.pos;
    const end = (this.pos = Math.min(start + length, this.len));
    const decoded = protoString(this.buf, start, end);
    if (isRepairedUtf8(this.buf, start, end, decoded)) onRepaired(decoded);
    return decoded;
  };
  return reader;
}

export const ExportTraceServiceRequest: MessageType<OtlpTraceRequest> = traceV1.ExportTraceServiceRequest;
export const ExportTraceServiceResponse: MessageType<OtlpTraceResponse> = traceV1.ExportTraceServiceResponse;
