import { describe, expect, it } from 'vitest';
import { BackpressureError, PermanentError, type SpanConsumer } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { RetryingConsumer } from './retrying-consumer.js';

const fast = { initialIntervalMs: 5, multiplier: 2, randomizationFactor: 0, maxIntervalMs: 40, maxElapsedMs: 2_000 };

class Flaky implements SpanConsumer {
  calls = 0;
  shutdowns = 0;
  constructor(private readonly failures: unknown[]) {}
  async consume(_spans: SpanRecord[]): Promise<void> {
    this.calls++;
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
  }
  async shutdown(): Promise<void> {
    this.shutdowns++;
  }
}

describe('RetryingConsumer', () => {
  it('retries retryable errors with backoff until the batch is taken', async () => {
    const next = new Flaky([new Error('ECONNREFUSED'), new Error('ECONNREFUSED')]);
    const retries: number[] = [];
    await new RetryingConsumer(next, fast, { onRetry: (_e, attempt) => retries.push(attempt) }).consume([]);
    expect(next.calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('passes a PermanentError on at once', async () => {
    const next = new Flaky([new PermanentError('bad data')]);
    await expect(new RetryingConsumer(next, fast).consume([])).rejects.toBeInstanceOf(PermanentError);
    expect(next.calls).toBe(1);
  });

  it('gives up with the last error after maxElapsedMs', async () => {
    const next = new Flaky(Array.from({ length: 100 }, (_, i) => new Error(`down ${i}`)));
    const started = Date.now();
    await expect(new RetryingConsumer(next, { ...fast, maxElapsedMs: 100 }).consume([])).rejects.toThrow(/^down \d+$/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(next.calls).toBeGreaterThan(2);
  });

  it('waits at least the Retry-After of a BackpressureError', async () => {
    const next = new Flaky([new BackpressureError('full', 0.2)]);
    const started = Date.now();
    await new RetryingConsumer(next, fast).consume([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('stops waiting at shutdown and shuts the exporter down', async () => {
    const next = new Flaky(Array.from({ length: 100 }, () => new Error('down')));
    const retrying = new RetryingConsumer(next, { ...fast, initialIntervalMs: 5_000, maxIntervalMs: 5_000, maxElapsedMs: 60_000 });
    const pending = retrying.consume([]);
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    await retrying.shutdown();
    await expect(pending).rejects.toThrow('down');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(next.shutdowns).toBe(1);
  });
});
