import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BackpressureError, type SpanConsumer } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { BatchProcessor } from './batch-processor.js';

function span(i: number, extraBytes = 0): SpanRecord {
  return {
    projectId: 'p', traceId: 't'.repeat(32), spanId: i.toString(16).padStart(16, '0'), parentSpanId: '', name: `s${i}`, kind: 1,
    startTimeUnixNano: 1n, endTimeUnixNano: 2n, statusCode: 0, statusMessage: '', attributes: { pad: 'x'.repeat(extraBytes) },
    resourceAttributes: {}, scopeName: '', scopeVersion: '', events: [],
  };
}

class Recorder implements SpanConsumer {
  batches: string[][] = [];
  failNext = 0;
  calls = 0;
  async consume(spans: SpanRecord[]): Promise<void> {
    this.calls++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('downstream unavailable');
    }
    this.batches.push(spans.map((s) => s.name));
  }
}

// Fake timers throughout: the cut timer (maxDelayMs), the retry delay (retryDelayMs) and the wait
// for room (maxWaitMs) fire when a test advances the clock, never because the machine was slow.
describe('BatchProcessor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('cuts batches by count, keeping order', async () => {
    const next = new Recorder();
    const batcher = new BatchProcessor(next, { maxSpans: 3, maxBytes: 1e9, maxDelayMs: 60_000 });
    await batcher.consume([span(1), span(2), span(3), span(4)]);
    await batcher.forceFlush();
    expect(next.batches).toEqual([['s1', 's2', 's3'], ['s4']]);
  });

  it('cuts by bytes and by time', async () => {
    const next = new Recorder();
    const bySize = new BatchProcessor(next, { maxSpans: 1000, maxBytes: 5000, maxDelayMs: 60_000 });
    await bySize.consume([span(1, 1500), span(2, 1500), span(3)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(next.batches).toEqual([['s1', 's2']]);
    const byTime = new BatchProcessor(next, { maxSpans: 1000, maxBytes: 1e9, maxDelayMs: 30 });
    await byTime.consume([span(9)]);
    await vi.advanceTimersByTimeAsync(29);
    expect(next.batches).toEqual([['s1', 's2']]); // not yet
    await vi.advanceTimersByTimeAsync(1);
    expect(next.batches).toEqual([['s1', 's2'], ['s9']]);
  });

  it('keeps a refused batch, offers it again, and pushes back when the buffer stays full', async () => {
    const next = new Recorder();
    next.failNext = 1000; // downstream down
    const batcher = new BatchProcessor(next, { maxSpans: 2, maxBytes: 1e9, maxDelayMs: 60_000, maxBufferedBytes: 3000, retryDelayMs: 10, maxWaitMs: 50 });
    await batcher.consume([span(1), span(2)]);
    await expect(batcher.consume([span(3, 2000), span(4)])).resolves.toBeUndefined();
    const offered = next.calls;
    const refused = expect(batcher.consume([span(5)])).rejects.toBeInstanceOf(BackpressureError);
    await vi.advanceTimersByTimeAsync(50); // maxWaitMs, with a retry every 10 ms refused meanwhile
    await refused;
    expect(next.calls).toBeGreaterThan(offered); // the refused batches were offered again meanwhile
    expect(next.batches).toEqual([]);
    next.failNext = 0; // downstream back
    const flushed = batcher.forceFlush();
    await vi.runAllTimersAsync();
    await flushed;
    expect(next.batches.flat()).toEqual(['s1', 's2', 's3', 's4']);
  });

  it('holds a sender back while full and takes its spans once a flush made room', async () => {
    const next = new Recorder();
    next.failNext = 2;
    const batcher = new BatchProcessor(next, { maxSpans: 2, maxBytes: 1e9, maxDelayMs: 60_000, maxBufferedBytes: 1000, retryDelayMs: 10, maxWaitMs: 2000 });
    await batcher.consume([span(1, 2000), span(2)]); // refused once, offered again in 10 ms
    let taken = false;
    const held = batcher.consume([span(3)]);
    void held.then(() => (taken = true), () => undefined);
    await vi.advanceTimersByTimeAsync(10); // offered again, refused again: still full
    expect(next.batches).toEqual([]);
    expect(taken).toBe(false);
    await vi.advanceTimersByTimeAsync(10); // offered again and taken: room
    expect(next.batches).toEqual([['s1', 's2']]);
    await expect(held).resolves.toBeUndefined();
    await batcher.forceFlush();
    expect(next.batches.flat()).toEqual(['s1', 's2', 's3']);
  });

  it('has up to maxConcurrentExports batches with the next consumer at once, handed over oldest first', async () => {
    const started: string[] = [];
    const finish: Array<() => void> = [];
    const next: SpanConsumer = {
      consume: (spans) => {
        started.push(spans[0].name);
        return new Promise<void>((resolve) => finish.push(resolve));
      },
    };
    const batcher = new BatchProcessor(next, { maxSpans: 1, maxBytes: 1e9, maxDelayMs: 60_000, maxConcurrentExports: 2 });
    await batcher.consume([span(1), span(2), span(3)]);
    expect(started).toEqual(['s1', 's2']); // the third waits for a free slot
    expect(batcher.bufferedSpans).toBe(3);
    finish[1](); // the second insert answers first
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['s1', 's2', 's3']);
    expect(batcher.bufferedSpans).toBe(2);
    const flushed = batcher.forceFlush();
    finish[0]();
    finish[2]();
    await flushed;
    expect(batcher.bufferedSpans).toBe(0);
  });

  it('puts batches refused together back in their order', async () => {
    // Every call waits for the test to accept or refuse it; a batch counts as delivered only
    // once its call resolved.
    const calls: Array<{ name: string; accept: () => void; refuse: () => void }> = [];
    const delivered: string[] = [];
    const next: SpanConsumer = {
      consume: (spans) => {
        const name = spans[0].name;
        return new Promise<void>((resolve, reject) => calls.push({ name, accept: resolve, refuse: () => reject(new Error('down')) })).then(() => {
          delivered.push(name);
        });
      },
    };
    const offered = () => calls.map((c) => c.name);
    const batcher = new BatchProcessor(next, { maxSpans: 1, maxBytes: 1e9, maxDelayMs: 60_000, maxConcurrentExports: 2, retryDelayMs: 10 });
    await batcher.consume([span(1), span(2), span(3)]);
    expect(offered()).toEqual(['s1', 's2']); // s3 waits for a free slot
    calls[0].refuse(); // s1 refused first (back first in line, before s3),
    await vi.advanceTimersByTimeAsync(0);
    calls[1].refuse(); // then s2, which goes back after s1 and before s3
    await vi.advanceTimersByTimeAsync(9);
    expect(offered()).toEqual(['s1', 's2']); // nothing offered during the retry delay
    await vi.advanceTimersByTimeAsync(1);
    expect(offered()).toEqual(['s1', 's2', 's1', 's2']); // offered again in their order
    calls[2].accept();
    await vi.advanceTimersByTimeAsync(0);
    expect(offered()).toEqual(['s1', 's2', 's1', 's2', 's3']);
    calls[3].accept();
    await vi.advanceTimersByTimeAsync(0);
    calls[4].accept();
    await batcher.forceFlush();
    expect(delivered).toEqual(['s1', 's2', 's3']);
    expect(batcher.bufferedSpans).toBe(0);
  });

  it('advances the delivery mark past the oldest batch not yet taken, whatever order inserts end in', async () => {
    const calls: { name: string; accept: () => void; refuse: () => void }[] = [];
    const next: SpanConsumer = {
      consume: (spans) => new Promise<void>((resolve, reject) => calls.push({ name: spans[0].name, accept: resolve, refuse: () => reject(new Error('down')) })),
    };
    const batcher = new BatchProcessor(next, { maxSpans: 2, maxBytes: 1e9, maxDelayMs: 60_000, maxConcurrentExports: 2, retryDelayMs: 10 });
    const reached: number[] = [];
    await batcher.consume([span(1), span(2), span(3)]); // request A: spans 0..2, batch [s1 s2] cut, s3 buffered
    const markA = batcher.received;
    await batcher.consume([span(4)]); // request B: span 3, batch [s3 s4] cut
    const markB = batcher.received;
    expect([markA, markB]).toEqual([3, 4]);
    void batcher.whenDelivered(markB).then(() => reached.push(markB));
    void batcher.whenDelivered(markA).then(() => reached.push(markA));
    expect(calls.map((c) => c.name)).toEqual(['s1', 's3']);
    calls[1].accept(); // the second batch first: nothing is complete below it
    await vi.advanceTimersByTimeAsync(0);
    expect([batcher.delivered, reached]).toEqual([0, []]);
    calls[0].refuse(); // the first refused: back in line, the mark stays
    await vi.advanceTimersByTimeAsync(10);
    expect([batcher.delivered, reached]).toEqual([0, []]);
    expect(calls.map((c) => c.name)).toEqual(['s1', 's3', 's1']);
    calls[2].accept();
    await vi.advanceTimersByTimeAsync(0);
    expect(batcher.delivered).toBe(4);
    expect(reached).toEqual([3, 4]);
    await expect(batcher.whenDelivered(2)).resolves.toBeUndefined(); // already past
  });
});
