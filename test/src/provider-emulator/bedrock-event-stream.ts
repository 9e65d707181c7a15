// The AWS event stream binary framing (application/vnd.amazon.eventstream) used by Bedrock's
// ConverseStream: prelude with lengths and CRC, typed headers, payload, message CRC
// (https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html). Encoding and decoding go
// through @smithy/eventstream-codec, the codec the AWS SDK itself uses.
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One event frame: `:event-type`, `:content-type: application/json`, `:message-type: event`. */
export function encodeEventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** One exception frame (`:message-type: exception`), e.g. modelStreamErrorException. */
export function encodeExceptionFrame(exceptionType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** A decoded frame: headers by name and the payload parsed as JSON (text when not JSON). */
export interface EventStreamFrame {
  headers: Record<string, string | number | boolean>;
  payload: unknown;
}

/**
 * Incremental decoder for bytes as they arrive off the network: a read may end mid-frame or hold
 * several frames, so frames are cut by the 4-byte total length at the start of each prelude
 * (EventStreamCodec.decode itself wants exactly one whole frame).
 */
export class EventStreamFrameReader {
  #buffer: Uint8Array = new Uint8Array(0);

  /** Adds bytes; returns the frames completed by them. Throws on a bad CRC. */
  push(bytes: Uint8Array): EventStreamFrame[] {
    const joined = new Uint8Array(this.#buffer.byteLength + bytes.byteLength);
    joined.set(this.#buffer);
    joined.set(bytes, this.#buffer.byteLength);
    const frames: EventStreamFrame[] = [];
    let offset = 0;
    const view = new DataView(joined.buffer, joined.byteOffset, joined.byteLength);
    while (joined.byteLength - offset >= 4) {
      const total = view.getUint32(offset);
      if (joined.byteLength - offset < total) break;
      frames.push(toFrame(joined.subarray(offset, offset + total)));
      offset += total;
    }
    this.#buffer = joined.slice(offset);
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get pendingBytes(): number {
    return this.#buffer.byteLength;
  }
}

function toFrame(bytes: Uint8Array): EventStreamFrame {
  const message = codec.decode(bytes);
  const headers: Record<string, string | number | boolean> = {};
  for (const [name, header] of Object.entries(message.headers)) {
    headers[name] = typeof header.value === 'string' || typeof header.value === 'number' || typeof header.value === 'boolean'
      ? header.value : String(header.value);
  }
  const text = toUtf8(message.body);
  let payload: unknown = text;
  try {
    payload = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { headers, payload };
}

/** Decodes a complete event-stream body. Throws on a bad CRC or a truncated final frame. */
export function decodeEventStream(bytes: Uint8Array): EventStreamFrame[] {
  const reader = new EventStreamFrameReader();
  const frames = reader.push(bytes);
  if (reader.pendingBytes > 0) throw new Error(`truncated event stream: ${reader.pendingBytes} bytes of an incomplete frame`);
  return frames;
}

/** Yields frames from a body as its bytes arrive (a fetch body, a Node stream). Throws if it ends mid-frame. */
export async function* readEventStream(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<EventStreamFrame> {
  const reader = new EventStreamFrameReader();
  for await (const bytes of chunksOf(body)) yield* reader.push(bytes);
  if (reader.pendingBytes > 0) throw new Error(`event stream ended inside a frame (${reader.pendingBytes} bytes pending)`);
}

async function* chunksOf(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (Symbol.asyncIterator in body) return yield* body;
  const reader = body.getReader();
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) yield read.value;
  } finally {
    reader.releaseLock();
  }
}
