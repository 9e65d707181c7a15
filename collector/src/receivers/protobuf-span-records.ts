/**
 * A binary ExportTraceServiceRequest straight to SpanRecords, reading the protobuf wire format
 * (https://protobuf.dev/programming-guides/encoding/) by hand: the same records, rejections and
 * sanitizer marks as protobufjs's `decode` followed by `toSpanRecords` (span-records.ts), without
 * the message objects in between (a KeyValue, an AnyValue and a Long per attribute, a Buffer per
 * id), which cost more than the records themselves (bench:collector, issue 11). OTLP/JSON keeps
 * the generic path (trace-codec.ts); `protobuf-span-records.test.ts` checks both against each
 * other on every OTLP field.
 *
 * Read, per trace.proto and common.proto: resource attributes; scope name and version; a span's
 * ids, name, kind, times, attributes, events (time, name, attributes) and status (message, code).
 * Everything else (trace_state, flags, links, dropped counts, schema URLs, scope attributes,
 * entity refs, fields added later) is skipped by its wire type, as any protobuf parser skips
 * unknown fields. A field that occurs twice keeps its last value; a oneof its last member.
 *
 * Fields may come in any order: a ResourceSpans's resource and a ScopeSpans's scope are found
 * first (a scan of the message's fields), since every span of theirs needs them. Values nested
 * deeper than `maxNestingDepth` are skipped without descending into them, so no depth can
 * overflow the stack (protobufjs recurses and needs nested-value-pruning.ts for that).
 *
 * Malformed input (a length past its message, a truncated value, wire type 6 or 7, a known field
 * with another wire type than its type's) throws WireFormatError, which the caller turns into a
 * 400.
 */
import type { Attributes, AttributeValue, OtlpSpanKind, SpanEvent, SpanRecord } from '@tokentrace/processors';
import { ATTR_TOKENTRACE_SANITIZED } from '@tokentrace/semconv';
import { int64Value } from './any-value.js';
import { isRepairedUtf8, protoString, type ProtoBuffer } from './otlp-proto.js';
import { INVALID_ID_REASONS, MAX_REASONS, rejectionMessage, type SpanConversion } from './span-records.js';
import { mergeChanges, sanitizedMark, type SanitizeChanges, type SpanSanitizer } from './span-sanitizer.js';
import { OTLP_MALFORMED } from './trace-codec.js';

/** Bytes that are not an ExportTraceServiceRequest in the protobuf wire format. */
export class WireFormatError extends RangeError {
  /** As the OtlpDecodeError the decoder's caller turns it into (a 400). */
  readonly code = OTLP_MALFORMED;
  override readonly name = 'WireFormatError';
}

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const SGROUP = 3;
const EGROUP = 4;
const I32 = 5;

/** Decodes `body`; throws WireFormatError for malformed bytes. */
export function protobufSpanRecords(body: Uint8Array, projectId: string, sanitizer: SpanSanitizer): SpanConversion {
  const buf = (Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)) as ProtoBuffer;
  return new SpanDecoding(buf, projectId, sanitizer).request();
}

class SpanDecoding {
  private pos = 0;
  /** The low and high 32 bits of the last varint64 read. */
  private low = 0;
  private high = 0;
  /** Whether the last string read had invalid UTF-8 replaced. */
  private repaired = false;
  private readonly spans: SpanRecord[] = [];
  private readonly reasons = new Set<string>();
  /** The same bytes, for fixed64 times: DataView's getBigUint64 is cheaper than Buffer's readBigUInt64LE (bench:collector's spans, interleaved micro-run). */
  private readonly view: DataView;
  private rejected = 0;
  private sanitized = 0;

  constructor(
    private readonly buf: ProtoBuffer,
    private readonly projectId: string,
    private readonly sanitizer: SpanSanitizer,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; } */
  request(): SpanConversion {
    this.eachMessage(1, this.buf.length, (to) => this.resourceSpans(to));
    const { spans, rejected } = this;
    return { spans, rejected, errorMessage: rejectionMessage(rejected, spans.length, this.reasons), sanitized: this.sanitized };
  }

