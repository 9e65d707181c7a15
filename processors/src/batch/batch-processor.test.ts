import { describe, expect, it } from 'vitest';
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
  async consume(spans: SpanRecord[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('downstream unavailable');
    }
    this.batches.push(spans.map((s) => s.name));
  }
}

describe('BatchProcessor', () => {
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
    await new Promise((r) => setTimeout(r, 10));
    expect(next.batches).toEqual([['s1', 's2']]);
    const byTime = new BatchProcessor(next, { maxSpans: 1000, maxBytes: 1e9, maxDelayMs: 30 });
    await byTime.consume([span(9)]);
    await new Promise((r) => setTimeout(r, 80));
    expect(next.batches.at(-1)).toEqual(['s9']);
  });

  it('keeps a refused batch, offers it again, and pushes back when the buffer stays full', async () => {
    const next = new Recorder();
    next.failNext = 1000; // downstream down
    const batcher = new BatchProcessor(next, { maxSpans: 2, maxBytes: 1e9, maxDelayMs: 60_000, maxBufferedBytes: 3000, retryDelayMs: 10, maxWaitMs: 50 });
    await batcher.consume([span(1), span(2)]);
    await expect(batcher.consume([span(3, 2000), span(4)])).resolves.toBeUndefined();
    await expect(batcher.consume([span(5)])).rejects.toBeInstanceOf(BackpressureError);
    next.failNext = 0; // downstream back
    await batcher.forceFlush();
    expect(next.batches.flat()).toEqual(['s1', 's2', 's3', 's4']);
  });

  it('holds a sender back while full and takes its spans once a flush made room', async () => {
    const next = new Recorder();
    next.failNext = 2;
    const batcher = new BatchProcessor(next, { maxSpans: 2, maxBytes: 1e9, maxDelayMs: 60_000, maxBufferedBytes: 1000, retryDelayMs: 10, maxWaitMs: 2000 });
    await batcher.consume([span(1, 2000), span(2)]);
    await expect(batcher.consume([span(3)])).resolves.toBeUndefined();
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
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual(['s1', 's2', 's3']);
    expect(batcher.bufferedSpans).toBe(2);
    const flushed = batcher.forceFlush();
    finish[0]();
    finish[2]();
    await flushed;
    expect(batcher.bufferedSpans).toBe(0);
  });

  it('puts batches refused together back in their order', async () => {
    const delivered: string[] = [];
    let refuse = true;
    const pending: Array<() => void> = [];
    const next: SpanConsumer = {
      consume: (spans) =>
        new Promise<void>((resolve, reject) => {
          pending.push(() => (refuse ? reject(new Error('down')) : resolve()));
          if (!refuse) delivered.push(spans[0].name);
        }),
    };
    const batcher = new BatchProcessor(next, { maxSpans: 1, maxBytes: 1e9, maxDelayMs: 60_000, maxConcurrentExports: 2, retryDelayMs: 10 });
    await batcher.consume([span(1), span(2), span(3)]);
    pending[0](); // s1 refused first (back first in line),
    await new Promise((r) => setTimeout(r, 0));
    pending[1](); // then s2, which goes back after s1 and before s3
    await new Promise((r) => setTimeout(r, 0));
    refuse = false;
    const flushed = batcher.forceFlush();
    for (let i = 0; delivered.length < 3 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 5));
      while (pending.length > 2) pending.splice(2, 1)[0]();
    }
    await flushed;
    expect(delivered).toEqual(['s1', 's2', 's3']);
  });
});
