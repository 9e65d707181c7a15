/**
 * Randomized exponential backoff, as the OpenTelemetry Collector's exporterhelper uses it
 * (`configretry.BackOffConfig`, built on github.com/cenkalti/backoff): each interval is the
 * current one spread by ±randomizationFactor, and the current one grows by `multiplier` up to
 * `maxIntervalMs`. The jitter keeps many senders from retrying in lockstep.
 */

export interface BackoffConfig {
  initialIntervalMs: number;
  multiplier: number;
  /** 0.5 spreads a 1000 ms interval over 500..1500 ms. */
  randomizationFactor: number;
  maxIntervalMs: number;
}

export class ExponentialBackoff {
  private current: number;

  constructor(
    private readonly config: BackoffConfig,
    private readonly random: () => number = Math.random,
  ) {
    this.current = config.initialIntervalMs;
  }

  /** The next delay in milliseconds. */
  next(): number {
    const spread = this.current * this.config.randomizationFactor;
    const delay = this.current - spread + this.random() * 2 * spread;
    this.current = Math.min(this.config.maxIntervalMs, this.current * this.config.multiplier);
    return Math.max(0, Math.round(delay));
  }

  reset(): void {
    this.current = this.config.initialIntervalMs;
  }
}

/** Validates a backoff config; a ConfigError names the key under `prefix` (e.g. `retry.`). */
import { ConfigError } from '../pipeline/config-error.js';
export function validateBackoff(config: BackoffConfig, prefix: string): void {
  const check = (ok: boolean, key: keyof BackoffConfig, expected: string) => {
    if (!ok) throw new ConfigError(`${prefix}${key}`, expected, config[key]);
  };
  check(Number.isFinite(config.initialIntervalMs) && config.initialIntervalMs > 0, 'initialIntervalMs', 'a positive number of milliseconds');
  check(Number.isFinite(config.multiplier) && config.multiplier >= 1, 'multiplier', 'a number ≥ 1');
  check(Number.isFinite(config.randomizationFactor) && config.randomizationFactor >= 0 && config.randomizationFactor < 1, 'randomizationFactor', 'a number in [0, 1)');
  check(Number.isFinite(config.maxIntervalMs) && config.maxIntervalMs >= config.initialIntervalMs, 'maxIntervalMs', 'a number ≥ initialIntervalMs');
}

/** Waits `ms`, or less when `signal` aborts; never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