  /** ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; } */
  private resourceSpans(end: number): void {
    const start = this.pos;
    // The resource first, wherever it is (its last occurrence, as protobufjs keeps).
    const resourceAt = this.lastFieldOneAt(end);
    const sanitizer = this.sanitizer;
    sanitizer.take();
    let resourceAttributes: Attributes = {};
    if (resourceAt >= 0) {
      this.pos = resourceAt;
      resourceAttributes = this.resource(this.lengthEnd(end));
    }
    const resourceChanges = sanitizer.take();
    this.pos = start;
    this.eachMessage(2, end, (to) => this.scopeSpans(to, resourceAttributes, resourceChanges));
  }

  /** Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; repeated EntityRef entity_refs = 3; } */
  private resource(end: number): Attributes {
    const attributes: Attributes = {};
    let count = 0;
    while (this.pos < end) {
      const tag = this.tag();
      if (tag === ((1 << 3) | LEN)) count = this.keyValue(this.lengthEnd(end), attributes, count, 0);
      else this.skip(tag, end);
    }
    return attributes;
  }

  /** ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; } */
  private scopeSpans(end: number, resourceAttributes: Attributes, resourceChanges: SanitizeChanges | undefined): void {
    const start = this.pos;
    const scopeAt = this.lastFieldOneAt(end);
    let name = '';
    let nameRepaired = false;
    let version = '';
    let versionRepaired = false;
    if (scopeAt >= 0) {
      // InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
      this.pos = scopeAt;
      const scopeEnd = this.lengthEnd(end);
      while (this.pos < scopeEnd) {
        const tag = this.tag();
        if (tag === ((1 << 3) | LEN)) {
          name = this.string(scopeEnd);
          nameRepaired = this.repaired;
        } else if (tag === ((2 << 3) | LEN)) {
          version = this.string(scopeEnd);
          versionRepaired = this.repaired;
        } else this.skip(tag, scopeEnd);
      }
    }
    const scopeName = this.name(name, nameRepaired);
    const scopeVersion = this.name(version, versionRepaired);
    const outerChanges = mergeChanges(resourceChanges, this.sanitizer.take());
    this.pos = start;
    this.eachMessage(2, end, (to) => this.span(to, resourceAttributes, scopeName, scopeVersion, outerChanges));
  }

