/**
 * The worker-thread decoder gives exactly what decoding on the event loop gives (bigint times,
 * nested attribute values, rejected ids), keeps decode errors as OtlpDecodeError (→ 400), and
 * survives the loss of a thread: its requests fail as retryable, the next ones succeed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ReceiverFailure } from './receiver-failure.js';
import { inlineSpanDecoder } from './span-decoder.js';
import { OtlpDecodeError } from './trace-codec.js';
import { WorkerSpanDecoder } from './worker-span-decoder.js';

const request = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
      scopeSpans: [
        {
          scope: { name: 'lib', version: '1.0.0' },
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              name: 'chat gpt-4o',
              kind: 3,
              startTimeUnixNano: '1700000000123456789',
              endTimeUnixNano: '1700000000987654321',
              attributes: [
                { key: 'int.huge', value: { intValue: '9223372036854775807' } },
                { key: 'map', value: { kvlistValue: { values: [{ key: 'inner', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] } } }] } } },
              ],
              events: [{ name: 'e', timeUnixNano: '1700000000200000000', attributes: [] }],
            },
            { traceId: '00000000000000000000000000000000', spanId: 'eee19b7ec3c1b175', name: 'invalid' },
          ],
        },
      ],
    },
  ],
};
const body = new TextEncoder().encode(JSON.stringify(request));

describe('WorkerSpanDecoder', () => {
  const decoder = new WorkerSpanDecoder(2);
  afterAll(() => decoder.close());

  it('decodes on a worker thread exactly as on the event loop', async () => {
    const expected = await inlineSpanDecoder.decode(body, 'json', 'p1');
    const got = await decoder.decode(body, 'json', 'p1');
    expect(got).toEqual(expected);
    expect(got.spans[0].startTimeUnixNano).toBe(1700000000123456789n);
    expect(got.spans[0].attributes['int.huge']).toBe(9223372036854775807n);
    expect(got.rejected).toBe(1);
  });

  it('leaves the caller\'s buffer as it was', async () => {
    const copy = new Uint8Array(body);
    await decoder.decode(copy, 'json', 'p1');
    expect(copy.byteLength).toBe(body.byteLength);
    expect(Buffer.from(copy).equals(Buffer.from(body))).toBe(true);
  });

  it('answers a malformed body with OtlpDecodeError', async () => {
    await expect(decoder.decode(new Uint8Array([0x0a, 0xff, 0xff]), 'protobuf', 'p1')).rejects.toBeInstanceOf(OtlpDecodeError);
    await expect(decoder.decode(new TextEncoder().encode('{"resourceSpans": 5'), 'json', 'p1')).rejects.toBeInstanceOf(OtlpDecodeError);
  });

  it('fails the requests of a lost thread as retryable and replaces the thread', async () => {
    const one = new WorkerSpanDecoder(1);
    try {
      const inFlight = one.decode(body, 'json', 'p1');
      await (one as unknown as { threads: Array<{ worker: { terminate(): Promise<number> } }> }).threads[0].worker.terminate();
      const failure = await inFlight.then(() => undefined, (err: unknown) => err);
      // Either the reply beat the termination, or the request failed as retryable.
      if (failure !== undefined) expect(failure).toBeInstanceOf(ReceiverFailure);
      if (failure instanceof ReceiverFailure) expect(failure.kind).toBe('unavailable');
      await expect(one.decode(body, 'json', 'p1')).resolves.toMatchObject({ rejected: 1 });
    } finally {
      await one.close();
    }
  });
});
