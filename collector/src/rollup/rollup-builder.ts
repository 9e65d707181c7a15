/**
 * The usage rollup's builder, run in the collector's process on a schedule (issue 11): a round
 * rebuilds the hours changed more than the grace ago since their last build (oldest first, at
 * most `hoursPerRound`, `hoursPerStatement` per statement), then merges each day whose hours are
 * all clean into its day rows. The grace is `graceMs` on a server and 0 on the embedded engine,
 * where each build waits for the writes in flight instead (rollupGraceMs). The work is SQL on the
 * engine (processors/src/storage/usage-rollup-build.ts), so it is the same on the embedded engine
 * and a server. After a statement it pauses `pauseRatio` times as long as the statement took (0
 * by default: a bulk load outruns a builder that pauses, and measured, the pause did not make the
 * load faster; bench/README.md).
 *
 * On the embedded engine, reads come first: chdb runs statements with query parameters (all of
 * ours) one at a time, process-wide, so a read that arrives during a build statement waits for it.
 * Before each statement the builder waits until the interactive reads are quiet (engine-reads.ts;
 * at most GIVE_WAY_MS), and while reads are about it builds HOURS_NEAR_READS hours a statement, so
 * that a read waits for one short statement at most.
 *
 * A round starts every `intervalMs`, and also whenever the builder is catching up: it finds
 * stale hours that had ended before it looked (a bulk load of past hours, an upgrade, a backlog;
 * at least CATCH_UP_HOURS). It looks every CHECK_MS between rounds and once more right after a
 * round that was catching up, so a backfill is built as it arrives, round after round. Live
 * traffic changes the current hour (and late spans the one just ended), rebuilt once per interval.
 *
 * A failed round is logged and retried at the next one (nothing is half-built: a build's record
 * is written after its rows, and readers only use recorded builds). `stop()` ends the schedule and
 * waits for the statement in flight.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { buildDay, buildHours, embeddedReads, HOUR_S, inBackground, rollupGraceMs, sleep, staleDays, staleHours, type EngineReads, type StalePeriod } from '@tokentrace/processors';
import type { RollupConfig } from './rollup-config.js';

export interface RollupRound {
  hours: number;
  /** Statements that built hours (each `hoursPerStatement` hours, or fewer near reads). */
  hourStatements: number;
  days: number;
  /** Wall time of the round's statements, pauses and waits for the writes in flight excluded. */
  busyMs: number;
  /** Time its hour builds waited for the writes in flight (embedded engine: buildStamp). */
  waitedMs: number;
  /** It found several hours stale that had ended before it began (CATCH_UP_HOURS): the next round starts at once. */
  catchingUp: boolean;
}

export interface RollupBuilderOptions {
  client: ClickHouseClient;
  database: string;
  config: RollupConfig;
  log?: (message: string) => void;
  /** Called after each scheduled round (what it built). */
  onRound?: (round: RollupRound) => void;
  /** The longest the builder gives way to reads before a statement (default GIVE_WAY_MS). */
  giveWayMs?: number;
}

/**
 * Ended hours a round must find stale to be catching up. One is not enough: late spans of a live
 * app keep changing the hour that just ended for a while, which the interval's pace rebuilds.
 */
const CATCH_UP_HOURS = 2;

/** How often the builder looks for stale hours between two rounds (one read of two small tables). */
const CHECK_MS = 1000;

/** How many day builds a round tries at most (each merges its hours' rows; no span is read). */
const DAYS_PER_ROUND = 31;

/**
 * Giving way to reads on the embedded engine (engine-reads.ts): before each statement the builder
 * waits until no read is in flight and none ended within READS_QUIET_MS, for GIVE_WAY_MS at most;
 * while reads ran within READS_RECENT_MS it builds HOURS_NEAR_READS hours a statement, so that a
 * read arriving meanwhile waits for one short statement at most.
 */
const READS_QUIET_MS = 200;
const GIVE_WAY_MS = 1000;
const READS_RECENT_MS = 5000;
export const HOURS_NEAR_READS = 6;

export class RollupBuilder {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private readonly graceMs: number;
  /** When the next round is due whether or not it is catching up (epoch ms). */
  private dueAt = 0;
  /** The interactive reads on the embedded engine; undefined on a server. */
  private readonly reads: EngineReads | undefined;
  /** Aborted by stop(): ends the round between statements, and any pause or wait for the reads to be quiet. */
  private stopping = new AbortController();

  constructor(private readonly options: RollupBuilderOptions) {
    this.graceMs = rollupGraceMs(options.client, options.config.graceMs);
    this.reads = embeddedReads(options.client);
  }