  /**
   * Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
   * fixed32 flags = 16; string name = 5; SpanKind kind = 6; fixed64 start_time_unix_nano = 7;
   * fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10;
   * repeated Event events = 11; uint32 dropped_events_count = 12; repeated Link links = 13;
   * uint32 dropped_links_count = 14; Status status = 15; }
   */
  private span(end: number, resourceAttributes: Attributes, scopeName: string, scopeVersion: string, outerChanges: SanitizeChanges | undefined): void {
    const buf = this.buf;
    let traceAt = 0;
    let traceLength = 0;
    let spanAt = 0;
    let spanLength = 0;
    let parentAt = 0;
    let parentLength = 0;
    let name = '';
    let nameRepaired = false;
    let kind = 0;
    let startTime = 0n;
    let endTime = 0n;
    let statusCode = 0;
    let statusMessage = '';
    let statusRepaired = false;
    const attributes: Attributes = {};
    let attributeCount = 0;
    const events: SpanEvent[] = [];
    let eventCount = 0;
    while (this.pos < end) {
      const tag = this.tag();
      switch (tag) {
        case (1 << 3) | LEN:
          traceLength = this.length(end);
          traceAt = this.pos;
          this.pos += traceLength;
          break;
        case (2 << 3) | LEN:
          spanLength = this.length(end);
          spanAt = this.pos;
          this.pos += spanLength;
          break;
        case (4 << 3) | LEN:
          parentLength = this.length(end);
          parentAt = this.pos;
          this.pos += parentLength;
          break;
        case (5 << 3) | LEN:
          name = this.string(end);
          nameRepaired = this.repaired;
          break;
        case (6 << 3) | VARINT:
          this.varint64(end);
          kind = this.low | 0;
          break;
        case (7 << 3) | I64:
          startTime = this.fixed64(end);
          break;
        case (8 << 3) | I64:
          endTime = this.fixed64(end);
          break;
        case (9 << 3) | LEN:
          attributeCount = this.keyValue(this.lengthEnd(end), attributes, attributeCount, 0);
          break;
        case (11 << 3) | LEN: {
          const to = this.lengthEnd(end);
          // The first events are kept, as toSpanRecords keeps them.
          if (eventCount++ < this.sanitizer.limits.maxEventCount) events.push(this.event(to));
          else this.sanitizer.count('events_dropped');
          this.pos = to;
          break;
        }
        case (15 << 3) | LEN: {
          // Status { reserved 1; string message = 2; StatusCode code = 3; }: the last one counts whole.
          const to = this.lengthEnd(end);
          statusCode = 0;
          statusMessage = '';
          statusRepaired = false;
          while (this.pos < to) {
            const statusTag = this.tag();
            if (statusTag === ((2 << 3) | LEN)) {
              statusMessage = this.string(to);
              statusRepaired = this.repaired;
            } else if (statusTag === ((3 << 3) | VARINT)) {
              this.varint64(to);
              statusCode = this.low | 0;
            } else this.skip(statusTag, to, 15);
          }
          break;
        }
        default:
          this.skip(tag, end, 1);
      }
    }
    const sanitizer = this.sanitizer;
    const problem = invalidIds(buf, traceAt, traceLength, spanAt, spanLength, parentAt, parentLength);
    if (problem) {
      // Its content's changes are not anyone's.
      sanitizer.take();
      this.rejected++;
      if (this.reasons.size < MAX_REASONS) this.reasons.add(problem);
      return;
    }
    // The same fields in the same order as toSpanRecords: one object shape for both paths.
    const record: SpanRecord = {
      projectId: this.projectId,
      traceId: buf.hexSlice(traceAt, traceAt + 16),
      spanId: buf.hexSlice(spanAt, spanAt + 8),
      parentSpanId: isZero(buf, parentAt, parentLength) ? '' : buf.hexSlice(parentAt, parentAt + 8),
      name: this.name(name, nameRepaired),
      kind: kind >= 0 && kind <= 5 ? (kind as OtlpSpanKind) : 0,
      startTimeUnixNano: startTime,
      endTimeUnixNano: endTime,
      statusCode: statusCode === 1 || statusCode === 2 ? statusCode : 0,
      statusMessage: this.value(statusMessage, statusRepaired),
      attributes,
      resourceAttributes,
      scopeName,
      scopeVersion,
      events,
    };
    const changes = mergeChanges(outerChanges, sanitizer.take());
    if (changes) {
      attributes[ATTR_TOKENTRACE_SANITIZED] = sanitizedMark(changes);
      this.sanitized++;
    }
    this.spans.push(record);
  }

  /** Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; } */
  private event(end: number): SpanEvent {
    let time = 0n;
    let name = '';
    let nameRepaired = false;
    const attributes: Attributes = {};
    let count = 0;
    while (this.pos < end) {
      const tag = this.tag();
      if (tag === ((1 << 3) | I64)) time = this.fixed64(end);
      else if (tag === ((2 << 3) | LEN)) {
        name = this.string(end);
        nameRepaired = this.repaired;
      } else if (tag === ((3 << 3) | LEN)) count = this.keyValue(this.lengthEnd(end), attributes, count, 0);
      else this.skip(tag, end, 11);
    }
    return { name: this.name(name, nameRepaired), timeUnixNano: time, attributes };
  }

