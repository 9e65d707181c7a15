/**
 * Reads back what RowBinaryWriter wrote (row-binary-writer.ts says the format): used only to turn a
 * span's row, encoded on arrival, back into its record when something needs the record's fields
 * (a spooled or set-aside batch, a refused span's ids: encoded-span.ts). Throws RangeError past
 * the end.
 */
export class RowBinaryReader {
  private pos: number;

  constructor(
    private readonly buffer: Buffer,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }

  private take(bytes: number): number {
    const at = this.pos;
    if (at + bytes > this.end) throw new RangeError(`RowBinary row cut short at byte ${at}`);
    this.pos += bytes;
    return at;
  }

  uint8(): number {
    return this.buffer[this.take(1)]!;
  }

  uint16(): number {
    return this.buffer.readUInt16LE(this.take(2));
  }

  /** A UInt64 the writer wrote from a safe integer. */
  uint64(): number {
    const at = this.take(8);
    return this.buffer.readUInt32LE(at) + this.buffer.readUInt32LE(at + 4) * 0x1_0000_0000;
  }

  uint64Big(): bigint {
    return this.buffer.readBigUInt64LE(this.take(8));
  }

  float64(): number {
    return this.buffer.readDoubleLE(this.take(8));
  }

  varUint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.uint8();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  }

  string(): string {
    const bytes = this.varUint();
    const at = this.take(bytes);
    return this.buffer.toString('utf8', at, at + bytes);
  }

  /** A Map(String, String), keys in written order. */
  stringMap(): Record<string, string> {
    const map: Record<string, string> = {};
    for (let n = this.varUint(); n > 0; n--) {
      const key = this.string();
      const value = this.string();
      // An own property even for `__proto__`, whose assignment would set the object's prototype.
      if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
      else map[key] = value;
    }
    return map;
  }

  get atEnd(): boolean {
    return this.pos === this.end;
  }
}
