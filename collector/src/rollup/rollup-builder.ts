/**
 * The usage rollup's builder, run in the collector's process on a schedule (issue 11): every
 * `intervalMs` a round rebuilds the hours changed more than `graceMs` ago since their last build
 * (oldest first, at most `hoursPerRound`, `hoursPerStatement` per statement), then merges each
 * day whose hours are all clean into its day rows. The work is SQL on the engine
 * (processors/src/storage/usage-rollup-build.ts), so it is the same on the embedded engine and a
 * server. Between two statements the builder waits as long as the last one took: it uses at most
 * half of the engine's time while it catches up, and ingestion keeps the rest.
 *
 * A failed round is logged and retried at the next one (nothing is half-built: a build's record
 * is written after its rows, and readers only use recorded builds). `stop()` ends the schedule and
 * waits for the statement in flight.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { buildDay, buildHours, staleDays, staleHours, type StalePeriod } from '@tokentrace/processors';
import type { RollupConfig } from './rollup-config.js';

export interface RollupRound {
  hours: number;
  days: number;
  /** Wall time of the round's statements, pauses excluded. */
  busyMs: number;
}

export interface RollupBuilderOptions {
  client: ClickHouseClient;
  database: string;
  config: RollupConfig;
  log?: (message: string) => void;
  /** Called after each scheduled round (what it built). */
  onRound?: (round: RollupRound) => void;
}

/** How many day builds a round tries at most (each merges its hours' rows; no span is read). */
const DAYS_PER_ROUND = 31;

export class RollupBuilder {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: RollupBuilderOptions) {}

  /** Starts the schedule: a first round at once, then one every `intervalMs`. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.running = this.round()
        .then((round) => this.options.onRound?.(round))
        .catch((err: unknown) => this.options.log?.(`rollup: round failed, retried in ${this.options.config.intervalMs} ms: ${(err as Error).message}`))
        .finally(() => {
          this.running = undefined;
          this.schedule(Math.max(0, this.options.config.intervalMs - (Date.now() - started)));
        });
    }, delayMs);
    this.timer.unref?.();
  }

  /** One round: stale hours, then stale days. Public for the bench and tests (which run rounds themselves). */
  async round(): Promise<RollupRound> {
    const { client, database, config } = this.options;
    const result: RollupRound = { hours: 0, days: 0, busyMs: 0 };
    const hours = await staleHours(client, database, config.graceMs, config.hoursPerRound, config.properties);
    for (const chunk of chunks(hours, config.hoursPerStatement)) {
      if (this.stopped) return result;
      const t = performance.now();
      await buildHours(client, database, chunk.projectId, chunk.starts, config.properties);
      const took = performance.now() - t;
      result.busyMs += took;
      result.hours += chunk.starts.length;
      await this.pause(took);
    }
    for (const day of await staleDays(client, database, config.graceMs, DAYS_PER_ROUND, config.properties)) {
      if (this.stopped) return result;
      const t = performance.now();
      if (await buildDay(client, database, day.projectId, day.start, config.properties, config.graceMs)) result.days++;
      result.busyMs += performance.now() - t;
    }
    return result;
  }

  /** Waits `ms`, or less when stopped. */
  private pause(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Ends the schedule; resolves once the statement in flight (if any) is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.running;
  }
}

/** Stale hours grouped by project, `size` hours per statement, oldest first. */
function chunks(hours: StalePeriod[], size: number): Array<{ projectId: string; starts: number[] }> {
  const byProject = new Map<string, number[]>();
  for (const h of hours) byProject.set(h.projectId, [...(byProject.get(h.projectId) ?? []), h.start]);
  const out: Array<{ projectId: string; starts: number[] }> = [];
  for (const [projectId, starts] of byProject) for (let i = 0; i < starts.length; i += size) out.push({ projectId, starts: starts.slice(i, i + size) });
  return out;
}
