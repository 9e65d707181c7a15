/**
 * The event-stream decoder against frames encoded by @smithy/eventstream-codec, the codec the AWS
 * SDK uses (a dev dependency only): every header type, frames split anywhere, corrupt frames.
 */
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../providers/types.js';
import { AwsEventStreamDecoder } from './aws-event-stream-decoder.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function frame(headers: MessageHeaders, payload: string): Uint8Array {
  return codec.encode({ headers, body: fromUtf8(payload) });
}

const event = (type: string, payload: unknown) =>
  frame({
    ':event-type': { type: 'string', value: type },
    ':content-type': { type: 'string', value: 'application/json' },
    ':message-type': { type: 'string', value: 'event' },
  }, JSON.stringify(payload));

function decodeAll(chunks: Uint8Array[]): StreamEvent[] {
  const events: StreamEvent[] = [];
  const decoder = new AwsEventStreamDecoder((e) => events.push(e));
  for (const chunk of chunks) decoder.write(chunk);
  decoder.end();
  return events;
}

describe('AwsEventStreamDecoder', () => {
  it('reads event type and payload, skipping headers of every other type', () => {
    const withAllTypes = frame({
      ':message-type': { type: 'string', value: 'event' },
      flag: { type: 'boolean', value: true },
      off: { type: 'boolean', value: false },
      b: { type: 'byte', value: 7 },
      s: { type: 'short', value: 300 },
      i: { type: 'integer', value: 70000 },
      l: { type: 'long', value: { bytes: new Uint8Array(8) } as never },
      raw: { type: 'binary', value: new Uint8Array([1, 2, 3]) },
      t: { type: 'timestamp', value: new Date(0) },
      u: { type: 'uuid', value: '6e1a2a4c-8d6a-4f3e-9a4f-2a1b3c4d5e6f' },
      ':event-type': { type: 'string', value: 'contentBlockDelta' },
    }, '{"delta":{"text":"héllo"}}');
    expect(decodeAll([withAllTypes])).toEqual([{ event: 'contentBlockDelta', data: '{"delta":{"text":"héllo"}}' }]);
  });

  it('frames split at every byte and several frames in one chunk decode the same', () => {
    const bytes = Buffer.concat([event('messageStart', { role: 'assistant' }), event('messageStop', { stopReason: 'end_turn' })]);
    const expected = [
      { event: 'messageStart', data: '{"role":"assistant"}' },
      { event: 'messageStop', data: '{"stopReason":"end_turn"}' },
    ];
    expect(decodeAll([bytes])).toEqual(expected);
    expect(decodeAll([...bytes].map((b) => Uint8Array.of(b)))).toEqual(expected);
  });

  it('an exception frame is an exception event named by its type', () => {
    const exception = frame({
      ':exception-type': { type: 'string', value: 'modelStreamErrorException' },
      ':message-type': { type: 'string', value: 'exception' },
    }, '{"message":"boom"}');
    expect(decodeAll([exception])).toEqual([{ event: 'modelStreamErrorException', data: '{"message":"boom"}', exception: true }]);
  });

  it('a corrupt frame, a bad length or a body cut inside a frame throws', () => {
    const corrupt = Buffer.from(event('messageStop', {}));
    corrupt[corrupt.length - 6] ^= 0xff; // inside the payload: the message CRC no longer matches
    expect(() => decodeAll([corrupt])).toThrow(/CRC/);
    expect(() => decodeAll([Uint8Array.of(0, 0, 0, 3, 0, 0, 0, 0)])).toThrow(/length 3/);
    expect(() => decodeAll([event('messageStop', {}).subarray(0, 20)])).toThrow(/ended inside a message/);
  });
});