  /**
   * KeyValue { string key = 1; AnyValue value = 2; } into `attributes`, the `count`th of its list
   * (within the count limit, else dropped and counted); returns the list's count so far. `depth`
   * is the list's container's (0 for a span's attributes), as toAttributes takes it.
   */
  private keyValue(end: number, attributes: Attributes, count: number, depth: number): number {
    if (count >= this.sanitizer.limits.maxAttributeCount) {
      this.sanitizer.count('attributes_dropped');
      this.pos = end;
      return count + 1;
    }
    let key = '';
    let keyRepaired = false;
    let valueAt = -1;
    let valueEnd = -1;
    while (this.pos < end) {
      const tag = this.tag();
      if (tag === ((1 << 3) | LEN)) {
        key = this.string(end);
        keyRepaired = this.repaired;
      } else if (tag === ((2 << 3) | LEN)) {
        valueEnd = this.lengthEnd(end);
        valueAt = this.pos;
        this.pos = valueEnd;
      } else this.skip(tag, end, 9);
    }
    const name = this.name(key, keyRepaired);
    let value: AttributeValue = null;
    if (valueAt >= 0) {
      this.pos = valueAt;
      value = this.anyValue(valueEnd, depth + 1);
      this.pos = end;
    }
    // An own property even for `__proto__`, whose assignment would set the object's prototype.
    if (name === '__proto__') Object.defineProperty(attributes, name, { value, enumerable: true, writable: true, configurable: true });
    else attributes[name] = value;
    return count + 1;
  }

  /**
   * AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3;
   * double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
   * as toAttributeValue (any-value.ts) makes it; `depth` 1 for an attribute's own value.
   */
  private anyValue(end: number, depth: number): AttributeValue {
    let value: AttributeValue = null;
    let repaired = false;
    // A container or bytes: where its bytes are, decoded when it turns out to be the last member.
    let member = 0;
    let at = 0;
    let to = 0;
    while (this.pos < end) {
      const tag = this.tag();
      switch (tag) {
        case (1 << 3) | LEN:
          value = this.string(end);
          repaired = this.repaired;
          member = 1;
          break;
        case (2 << 3) | VARINT:
          this.varint64(end);
          value = (this.low | this.high) !== 0;
          member = 2;
          break;
        case (3 << 3) | VARINT:
          this.varint64(end);
          value = int64Value(this.low, this.high);
          member = 3;
          break;
        case (4 << 3) | I64:
          this.need(8, end);
          value = this.buf.readDoubleLE(this.pos);
          this.pos += 8;
          member = 4;
          break;
        case (5 << 3) | LEN:
        case (6 << 3) | LEN:
        case (7 << 3) | LEN:
          to = this.lengthEnd(end);
          at = this.pos;
          this.pos = to;
          member = tag >>> 3;
          break;
        default:
          this.skip(tag, end, 2);
      }
    }
    const sanitizer = this.sanitizer;
    switch (member) {
      case 1:
        return this.value(value as string, repaired);
      case 5:
      case 6: {
        if (depth > sanitizer.limits.maxNestingDepth) {
          sanitizer.count('nested_values_dropped');
          return null;
        }
        this.pos = at;
        const result = member === 6 ? this.keyValueList(to, depth) : this.arrayValue(to, depth);
        this.pos = end;
        return result;
      }
      case 7:
        return this.value(this.buf.base64Slice(at, to), false);
      default:
        return value;
    }
  }

  /** ArrayValue { repeated AnyValue values = 1; }: the first elements, within the limit. */
  private arrayValue(end: number, depth: number): AttributeValue[] {
    const array: AttributeValue[] = [];
    const max = this.sanitizer.limits.maxArrayLength;
    while (this.pos < end) {
      const tag = this.tag();
      if (tag === ((1 << 3) | LEN)) {
        const to = this.lengthEnd(end);
        if (array.length < max) array.push(this.anyValue(to, depth + 1));
        else this.sanitizer.count('array_items_dropped');
        this.pos = to;
      } else this.skip(tag, end, 5);
    }
    return array;
  }

