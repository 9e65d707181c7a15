/**
 * A body in ClickHouse's RowBinary format, written into one Buffer that grows by doubling
 * (https://clickhouse.com/docs/interfaces/formats/RowBinary): every value little-endian at its
 * fixed width, strings as LEB128 length + UTF-8 bytes, `Nullable` as a 0/1 byte before the value,
 * `Array` and `Map` as LEB128 count + elements, `LowCardinality(String)` as `String`, `Enum8` as
 * its Int8, `DateTime64(9)` as Int64 nanoseconds. Nothing is escaped or parsed as text: the engine
 * copies the values into its columns (span-row-binary.ts says what was measured).
 */

import type { RowBufferPool } from './arrival-row-buffers.js';

/**
 * Strings shorter than this (UTF-16 units) are copied in a JS loop, longer ones by the UTF-8
 * encoder: a micro-run over the bench's spans' strings (22 per span, median 16 units) cost
 * 0.89 µs per span all in the loop, 0.81 all through the encoder, 0.66 split at 16, 0.70 at 8,
 * 0.75 at 24 (interleaved, medians of 12).
 */
const LOOP_STRING_UNITS = 16;

/** Byte arrays shorter than this are copied in a JS loop, longer ones by `set` (bytes()). */
const LOOP_BYTES = 64;

/** Bytes of `value` as unsigned LEB128. */
function leb128Bytes(value: number): number {
  let bytes = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 128)) bytes++;
  return bytes;
}

export class RowBinaryWriter {
  private buffer: Buffer;
  private view: DataView;
  private pos = 0;

  /** With `pool`, its buffers come from the pool, and one outgrown goes back to it (nothing else has seen it). */
  constructor(
    expectedBytes: number,
    private readonly pool?: RowBufferPool,
  ) {
    const bytes = Math.max(4096, expectedBytes);
    this.buffer = pool ? pool.take(bytes) : Buffer.allocUnsafe(bytes);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
  }

  /** Room for `bytes` more. */
  private reserve(bytes: number): void {
    const need = this.pos + bytes;
    if (need <= this.buffer.length) return;
    const size = Math.max(this.buffer.length * 2, need);
    const grown = this.pool ? this.pool.take(size) : Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.pos);
    this.pool?.giveBack(this.buffer);
    this.buffer = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
  }

  uint8(value: number): void {
    this.reserve(1);
    this.buffer[this.pos++] = value;
  }

  uint16(value: number): void {
    this.reserve(2);
    this.view.setUint16(this.pos, value, true);
    this.pos += 2;
  }

  /** A UInt64 or Int64 from a safe integer (≥ 0). */
  uint64(value: number): void {
    this.reserve(8);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.view.setUint32(this.pos + 4, Math.floor(value / 0x1_0000_0000), true);
    this.pos += 8;
  }

  /** A UInt64 (or a non-negative Int64) from a bigint in range. */
  uint64Big(value: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.pos, value, true);
    this.pos += 8;
  }

  float64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** An unsigned LEB128 count (strings' lengths, arrays' and maps' sizes). */
  varUint(value: number): void {
    this.reserve(10);
    this.pos = this.leb128At(this.pos, value);
  }

  /** `value` as unsigned LEB128 at `at` (room reserved); returns where it ends. */
  private leb128At(at: number, value: number): number {
    while (value >= 0x80) {
      this.buffer[at++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 128);
    }
    this.buffer[at] = value;
    return at + 1;
  }

  /**
   * A String: LEB128 byte length, then UTF-8. Returns false, writing nothing, when the string is
   * not well-formed UTF-16 (a lone surrogate has no UTF-8 form; the encoder would write U+FFFD).
   */
  string(value: string): boolean {
    const units = value.length;
    if (units < LOOP_STRING_UNITS) {
      // Short ASCII (ids' parts, names, numbers as text): copied unit by unit, cheaper in JS than
      // a call into the UTF-8 encoder for a few bytes.
      this.reserve(1 + units);
      const buffer = this.buffer;
      let at = this.pos + 1;
      for (let i = 0; i < units; i++) {
        const unit = value.charCodeAt(i);
        if (unit >= 0x80) return this.utf8String(value);
        buffer[at++] = unit;
      }
      buffer[this.pos] = units;
      this.pos = at;
      return true;
    }
    return this.utf8String(value);
  }

  /**
   * The UTF-8 encoder writes the bytes once, after room for the longest length prefix the string
   * can need (3 bytes per UTF-16 unit); a shorter prefix moves the bytes back over the room left.
   */
  private utf8String(value: string): boolean {
    const units = value.length;
    // A long string is measured first rather than given room three times its length.
    const most = units <= 4096 ? units * 3 : Buffer.byteLength(value, 'utf8');
    const room = leb128Bytes(most);
    this.reserve(room + most);
    const at = this.pos + room;
    const written = this.buffer.write(value, at);
    // Every unit became one byte only when all were ASCII; otherwise a lone surrogate would have been written as U+FFFD.
    if (written !== units && !value.isWellFormed()) return false;
    const prefix = leb128Bytes(written);
    if (prefix < room) this.buffer.copyWithin(this.pos + prefix, at, at + written);
    this.leb128At(this.pos, written);
    this.pos += prefix + written;
    return true;
  }

  /**
   * A String holding a safe integer's decimal text, as String(value) makes it (-0 as "0"),
   * written digit by digit instead of making the string: token counts, ports and status codes
   * in attribute values.
   */
  safeIntegerText(value: number): void {
    // At most 16 digits and a sign: the length prefix is one byte.
    this.reserve(18);
    const buffer = this.buffer;
    let v = value < 0 ? -value : value;
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    let at = this.pos;
    buffer[at++] = value < 0 ? digits + 1 : digits;
    if (value < 0) buffer[at++] = 0x2d; // '-'
    this.pos = at + digits;
    for (let i = this.pos - 1; i >= at; i--) {
      buffer[i] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
  }

  /**
   * A LEB128 count not known yet (a map's entries, counted while they are written): one byte is
   * kept for it, and `endCount` widens it in the rare case the count needs more.
   */
  beginCount(): number {
    this.reserve(1);
    return this.pos++;
  }

  endCount(mark: number, count: number): void {
    if (count < 0x80) {
      this.buffer[mark] = count;
      return;
    }
    let extra = 0;
    for (let v = count; v >= 0x80; v = Math.floor(v / 128)) extra++;
    this.reserve(extra);
    this.buffer.copyWithin(mark + 1 + extra, mark + 1, this.pos);
    this.pos += extra;
    this.leb128At(mark, count);
  }

  /** Bytes written before, e.g. a value encoded once and repeated. */
  bytes(value: Uint8Array): void {
    const length = value.length;
    this.reserve(length);
    if (length < LOOP_BYTES) {
      // A cached attribute key's bytes: a JS loop, cheaper than the call into `set` for a few bytes.
      const buffer = this.buffer;
      const at = this.pos;
      for (let i = 0; i < length; i++) buffer[at + i] = value[i]!;
    } else {
      this.buffer.set(value, this.pos);
    }
    this.pos += length;
  }

  /** Bytes written so far: where the next value starts. */
  get length(): number {
    return this.pos;
  }

  /** Drops what was written from `length` on (a value that turned out to have no encoding). */
  truncate(length: number): void {
    this.pos = Math.min(this.pos, length);
  }

  /** The body written so far (a view of the writer's buffer). */
  done(): Buffer {
    return this.buffer.subarray(0, this.pos);
  }

  /** The whole buffer `done()` is a view of (to give back to the pool once nothing reads the body). */
  get storage(): Buffer {
    return this.buffer;
  }
}
