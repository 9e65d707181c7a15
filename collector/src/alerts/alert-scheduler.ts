/**
 * Runs an evaluation round every `intervalMs` (one minute by default), on an injectable clock so
 * tests drive it with fake time. Rounds never overlap: the next is scheduled when the last has
 * finished, at the next multiple of the interval. A round that throws is logged; the schedule
 * goes on.
 */

export interface SchedulerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const SYSTEM_CLOCK: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class AlertScheduler {
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly round: (nowMs: number) => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly clock: SchedulerClock = SYSTEM_CLOCK,
    private readonly log: (message: string) => void = (m) => console.error(`[tokentrace-alerts] ${m}`),
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Stops scheduling and waits for a round under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const delay = this.intervalMs - (now % this.intervalMs);
    this.timer = this.clock.setTimeout(() => {
      this.running = this.round(this.clock.now())
        .then(() => undefined, (err: Error) => this.log(`evaluation round failed: ${err.message}`))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, delay);
  }
}
