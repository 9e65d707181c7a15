/**
 * Incremental decoder for the binary AWS event stream (`application/vnd.amazon.eventstream`) of
 * Bedrock ConverseStream and InvokeModelWithResponseStream. Each message: a prelude (total
 * length, headers length, CRC32 of both), typed headers, the payload, a CRC32 of all before it
 * (https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html). Only what a span needs is
 * read: the string headers `:message-type`, `:event-type`, `:exception-type`, `:error-code`, and
 * the payload as text. Written here rather than taken from @smithy/eventstream-codec, which
 * brings ~150 KB of @smithy/core into the register bundle that every process start compiles.
 */
import type { StreamEvent } from '../providers/types.js';
import { zlib } from './lazy-builtins.js';

const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const PRELUDE_BYTES = 12;
const CRC_BYTES = 4;
/** Bytes of the value of each fixed-size header type (type 6, byte array, and 7, string, carry a 2-byte length). */
const FIXED_VALUE_BYTES: Record<number, number> = { 0: 0, 1: 0, 2: 1, 3: 2, 4: 4, 5: 8, 8: 8, 9: 16 };
const STRING_TYPE = 7;
const BYTE_ARRAY_TYPE = 6;

export class AwsEventStreamDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly onEvent: (event: StreamEvent) => void) {}

  write(chunk: Uint8Array): void {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const total = this.buffer.readUInt32BE(0);
      if (total < PRELUDE_BYTES + CRC_BYTES || total > MAX_MESSAGE_BYTES) throw new Error(`invalid event stream message length ${total}`);
      if (this.buffer.length < total) return;
      const frame = this.buffer.subarray(0, total);
      this.buffer = this.buffer.subarray(total);
      this.onEvent(decodeMessage(frame));
    }
  }

  end(): void {
    if (this.buffer.length > 0) throw new Error(`event stream ended inside a message (${this.buffer.length} bytes left)`);
  }
}

function decodeMessage(frame: Buffer): StreamEvent {
  const headersLength = frame.readUInt32BE(4);
  const payloadStart = PRELUDE_BYTES + headersLength;
  const payloadEnd = frame.length - CRC_BYTES;
  if (payloadStart > payloadEnd) throw new Error(`invalid event stream headers length ${headersLength}`);
  const crc32 = (zlib() as { crc32?: (data: Uint8Array) => number }).crc32; // from Node 22.2; older 22.x: not checked
  if (crc32) {
    if (crc32(frame.subarray(0, 8)) !== frame.readUInt32BE(8)) throw new Error('event stream prelude CRC mismatch');
    if (crc32(frame.subarray(0, payloadEnd)) !== frame.readUInt32BE(payloadEnd)) throw new Error('event stream message CRC mismatch');
  }
  const headers = stringHeaders(frame, PRELUDE_BYTES, payloadStart);
  const messageType = headers.get(':message-type');
  const exception = messageType === 'exception' || messageType === 'error';
  return {
    event: exception ? (headers.get(':exception-type') ?? headers.get(':error-code')) : headers.get(':event-type'),
    data: frame.toString('utf8', payloadStart, payloadEnd),
    ...(exception ? { exception: true } : {}),
  };
}

/** The string-valued headers between `start` and `end`; headers of other types are skipped. */
function stringHeaders(frame: Buffer, start: number, end: number): Map<string, string> {
  const headers = new Map<string, string>();
  let at = start;
  while (at < end) {
    const nameLength = frame.readUInt8(at);
    const name = frame.toString('utf8', at + 1, at + 1 + nameLength);
    at += 1 + nameLength;
    const type = frame.readUInt8(at);
    at += 1;
    if (type === STRING_TYPE || type === BYTE_ARRAY_TYPE) {
      const length = frame.readUInt16BE(at);
      if (type === STRING_TYPE) headers.set(name, frame.toString('utf8', at + 2, at + 2 + length));
      at += 2 + length;
    } else {
      const size = FIXED_VALUE_BYTES[type];
      if (size === undefined) throw new Error(`unknown event stream header type ${type}`);
      at += size;
    }
  }
  if (at !== end) throw new Error('event stream headers overrun their length');
  return headers;
}
