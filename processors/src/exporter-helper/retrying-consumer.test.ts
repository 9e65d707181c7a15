import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BackpressureError, DataError, PermanentError, type SpanConsumer } from '../pipeline/processor.js';
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

// Fake timers (Date included): the backoff waits and the elapsed-time budget run on a clock that
// moves only when a test advances it, so a slow machine cannot change how many attempts fit.
describe('RetryingConsumer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries retryable errors with backoff until the batch is taken', async () => {
    const next = new Flaky([new Error('ECONNREFUSED'), new Error('ECONNREFUSED')]);
    const retries: Array<[number, number]> = [];
    const taken = new RetryingConsumer(next, fast, { onRetry: (_e, attempt, delayMs) => retries.push([attempt, delayMs]) }).consume([]);
    await vi.runAllTimersAsync();
    await taken;
    expect(next.calls).toBe(3);
    expect(retries).toEqual([
      [1, 5],
      [2, 10],
    ]);
  });

  it('passes a PermanentError on at once', async () => {
    const next = new Flaky([new PermanentError('bad data')]);
    await expect(new RetryingConsumer(next, fast).consume([])).rejects.toBeInstanceOf(PermanentError);
    expect(next.calls).toBe(1);
  });

  it('passes a DataError (content refused) on at once, for the IsolatingConsumer outside to search', async () => {
    const refused = new DataError('Code: 25, bad escape');
    const next = new Flaky([refused]);
    await expect(new RetryingConsumer(next, fast).consume([])).rejects.toBe(refused);
    expect(next.calls).toBe(1);
  });

  it('gives up with the last error after maxElapsedMs', async () => {
    const next = new Flaky(Array.from({ length: 100 }, (_, i) => new Error(`down ${i}`)));
    const started = Date.now();
    const failed = new RetryingConsumer(next, { ...fast, maxElapsedMs: 100 }).consume([]).then(
      () => undefined,
      (err: unknown) => err,
    );
    await vi.runAllTimersAsync();
    const err = await failed;
    expect(next.calls).toBeGreaterThan(2);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(`down ${next.calls - 1}`); // the last one
    expect(Date.now() - started).toBeLessThanOrEqual(100); // no wait beyond the budget
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits at least the Retry-After of a BackpressureError', async () => {
    const next = new Flaky([new BackpressureError('full', 0.2)]);
    let taken = false;
    const run = new RetryingConsumer(next, fast).consume([]).then(() => (taken = true));
    await vi.advanceTimersByTimeAsync(199);
    expect(next.calls).toBe(1);
    expect(taken).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await run;
    expect(next.calls).toBe(2);
  });

  it('stops waiting at shutdown and shuts the exporter down', async () => {
    const next = new Flaky(Array.from({ length: 100 }, () => new Error('down')));
    const retrying = new RetryingConsumer(next, { ...fast, initialIntervalMs: 5_000, maxIntervalMs: 5_000, maxElapsedMs: 60_000 });
    const pending = retrying.consume([]);
    const outcome = pending.then(
      () => undefined,
      (err: unknown) => err,
    );
    await vi.advanceTimersByTimeAsync(20);
    expect(next.calls).toBe(1); // waiting 5 s before the second attempt
    let stopped = false;
    const stopping = retrying.shutdown().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0); // the clock stays at 20 ms: shutdown must not wait out the 5 s
    expect(stopped).toBe(true);
    await stopping;
    expect(await outcome).toMatchObject({ message: 'down' });
    expect(next.calls).toBe(1);
    expect(next.shutdowns).toBe(1);
  });
});
