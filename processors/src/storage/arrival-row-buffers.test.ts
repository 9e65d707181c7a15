// Row buffers used again (arrival-row-buffers.ts): a request's buffer goes back to the pool only
// once every span of it was released, a later request's rows in that buffer are its own, a
// released span refuses to be read, and only batches storage took are released.
import { describe, expect, it } from 'vitest';
import type { SpanConsumer } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { arrivalRowBuffers, releaseRows, RowBufferPool, RowReleasingConsumer } from './arrival-row-buffers.js';
import { EncodedSpan, ReleasedRowError } from './encoded-span.js';
import { encodeSpansOnArrival, spanRowBinaryBody } from './span-row-binary.js';
import { hostileSpans } from './testing/hostile-spans.js';

/** Empties the shared pool, so that a test sees only its own buffers in it. */
function drainPool(): void {
  while (arrivalRowBuffers.idle.buffers > 0) arrivalRowBuffers.take(1);
}

describe('RowBufferPool', () => {
  it('hands back a returned buffer big enough, and allocates otherwise', () => {
    const pool = new RowBufferPool(1024 * 1024);
    const a = pool.take(1000);
    expect(a.length).toBe(256 * 1024);
    pool.giveBack(a);
    pool.giveBack(a); // twice: kept once
    expect(pool.idle).toEqual({ buffers: 1, bytes: 256 * 1024 });
    expect(pool.take(300 * 1024)).not.toBe(a);
    expect(pool.take(10)).toBe(a);
    expect(pool.idle.buffers).toBe(0);
  });

  it('keeps at most its idle bytes', () => {
    const pool = new RowBufferPool(512 * 1024);
    const buffers = [pool.take(1), pool.take(1), pool.take(1)];
    for (const b of buffers) pool.giveBack(b);
    expect(pool.idle).toEqual({ buffers: 2, bytes: 512 * 1024 });
  });
});

describe('rows encoded on arrival, released', () => {
  it('gives a request’s buffer back when its last span is released, and the next request’s rows in it are its own', () => {
    drainPool();
    const first = hostileSpans();
    const encoded = encodeSpansOnArrival(first);
    const storage = (encoded[0] as EncodedSpan).chunk.buffer;
    releaseRows(encoded.slice(0, -1));
    expect(arrivalRowBuffers.idle.buffers).toBe(0);
    releaseRows(encoded.slice(-1));
    releaseRows(encoded); // again: no effect
    expect(arrivalRowBuffers.idle.buffers).toBe(1);

    const second = hostileSpans().map((s, i) => ({ ...s, spanId: `next-${i}`, name: `second ${s.name}` }));
    const reused = encodeSpansOnArrival(second);
    expect((reused[0] as EncodedSpan).chunk.buffer).toBe(storage);
    expect(spanRowBinaryBody(reused, 3).equals(spanRowBinaryBody(second, 3))).toBe(true);
    expect(reused.map((s) => s.name)).toEqual(second.map((s) => s.name));
  });

  it('refuses to read a released span, but keeps a record decoded before', () => {
    const encoded = encodeSpansOnArrival(hostileSpans());
    const kept = encoded[0]!.name;
    releaseRows(encoded);
    expect(encoded[0]!.name).toBe(kept);
    expect(() => encoded[1]!.name).toThrow(ReleasedRowError);
    expect(() => spanRowBinaryBody([encoded[1]!], 1)).toThrow(/read after storage released its row/);
  });

  it('releases a batch only once the next consumer resolved for it', async () => {
    const encoded = encodeSpansOnArrival(hostileSpans());
    let fail = true;
    const seen: string[] = [];
    const next: SpanConsumer = {
      async consume(spans: SpanRecord[]) {
        if (fail) throw new Error('storage down');
        seen.push(spanRowBinaryBody(spans, 1).toString('hex'));
      },
    };
    const releasing = new RowReleasingConsumer(next);
    await expect(releasing.consume(encoded)).rejects.toThrow('storage down');
    // Offered again (as the BatchProcessor does): still readable.
    expect(() => encoded[0]!.spanId).not.toThrow();
    fail = false;
    await releasing.consume(encoded);
    expect(seen).toHaveLength(1);
    expect(() => (encoded[1] as EncodedSpan).chunk).toThrow(ReleasedRowError);
  });
});