  /** KeyValueList { repeated KeyValue values = 1; } */
  private keyValueList(end: number, depth: number): Attributes {
    const attributes: Attributes = {};
    let count = 0;
    while (this.pos < end) {
      const tag = this.tag();
      if (tag === ((1 << 3) | LEN)) count = this.keyValue(this.lengthEnd(end), attributes, count, depth);
      else this.skip(tag, end, 6);
    }
    return attributes;
  }

  /**
   * Where the last field 1 (length-delimited: a ResourceSpans's resource, a ScopeSpans's scope)
   * of the message ending at `end` starts, at its length; -1 when there is none. Reads to `end`.
   */
  private lastFieldOneAt(end: number): number {
    let at = -1;
    while (this.pos < end) {
      const tag = this.tag();
      if (tag === ((1 << 3) | LEN)) at = this.pos;
      this.skip(tag, end);
    }
    return at;
  }

  /** Each length-delimited `field` of the message ending at `end`, to `read` (given its end); other fields skipped. */
  private eachMessage(field: number, end: number, read: (to: number) => void): void {
    const wanted = (field << 3) | LEN;
    while (this.pos < end) {
      const tag = this.tag();
      if (tag === wanted) {
        const to = this.lengthEnd(end);
        read(to);
        this.pos = to;
      } else this.skip(tag, end);
    }
  }

  /** A span or event name, attribute key, scope name or version, through the sanitizer. */
  private name(text: string, repaired: boolean): string {
    if (repaired) this.sanitizer.count('invalid_utf8_replaced');
    return this.sanitizer.name(text);
  }

  /** A string attribute value or status message, through the sanitizer. */
  private value(text: string, repaired: boolean): string {
    if (repaired) this.sanitizer.count('invalid_utf8_replaced');
    return this.sanitizer.value(text);
  }

  /** A field's key (field number << 3 | wire type); field number 0 does not exist. */
  private tag(): number {
    const buf = this.buf;
    const byte = buf[this.pos];
    // One byte: fields 1 to 15, which are all the ones read here.
    if (byte !== undefined && byte < 0x80 && byte >= 8) {
      this.pos++;
      return byte;
    }
    this.varint64(buf.length);
    const tag = this.low >>> 0;
    if (this.high !== 0 || tag >>> 3 === 0) throw new WireFormatError(`invalid field key at offset ${this.pos}`);
    return tag;
  }

  /** A varint of up to 64 bits into `low` and `high`. */
  private varint64(end: number): void {
    const buf = this.buf;
    let low = 0;
    let high = 0;
    let shift = 0;
    let pos = this.pos;
    for (;;) {
      if (pos >= end) throw new WireFormatError(`truncated varint at offset ${this.pos}`);
      const byte = buf[pos++]!;
      if (shift < 28) low |= (byte & 0x7f) << shift;
      else if (shift === 28) {
        low |= (byte & 0x0f) << 28;
        high = (byte & 0x7f) >>> 4;
      } else if (shift < 63) high |= (byte & 0x7f) << (shift - 32);
      else if (shift === 63) high |= (byte & 0x01) << 31;
      else throw new WireFormatError(`varint longer than 10 bytes at offset ${this.pos}`);
      if (byte < 0x80) break;
      shift += 7;
    }
    this.pos = pos;
    this.low = low;
    this.high = high;
  }

  /** A length-delimited field's length, checked against the end of its message. */
  private length(end: number): number {
    const buf = this.buf;
    const byte = buf[this.pos];
    let length: number;
    if (byte !== undefined && byte < 0x80) {
      this.pos++;
      length = byte;
    } else {
      this.varint64(end);
      if (this.high !== 0 || this.low < 0) throw new WireFormatError(`length out of range at offset ${this.pos}`);
      length = this.low;
    }
    if (length > end - this.pos) throw new WireFormatError(`length ${length} at offset ${this.pos} runs past its message`);
    return length;
  }

  /** Where the length-delimited value that starts here ends. */
  private lengthEnd(end: number): number {
    const length = this.length(end);
    return this.pos + length;
  }

