/**
 * Incremental decoder for the binary AWS event stream (`application/vnd.amazon.eventstream`) of
 * Bedrock ConverseStream. Framing is the 4-byte total length at the head of each message; the
 * message itself (prelude and message CRCs, headers, payload) is decoded by the maintained
 * @smithy/eventstream-codec.
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { StreamEvent } from '../providers/types.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export class AwsEventStreamDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly onEvent: (event: StreamEvent) => void) {}

  write(chunk: Uint8Array): void {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const total = this.buffer.readUInt32BE(0);
      if (total < 16 || total > MAX_MESSAGE_BYTES) throw new Error(`invalid event stream message length ${total}`);
      if (this.buffer.length < total) return;
      const frame = this.buffer.subarray(0, total);
      this.buffer = this.buffer.subarray(total);
      const message = codec.decode(frame);
      const header = (name: string): string | undefined => {
        const h = message.headers[name];
        return h && h.type === 'string' ? h.value : undefined;
      };
      const exception = header(':message-type') === 'exception' || header(':message-type') === 'error';
      this.onEvent({
        event: exception ? (header(':exception-type') ?? header(':error-code')) : header(':event-type'),
        data: toUtf8(message.body),
        ...(exception ? { exception: true } : {}),
      });
    }
  }

  end(): void {
    if (this.buffer.length > 0) throw new Error(`event stream ended inside a message (${this.buffer.length} bytes left)`);
  }
}
