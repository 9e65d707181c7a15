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
   * stays within it; in one atomic step. The counter expires at `expireAt` (epoch ms).
   */
  charge(key: string, amount: number, quota: number, expireAt: number, force: boolean): Promise<ChargeResult>;
  /** Adds `delta` (negative to refund) whatever the quota. */
  adjust(key: string, delta: number, expireAt: number): Promise<void>;
  close(): Promise<void>;
}

/** The admission rule every store applies: below the quota, and this charge fits in it. */
export function fits(used: number, amount: number, quota: number): boolean {
  return used < quota && used + amount <= quota;
}

interface Counter {
  value: number;
  expireAt: number;
}

/** Sweep expired counters once the map holds this many. */
const SWEEP_AT = 10_000;

export class MemoryCounterStore implements CounterStore {
  private readonly counters = new Map<string, Counter>();
  private sweepAt = SWEEP_AT;

  constructor(private readonly now: () => number = Date.now) {}

  charge(key: string, amount: number, quota: number, expireAt: number, force: boolean): Promise<ChargeResult> {
    const counter = this.live(key, expireAt);
    if (!force && !fits(counter.value, amount, quota)) return Promise.resolve({ allowed: false, used: counter.value });
    counter.value += amount;
    return Promise.resolve({ allowed: true, used: counter.value });
  }

  adjust(key: string, delta: number, expireAt: number): Promise<void> {
    this.live(key, expireAt).value += delta;
    return Promise.resolve();
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
    return counter;
  }

  private sweep(now: number): void {
    for (const [key, counter] of this.counters) if (counter.expireAt <= now) this.counters.delete(key);
    this.sweepAt = Math.max(SWEEP_AT, this.counters.size * 2);
  }
}
