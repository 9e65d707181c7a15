/**
 * The interactive reads on the embedded engine in this process (issue 11), so that background
 * work (the usage rollup's builder) gives way to them. chdb runs the statements that have query
 * parameters one at a time, process-wide (chdb's `globalParamChain`: parameter state in libchdb is
 * not isolated per connection), and every statement of ours has parameters: a read that arrives
 * while a build statement runs waits until that statement ends. So the builder starts a statement
 * only once the reads are quiet (`quiet`: none in flight and none ended within a short window, as
 * a dashboard's reads come in bursts), waiting a bounded time, and keeps its statements short
 * while reads are about (collector/src/rollup/rollup-builder.ts).
 *
 * A read is any `query` on an embedded connection (embedded-engine.ts) that is not made inside
 * `inBackground` (the builder's own looks at its state). Inserts, `exec` and `command` are writes
 * (engine-writes.ts), not reads.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { sleep } from '../exporter-helper/backoff.js';

const background = new AsyncLocalStorage<true>();

/** Runs `work`; the queries it makes (through awaits too) are background work, not reads that others give way to. */
export function inBackground<T>(work: () => T): T {
  return background.run(true, work);
}

/** True inside `inBackground`. */
export function isBackground(): boolean {
  return background.getStore() === true;
}

export class EngineReads {
  private inFlight = 0;
  /** When the last read ended (Date.now()); -Infinity before the first. */
  private lastEndedAt = -Infinity;
  /** Wakes the callers of `quiet` waiting for the reads in flight to end. */
  private waiters: Array<() => void> = [];

  /** Counts `read` as in flight until it settles; returns it. */
  track<T>(read: Promise<T>): Promise<T> {
    this.inFlight++;
    const ended = () => {
      this.inFlight--;
      this.lastEndedAt = Date.now();
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    };
    read.then(ended, ended);
    return read;
  }

  /** How many reads are in flight now. */
  get size(): number {
    return this.inFlight;
  }

  /** Milliseconds since the last read ended: 0 while one is in flight, Infinity when none ever ran. */
  sinceLastRead(): number {
    return this.inFlight > 0 ? 0 : Date.now() - this.lastEndedAt;
  }

  /**
   * Resolves once no read is in flight and none ended within the last `quietMs`, or `maxWaitMs`
   * after the call, whichever comes first (reads that never pause do not stop background work
   * for good); `signal` ends the wait early. Resolves true when it had to wait for reads.
   */
  async quiet(quietMs: number, maxWaitMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + maxWaitMs;
    let waited = false;
    for (;;) {
      const now = Date.now();
      if (now >= deadline || signal?.aborted) return waited;
      const left = this.inFlight > 0 ? deadline - now : quietMs - (now - this.lastEndedAt);
      if (left <= 0) return waited;
      waited = true;
      await this.sleep(Math.min(left, deadline - now), this.inFlight > 0, signal);
    }
  }

  /** Waits `ms`, or until a read ends when `untilReadEnds`, or until `signal` aborts. */
  private sleep(ms: number, untilReadEnds: boolean, signal: AbortSignal | undefined): Promise<void> {
    if (!untilReadEnds) return sleep(ms, signal);
    const readEnded = new AbortController();
    this.waiters.push(() => readEnded.abort());
    return sleep(ms, signal ? AbortSignal.any([signal, readEnded.signal]) : readEnded.signal);
  }
}
