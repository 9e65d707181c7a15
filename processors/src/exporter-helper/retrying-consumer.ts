/**
 * Retries a failed batch with randomized exponential backoff, around any exporter (the
 * OpenTelemetry Collector's exporterhelper `retry_sender`). A PermanentError is passed on at
 * once; any other error is retried until `maxElapsedMs` would be exceeded, then the last error
 * is passed on (a SpoolingConsumer outside keeps the batch on disk). A BackpressureError from
 * downstream waits at least its Retry-After.
 *
 * Defaults are shorter than the collector's (5 s initial, 5 min elapsed): with a spool behind
 * it, holding one batch for minutes only stalls the pipeline, while the spool keeps it safely.
 */
import { BackpressureError, isPermanent, type Lifecycle, type SpanConsumer } from '../pipeline/processor.js';
import { ConfigError } from '../pipeline/config-error.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { ExponentialBackoff, sleep, validateBackoff, type BackoffConfig } from './backoff.js';

export interface RetryConfig extends BackoffConfig {
  /** Give up (pass the last error on) once this much time would have passed. */
  maxElapsedMs: number;
}

export const DEFAULT_RETRY_CONFIG: RetryConfig = {
  initialIntervalMs: 200,
  multiplier: 1.5,
  randomizationFactor: 0.5,
  maxIntervalMs: 5_000,
  maxElapsedMs: 10_000,
};

export interface RetryHooks {
  /** Called before each wait: for the collector's `insert_retries` counter. */
  onRetry?(err: unknown, attempt: number, delayMs: number): void;
}

export class RetryingConsumer implements SpanConsumer, Lifecycle {
  readonly config: RetryConfig;
  private readonly stop = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly next: SpanConsumer & Lifecycle,
    config: Partial<RetryConfig> = {},
    private readonly hooks: RetryHooks = {},
  ) {
    this.config = { ...DEFAULT_RETRY_CONFIG, ...config };
    validateBackoff(this.config, 'retry.');
    if (!(this.config.maxElapsedMs >= 0)) throw new ConfigError('retry.maxElapsedMs', 'a number ≥ 0', this.config.maxElapsedMs);
  }

  async start(): Promise<void> {
    await this.next.start?.();
  }

  consume(spans: SpanRecord[]): Promise<void> {
    const run = this.attempts(spans);
    this.inFlight.add(run);
    void run.then(
      () => this.inFlight.delete(run),
      () => this.inFlight.delete(run),
    );
    return run;
  }

  /** Stops waiting between attempts (pending batches fail with their last error), lets running attempts finish, then shuts the exporter down. */
  async shutdown(): Promise<void> {
    this.stop.abort();
    await Promise.allSettled([...this.inFlight]);
    await this.next.shutdown?.();
  }

  private async attempts(spans: SpanRecord[]): Promise<void> {
    const backoff = new ExponentialBackoff(this.config);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.next.consume(spans);
        return;
      } catch (err) {
        if (isPermanent(err) || this.stop.signal.aborted) throw err;
        let delay = backoff.next();
        if (err instanceof BackpressureError) delay = Math.max(delay, err.retryAfterSeconds * 1000);
        if (Date.now() - started + delay > this.config.maxElapsedMs) throw err;
        this.hooks.onRetry?.(err, attempt, delay);
        await sleep(delay, this.stop.signal);
        if (this.stop.signal.aborted) throw err;
      }
    }
  }
}