  private string(end: number): string {
    const length = this.length(end);
    const start = this.pos;
    const to = (this.pos = start + length);
    const decoded = protoString(this.buf, start, to);
    this.repaired = decoded.length !== 0 && isRepairedUtf8(this.buf, start, to, decoded);
    return decoded;
  }

  private fixed64(end: number): bigint {
    this.need(8, end);
    const value = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return value;
  }

  private need(bytes: number, end: number): void {
    if (end - this.pos < bytes) throw new WireFormatError(`truncated value at offset ${this.pos}`);
  }

  /**
   * Skips a field this decoder does not read, by its wire type. `known`, when not 0, is the
   * message whose known fields have fixed wire types: a known field number with another one is
   * malformed (e.g. a span's name sent as a varint), not a field to skip.
   */
  private skip(tag: number, end: number, known = 0): void {
    const field = tag >>> 3;
    if (known !== 0 && knownWireType(known, field) !== undefined) {
      throw new WireFormatError(`field ${field} has wire type ${tag & 7}, not ${knownWireType(known, field)}, at offset ${this.pos}`);
    }
    switch (tag & 7) {
      case VARINT:
        this.varint64(end);
        return;
      case I64:
        this.need(8, end);
        this.pos += 8;
        return;
      case LEN:
        this.pos = this.lengthEnd(end);
        return;
      case I32:
        this.need(4, end);
        this.pos += 4;
        return;
      case SGROUP: {
        // A group (proto2, deprecated): fields up to its end marker.
        for (;;) {
          if (this.pos >= end) throw new WireFormatError(`unterminated group at offset ${this.pos}`);
          const inner = this.tag();
          if ((inner & 7) === EGROUP) {
            if (inner >>> 3 !== field) throw new WireFormatError(`group ${field} ended by ${inner >>> 3} at offset ${this.pos}`);
            return;
          }
          this.skip(inner, end);
        }
      }
      default:
        throw new WireFormatError(`invalid wire type ${tag & 7} at offset ${this.pos}`);
    }
  }
}

/**
 * The wire type of a field this decoder reads, by message (numbered by the Span field that holds
 * it: 1 Span, 2 AnyValue, 5 ArrayValue, 6 KeyValueList, 9 KeyValue, 11 Event, 15 Status).
 * Messages read only for one field (request, ResourceSpans, Resource, ScopeSpans, scope) skip a
 * mistyped field like an unknown one.
 */
function knownWireType(message: number, field: number): number | undefined {
  switch (message) {
    case 1:
      return field === 1 || field === 2 || field === 4 || field === 5 || field === 9 || field === 11 || field === 15 ? LEN : field === 6 ? VARINT : field === 7 || field === 8 ? I64 : undefined;
    case 2:
      return field === 1 || (field >= 5 && field <= 7) ? LEN : field === 2 || field === 3 ? VARINT : field === 4 ? I64 : undefined;
    case 5:
    case 6:
      return field === 1 ? LEN : undefined;
    case 9:
      return field === 1 || field === 2 ? LEN : undefined;
    case 11:
      return field === 1 ? I64 : field === 2 || field === 3 ? LEN : undefined;
    case 15:
      return field === 2 ? LEN : field === 3 ? VARINT : undefined;
    default:
      return undefined;
  }
}

/** span-records.ts's checks on the ids' bytes (trace.proto: all zeroes or another length is invalid). */
function invalidIds(buf: Buffer, traceAt: number, traceLength: number, spanAt: number, spanLength: number, parentAt: number, parentLength: number): string | undefined {
  if (traceLength !== 16 || isZero(buf, traceAt, 16)) return INVALID_ID_REASONS.traceId;
  if (spanLength !== 8 || isZero(buf, spanAt, 8)) return INVALID_ID_REASONS.spanId;
  if (parentLength !== 0 && parentLength !== 8) return INVALID_ID_REASONS.parentSpanId;
  return undefined;
}

function isZero(buf: Buffer, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) if (buf[i] !== 0) return false;
  return true;
}
