import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExponentialBackoff, sleep, validateBackoff } from './backoff.js';

describe('ExponentialBackoff', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('grows by the multiplier up to the maximum, spread by the randomization factor', () => {
    const config = { initialIntervalMs: 100, multiplier: 2, randomizationFactor: 0.5, maxIntervalMs: 500 };
    const low = new ExponentialBackoff(config, () => 0);
    expect([low.next(), low.next(), low.next(), low.next(), low.next()]).toEqual([50, 100, 200, 250, 250]);
    const high = new ExponentialBackoff(config, () => 0.999999);
    expect([high.next(), high.next(), high.next(), high.next()]).toEqual([150, 300, 600, 750]);
    high.reset();
    expect(high.next()).toBe(150);
  });

  it('names the key of an invalid setting', () => {
    expect(() => validateBackoff({ initialIntervalMs: 0, multiplier: 2, randomizationFactor: 0, maxIntervalMs: 1 }, 'retry.')).toThrow(/retry\.initialIntervalMs/);
    expect(() => validateBackoff({ initialIntervalMs: 10, multiplier: 2, randomizationFactor: 1, maxIntervalMs: 100 }, 'retry.')).toThrow(/retry\.randomizationFactor/);
  });

  it('sleep ends early when aborted', async () => {
    vi.useFakeTimers(); // the clock moves only when told: the abort, not a slow machine, ends the sleep
    const stop = new AbortController();
    let ended = false;
    const sleeping = sleep(5_000, stop.signal).then(() => (ended = true));
    await vi.advanceTimersByTimeAsync(20);
    expect(ended).toBe(false);
    stop.abort();
    await vi.advanceTimersByTimeAsync(0); // the clock stays at 20 ms of 5,000
    expect(ended).toBe(true);
    expect(vi.getTimerCount()).toBe(0); // and its timer is gone
    await sleeping;
  });
});
