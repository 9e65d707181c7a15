import type { RollingBuckets } from './limit-window.js';

/**
 * Where limit counters live: one number per (policy, segment value, window), charged atomically.
 * In memory by default (this process only); in Redis when configured (redis-counter-store.ts),
 * shared by every process pointing at it.
 */

export interface ChargeResult {
  /** Whether the amount was added. */
  allowed: boolean;
  /** The counter after the charge (or as it stands, when refused). */
  used: number;
}

export interface CounterStore {
  /**
   * Adds `amount` to the counter at `key` when `force`, or when the counter is below `quota` and
   * stays within it; in one atomic step. The counter expires at `expireAt` (epoch ms). A rolling
   * counter is the sum of its last `buckets` buckets; the amount goes to bucket `bucket`.
   */
  charge(key: string, amount: number, quota: number, expireAt: number, force: boolean, rolling?: RollingBuckets): Promise<ChargeResult>;
  /** Adds `delta` (negative to refund) whatever the quota; to bucket `rolling.bucket` of a rolling counter. */
  adjust(key: string, delta: number, expireAt: number, rolling?: RollingBuckets): Promise<void>;
  close(): Promise<void>;
}

/** The admission rule every store applies: below the quota, and this charge fits in it. */
export function fits(used: number, amount: number, quota: number): boolean {
  return used < quota && used + amount <= quota;
}

interface Counter {
  value: number;
  expireAt: number;
  /** A rolling counter's buckets (value unused). */
  buckets?: Map<number, number>;
}

/** Sweep expired counters once the map holds this many. */
const SWEEP_AT = 10_000;

export class MemoryCounterStore implements CounterStore {
  private readonly counters = new Map<string, Counter>();
  private sweepAt = SWEEP_AT;

  constructor(private readonly now: () => number = Date.now) {}

  charge(key: string, amount: number, quota: number, expireAt: number, force: boolean, rolling?: RollingBuckets): Promise<ChargeResult> {
    const counter = this.live(key, expireAt);
    const used = rolling ? rollingSum(counter, rolling) : counter.value;
    if (!force && !fits(used, amount, quota)) return Promise.resolve({ allowed: false, used });
    this.add(counter, amount, rolling);
    return Promise.resolve({ allowed: true, used: used + amount });
  }

  adjust(key: string, delta: number, expireAt: number, rolling?: RollingBuckets): Promise<void> {
    this.add(this.live(key, expireAt), delta, rolling);
    return Promise.resolve();
  }

  private add(counter: Counter, amount: number, rolling: RollingBuckets | undefined): void {
    if (!rolling) counter.value += amount;
    else {
      const buckets = (counter.buckets ??= new Map());
      buckets.set(rolling.bucket, (buckets.get(rolling.bucket) ?? 0) + amount);
    }
  }

  close(): Promise<void> {
    this.counters.clear();
    return Promise.resolve();
  }

  private live(key: string, expireAt: number): Counter {
    const now = this.now();
    let counter = this.counters.get(key);
    if (!counter || counter.expireAt <= now) {
      if (this.counters.size >= this.sweepAt) this.sweep(now);
      counter = { value: 0, expireAt };
      this.counters.set(key, counter);
    }
    if (expireAt > counter.expireAt) counter.expireAt = expireAt; // a rolling counter lives on while used
    return counter;
  }

  private sweep(now: number): void {
    for (const [key, counter] of this.counters) if (counter.expireAt <= now) this.counters.delete(key);
    this.sweepAt = Math.max(SWEEP_AT, this.counters.size * 2);
  }
}

/** The buckets still inside the window; older ones are dropped. */
function rollingSum(counter: Counter, rolling: RollingBuckets): number {
  let sum = 0;
  const oldest = rolling.bucket - rolling.buckets + 1;
  for (const [bucket, value] of counter.buckets ?? []) {
    if (bucket < oldest) counter.buckets!.delete(bucket);
    else sum += value;
  }
  return sum;
}
