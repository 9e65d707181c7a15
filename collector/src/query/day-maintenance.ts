/**
 * Keeps the days of `requests` cheap to read, in the background: a day that is not settled (it
 * has delta parts, or no merged part at all) is compacted into one part (OPTIMIZE … PARTITION …
 * FINAL: one day's partition, seconds at most), which makes it settled, and a base part gets its
 * rollups built (rollup-builder.ts). Queries stay exact without any of this; it only moves rows
 * from the FINAL path to the plain and rollup paths (README.md).
 *
 * Background merges would settle a day by themselves, but slowly: ClickHouse lowers its merge
 * threshold with the age of the parts, over days for parts of a day's size (SimpleMergeSelector,
 * `max_age_to_lower_base_*`). So the day being written (today) is compacted again every
 * COMPACT_INTERVAL_MS while queries read it, which bounds its deltas to the spans of the last
 * few minutes; an older day is compacted when a late span or a retried batch reached it; a day
 * whose deltas repeat spans of its base (a batch retried across a compaction) at once.
 *
 * Work is queued by queries and done one task at a time; `maintain(range)` does it all at once
 * (benchmarks, tools).
 */
import { sqlString } from '@tokentrace/processors';
import type { QueryContext } from './query-context.js';
import type { RangeMs } from './query-sql.js';
import { dayParts, isSettled } from './request-days.js';
import { validBuilds } from './request-source.js';
import { buildRollup } from './rollup-builder.js';

/** A day is compacted at most this often (the day being written is, while it is read). */
export const COMPACT_INTERVAL_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

export interface DayMaintenanceOptions {
  /** What went wrong in a background task (default: console.warn). */
  onError?: (err: unknown, day: string) => void;
  /** The clock (tests). */
  now?: () => number;
}

type Task = { kind: 'compact'; day: string } | { kind: 'build'; day: string; part: string };

export class DayMaintenance {
  private readonly queue = new Map<string, Task>();
  private readonly built = new Set<string>();
  private readonly compactedAt = new Map<string, number>();
  private running?: Promise<void>;
  private closed = false;

  constructor(
    private readonly ctx: QueryContext,
    private readonly options: DayMaintenanceOptions = {},
  ) {}

  /**
   * Queues what a query plan found: days that are not settled (compacted at most every
   * COMPACT_INTERVAL_MS), days whose deltas repeat spans of the base (read with FINAL as a whole
   * until compacted, so compacted at once), base parts without rollups.
   */
  schedule(found: { unsettled: readonly string[]; overlapping?: readonly string[]; unbuilt: ReadonlyArray<{ day: string; part: string }> }): void {
    if (this.closed) return;
    const now = this.now();
    const urgent = new Set(found.overlapping ?? []);
    for (const day of found.unsettled) {
      if (urgent.has(day) || now - (this.compactedAt.get(day) ?? -Infinity) >= COMPACT_INTERVAL_MS) this.queue.set(`compact/${day}`, { kind: 'compact', day });
    }
    for (const { day, part } of found.unbuilt) if (!this.built.has(part)) this.queue.set(`build/${part}`, { kind: 'build', day, part });
    if (this.queue.size > 0) this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Compacts every unsettled day of `range`, then builds the missing rollups; waits for it. */
  async maintain(range: RangeMs): Promise<{ compacted: number; built: number }> {
    let compacted = 0;
    for (const [day, parts] of [...(await dayParts(this.ctx, range))].sort()) {
      if (isSettled(parts)) continue;
      await this.compact(day);
      compacted++;
    }
    const bases = new Map<string, string>();
    for (const [day, parts] of await dayParts(this.ctx, range)) if (parts.base !== undefined) bases.set(day, parts.base);
    const builds = await validBuilds(this.ctx, range, bases);
    let built = 0;
    for (const [day, part] of [...bases].sort()) if (!builds.has(day) && (await buildRollup(this.ctx, day, part))) built++;
    return { compacted, built };
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops taking work and waits for the task in progress. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.clear();
    await this.idle();
  }

  private async drain(): Promise<void> {
    while (this.queue.size > 0 && !this.closed) {
      const [key, task] = this.queue.entries().next().value!;
      this.queue.delete(key);
      try {
        if (task.kind === 'build') {
          this.built.add(task.part);
          await buildRollup(this.ctx, task.day, task.part);
        } else {
          await this.compact(task.day);
          const parts = (await dayParts(this.ctx, { fromMs: Date.parse(task.day), toMs: Date.parse(task.day) + DAY_MS })).get(task.day);
          if (parts?.base !== undefined && !this.built.has(parts.base)) this.queue.set(`build/${parts.base}`, { kind: 'build', day: task.day, part: parts.base });
        }
      } catch (err) {
        (this.options.onError ?? ((e, d) => console.warn(`tokentrace: maintenance of ${d} failed: ${e instanceof Error ? e.message : String(e)}`)))(err, task.day);
      }
    }
  }

  private compact(day: string): Promise<unknown> {
    this.compactedAt.set(day, this.now());
    // The partition of a `Date` key is named by the date's text on 18.16 and on current servers.
    return this.ctx.client.command({ query: `OPTIMIZE TABLE ${this.ctx.tables.requests} PARTITION ${sqlString(day)} FINAL` });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
