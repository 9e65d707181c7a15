/**
 * Cuts attribute values nested deeper than a cap out of an export request, for the decoders'
 * sake: protobufjs's `decode` and `fromObject` recurse once or twice per level, so a value nested
 * some thousands of levels deep (legal in OTLP, a few bytes per level) overflows the stack and the
 * whole request would be lost with it. Only called after such an overflow, so ordinary requests
 * pay nothing. A cut AnyValue becomes an empty one; the sanitizer then drops the deepest
 * container kept and marks the span (span-sanitizer.ts), so the cap is one above the limit.
 *
 * Both walks recurse only as deep as the cap, and only along the messages that hold attributes
 * (common.proto, trace.proto): ExportTraceServiceRequest → ResourceSpans → Resource / ScopeSpans
 * → InstrumentationScope / Span → Event / Link → KeyValue → AnyValue → ArrayValue / KeyValueList.
 */

/** The RangeError V8 throws when recursion exhausts the stack. */
export function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}

/** For each message, the fields (number → message) that lead to attribute values. */
const PATHS = {
  request: { 1: 'resourceSpans' },
  resourceSpans: { 1: 'resource', 2: 'scopeSpans' },
  resource: { 1: 'keyValue' },
  scopeSpans: { 1: 'scope', 2: 'span' },
  scope: { 3: 'keyValue' },
  span: { 9: 'keyValue', 11: 'event', 13: 'link' },
  event: { 3: 'keyValue' },
  link: { 4: 'keyValue' },
  keyValue: { 2: 'anyValue' },
  anyValue: { 5: 'arrayValue', 6: 'kvList' },
  arrayValue: { 1: 'anyValue' },
  kvList: { 1: 'keyValue' },
} as const satisfies Record<string, Record<number, string>>;
type Message = keyof typeof PATHS;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

interface Encoded {
  chunks: Uint8Array[];
  length: number;
}

/**
 * A binary ExportTraceServiceRequest with every AnyValue deeper than `maxDepth` (1 = an
 * attribute's own value) emptied. Throws RangeError for bytes that are not a protobuf message.
 */
export function pruneNestedProtobuf(body: Uint8Array, maxDepth: number): Buffer {
  const { chunks, length } = rewrite(body, 0, body.length, 'request', 0, maxDepth);
  return Buffer.concat(chunks, length);
}

function rewrite(buf: Uint8Array, start: number, end: number, message: Message, depth: number, maxDepth: number): Encoded {
  const out: Encoded = { chunks: [], length: 0 };
  const fields = PATHS[message] as Record<number, Message | undefined>;
  let copyFrom = start; // bytes from here up to the current field are copied unchanged
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    const [tag, afterTag] = readVarint(buf, pos, end);
    pos = afterTag;
    const wire = tag & 7;
    if (wire === WIRE_VARINT) pos = readVarint(buf, pos, end)[1];
    else if (wire === WIRE_FIXED64) pos += 8;
    else if (wire === WIRE_FIXED32) pos += 4;
    else if (wire === WIRE_LEN) {
      const [length, bodyStart] = readVarint(buf, pos, end);
      const bodyEnd = bodyStart + length;
      if (bodyEnd > end) throw new RangeError('truncated length-delimited field');
      const child = fields[tag >>> 3];
      if (child) {
        const childDepth = child === 'anyValue' ? depth + 1 : depth;
        const inner = child === 'anyValue' && childDepth > maxDepth ? { chunks: [], length: 0 } : rewrite(buf, bodyStart, bodyEnd, child, childDepth, maxDepth);
        push(out, buf.subarray(copyFrom, fieldStart));
        push(out, Uint8Array.from([...varint(tag), ...varint(inner.length)]));
        for (const chunk of inner.chunks) push(out, chunk);
        copyFrom = bodyEnd;
      }
      pos = bodyEnd;
    } else throw new RangeError(`invalid wire type ${wire}`);
  }
  if (pos > end) throw new RangeError('truncated field');
  push(out, buf.subarray(copyFrom, end));
  return out;
}

function push(out: Encoded, chunk: Uint8Array): void {
  if (chunk.length === 0) return;
  out.chunks.push(chunk);
  out.length += chunk.length;
}

function readVarint(buf: Uint8Array, pos: number, end: number): [number, number] {
  let value = 0;
  for (let shift = 0; shift < 64; shift += 7) {
    if (pos >= end) throw new RangeError('truncated varint');
    const byte = buf[pos++];
    // Lengths and tags fit 32 bits; higher groups of a 64-bit varint only need skipping.
    if (shift < 28) value |= (byte & 0x7f) << shift;
    else if (shift === 28) value = (value | ((byte & 0x0f) << 28)) >>> 0;
    if ((byte & 0x80) === 0) return [value >>> 0, pos];
  }
  throw new RangeError('varint longer than 10 bytes');
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return bytes;
}

/** The same for a parsed OTLP/JSON request (keys as in the proto3 JSON mapping), in place. */
export function pruneNestedJson(request: unknown, maxDepth: number): void {
  for (const resourceSpans of objects(field(request, 'resourceSpans'))) {
    pruneAttributes(field(field(resourceSpans, 'resource'), 'attributes'), 0, maxDepth);
    for (const scopeSpans of objects(field(resourceSpans, 'scopeSpans'))) {
      pruneAttributes(field(field(scopeSpans, 'scope'), 'attributes'), 0, maxDepth);
      for (const span of objects(field(scopeSpans, 'spans'))) {
        pruneAttributes(field(span, 'attributes'), 0, maxDepth);
        for (const event of objects(field(span, 'events'))) pruneAttributes(field(event, 'attributes'), 0, maxDepth);
        for (const link of objects(field(span, 'links'))) pruneAttributes(field(link, 'attributes'), 0, maxDepth);
      }
    }
  }
}

function pruneAttributes(keyValues: unknown, depth: number, maxDepth: number): void {
  for (const kv of objects(keyValues)) pruneValue(kv, 'value', depth + 1, maxDepth);
}

function pruneValue(holder: Record<string, unknown>, key: string, depth: number, maxDepth: number): void {
  const value = holder[key];
  if (!isObject(value)) return;
  if (depth > maxDepth) {
    holder[key] = {};
    return;
  }
  const array = field(value, 'arrayValue');
  const values = field(array, 'values');
  if (Array.isArray(values)) for (let i = 0; i < values.length; i++) pruneValue(values as unknown as Record<string, unknown>, String(i), depth + 1, maxDepth);
  pruneAttributes(field(field(value, 'kvlistValue'), 'values'), depth, maxDepth);
}

function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

function objects(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
