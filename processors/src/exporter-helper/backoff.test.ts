import { describe, expect, it } from 'vitest';
import { ExponentialBackoff, sleep, validateBackoff } from './backoff.js';

describe('ExponentialBackoff', () => {
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
    const stop = new AbortController();
    const started = Date.now();
    setTimeout(() => stop.abort(), 20);
    await sleep(5_000, stop.signal);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