  /** Starts the schedule: a first round at once, then one every `intervalMs`, and at once while catching up. */
  start(): void {
    this.stopping = new AbortController();
    this.dueAt = Date.now();
    this.schedule(0);
  }

  /**
   * In `delayMs`: a round when the interval has passed since the last one began, or when the
   * stale hours say it is catching up (then the next at once); else only that look at the stale
   * hours (two small tables), again CHECK_MS later.
   */
  private schedule(delayMs: number): void {
    if (this.stopping.signal.aborted) return;
    const { intervalMs } = this.options.config;
    this.timer = setTimeout(() => {
      const started = Date.now();
      const due = started >= this.dueAt;
      let again = false;
      this.running = inBackground(() => this.runRound(due))
        .then((round) => {
          if (round === undefined) return;
          if (due) this.dueAt = started + intervalMs;
          again = round.catchingUp;
          this.options.onRound?.(round);
        })
        .catch((err: unknown) => {
          this.dueAt = started + intervalMs;
          this.options.log?.(`rollup: round failed, retried in ${intervalMs} ms: ${(err as Error).message}`);
        })
        .finally(() => {
          this.running = undefined;
          this.schedule(again ? 0 : Math.max(0, Math.min(CHECK_MS, this.dueAt - Date.now())));
        });
    }, delayMs);
    this.timer.unref?.();
  }

  /** One round: stale hours, then stale days. Public for the bench and tests (which run rounds themselves). */
  async round(): Promise<RollupRound> {
    return (await inBackground(() => this.runRound(true)))!;
  }

  /** A round; unless `always`, only when it is catching up (else undefined: nothing built). */
  private async runRound(always: boolean): Promise<RollupRound | undefined> {
    const { client, database, config } = this.options;
    const { graceMs } = this;
    const result: RollupRound = { hours: 0, hourStatements: 0, days: 0, busyMs: 0, waitedMs: 0, catchingUp: false };
    const began = Date.now() / 1000;
    const hours = await staleHours(client, database, graceMs, config.hoursPerRound, config.properties);
    result.catchingUp = hours.filter((h) => h.start + HOUR_S <= began).length >= CATCH_UP_HOURS;
    if (!always && !result.catchingUp) return undefined;
    for (const [projectId, starts] of byProject(hours)) {
      for (let i = 0; i < starts.length; ) {
        const nearReads = await this.giveWay();
        if (this.stopping.signal.aborted) return result;
        const size = nearReads ? Math.min(HOURS_NEAR_READS, config.hoursPerStatement) : config.hoursPerStatement;
        const chunk = starts.slice(i, (i += size));
        const t = performance.now();
        const { waitedMs } = await buildHours(client, database, projectId, chunk, config.properties);
        // The engine's time: the wait for the writes in flight (embedded engine) is not work.
        const took = performance.now() - t - waitedMs;
        result.busyMs += took;
        result.waitedMs += waitedMs;
        result.hours += chunk.length;
        result.hourStatements++;
        await this.pause(took * config.pauseRatio);
      }
    }
    for (const day of await staleDays(client, database, graceMs, DAYS_PER_ROUND, config.properties)) {
      await this.giveWay();
      if (this.stopping.signal.aborted) return result;
      const t = performance.now();
      if (await buildDay(client, database, day.projectId, day.start, config.properties, graceMs)) result.days++;
      result.busyMs += performance.now() - t;
    }
    return result;
  }

  /**
   * Waits until the reads on the embedded engine are quiet (at most GIVE_WAY_MS); true when reads
   * ran within READS_RECENT_MS (the next statement is then a short one). Always false on a server.
   */
  private async giveWay(): Promise<boolean> {
    if (this.reads === undefined) return false;
    await this.reads.quiet(READS_QUIET_MS, this.options.giveWayMs ?? GIVE_WAY_MS, this.stopping.signal);
    return this.reads.sinceLastRead() < READS_RECENT_MS;
  }

  /** Waits `ms`, or less when stopped. */
  private pause(ms: number): Promise<void> {
    return ms > 0 ? sleep(ms, this.stopping.signal) : Promise.resolve();
  }

  /** Ends the schedule; resolves once the statement in flight (if any) is done. */
  async stop(): Promise<void> {
    this.stopping.abort();
    clearTimeout(this.timer);
    await this.running;
  }
}

/** Stale hours grouped by project, oldest first. */
function byProject(hours: StalePeriod[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const h of hours) {
    const starts = out.get(h.projectId);
    if (starts) starts.push(h.start);
    else out.set(h.projectId, [h.start]);
  }
  return out;
}
