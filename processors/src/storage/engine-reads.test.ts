// EngineReads: quiet() resolves once no read is in flight and the last one ended quietMs ago, or
// at maxWaitMs, or when its signal aborts; inBackground marks work that is not a read. Fake
// timers and explicit promises: no real time is waited for.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineReads, inBackground, isBackground } from './engine-reads.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Whether `promise` has settled, after letting pending callbacks run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('EngineReads', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is quiet at once when no read ever ran', async () => {
    const reads = new EngineReads();
    expect(reads.sinceLastRead()).toBe(Infinity);
    await expect(reads.quiet(200, 1000)).resolves.toBe(false);
  });

  it('waits for the reads in flight, then for quietMs after the last one ended', async () => {
    const reads = new EngineReads();
    const [a, b] = [gate(), gate()];
    void reads.track(a.promise);
    void reads.track(b.promise);
    expect(reads.size).toBe(2);
    expect(reads.sinceLastRead()).toBe(0);
    const quiet = reads.quiet(200, 60_000);
    a.open();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await settled(quiet)).toBe(false); // b is still in flight
    b.open();
    await vi.advanceTimersByTimeAsync(199);
    expect(await settled(quiet)).toBe(false);
    expect(reads.sinceLastRead()).toBe(199);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(quiet)).toBe(true);
    await expect(quiet).resolves.toBe(true);
    expect(reads.size).toBe(0);
  });

  it('a read that starts during the quiet window restarts it', async () => {
    const reads = new EngineReads();
    await reads.track(Promise.resolve());
    const quiet = reads.quiet(200, 60_000);
    await vi.advanceTimersByTimeAsync(150);
    const c = gate();
    void reads.track(c.promise);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await settled(quiet)).toBe(false);
    c.open();
    await vi.advanceTimersByTimeAsync(199);
    expect(await settled(quiet)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(quiet)).toBe(true);
  });

  it('gives up at maxWaitMs when reads never pause, and at once when its signal aborts', async () => {
    const reads = new EngineReads();
    const endless = gate();
    void reads.track(endless.promise);
    const bounded = reads.quiet(200, 1000);
    await vi.advanceTimersByTimeAsync(999);
    expect(await settled(bounded)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(bounded).resolves.toBe(true);
    const stop = new AbortController();
    const aborted = reads.quiet(200, 60_000, stop.signal);
    await vi.advanceTimersByTimeAsync(10);
    expect(await settled(aborted)).toBe(false);
    stop.abort();
    expect(await settled(aborted)).toBe(true);
    endless.open();
  });

  it('returns the read itself, its value or its error', async () => {
    const reads = new EngineReads();
    await expect(reads.track(Promise.resolve(7))).resolves.toBe(7);
    await expect(reads.track(Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(reads.size).toBe(0);
  });
});

describe('inBackground', () => {
  it('marks the work it runs, across awaits, and nothing outside it', async () => {
    expect(isBackground()).toBe(false);
    const seen = await inBackground(async () => {
      await Promise.resolve();
      await new Promise((resolve) => setImmediate(resolve));
      return isBackground();
    });
    expect(seen).toBe(true);
    expect(isBackground()).toBe(false);
  });
});
