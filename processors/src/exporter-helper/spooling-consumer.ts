/**
 * Keeps batches that the exporter cannot take on disk and replays them, in order, when it can
 * again (the OpenTelemetry Collector's exporterhelper `queue_sender` with a persistent queue, but
 * on the failure path only: while the exporter is healthy, batches go straight through).
 *
 * - A batch whose delivery fails with a retryable error is written to the DiskSpool, and
 *   consume() resolves: the batch is safe. While the exporter is failing, new batches go to the
 *   spool at once instead of waiting on it. A background loop replays the oldest spooled batch
 *   with backoff until it is delivered, then the next; the first success turns direct delivery
 *   back on. The spool is read again at start, so batches survive a restart.
 * - When the spool is full (or the disk is), consume() rejects with BackpressureError, so the
 *   receivers answer 429/503 and senders retry: nothing is dropped silently.
 * - Spans refused as bad data (a SpansRefusedError from the IsolatingConsumer below, issue 10) are
 *   set aside in `rejected/`, only they, with a `.reason` file naming each span and why; the rest
 *   of the delivery was stored. Logged once per delivery, reported (onRejected), and consume()
 *   resolves, whether the spans came directly or from the spool: a bad span cannot block the
 *   batches behind it, and it is kept, not dropped. Any other PermanentError sets the whole
 *   delivery aside (each spooled file of a replay, moved). Only when rejected/ cannot be written is
 *   the error passed on (a direct delivery) or the replay tried again later. Without an
 *   IsolatingConsumer below, a refused replay of joined batches sets all of them aside: set
 *   replayMaxBytes to 0 there.
 * - shutdown() waits up to `drainTimeoutMs` for batches in flight, persists those still
 *   undelivered (their consume() then resolves), and shuts the exporter down. A batch persisted
 *   while its insert was still running may be inserted twice: the ClickHouse table drops such
 *   duplicates (ReplacingMergeTree), which is why at-least-once is enough here.
 */
import { BackpressureError, isPermanent, type Lifecycle, type SpanConsumer } from '../pipeline/processor.js';
import { ConfigError } from '../pipeline/config-error.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { ExponentialBackoff, sleep, validateBackoff, type BackoffConfig } from './backoff.js';
import { decodeBatch, encodeBatch } from './batch-codec.js';
import { DiskSpool, SpoolFullError } from './disk-spool.js';
import { consoleLogger, errorText, type HelperLogger } from './logger.js';
import { SetAside } from './set-aside.js';

export interface SpoolConfig {
  /** Directory of the spool files (created when missing). */
  directory: string;
  /** Bound on the spooled batches' bytes; beyond it consume() rejects with BackpressureError. */
  maxBytes: number;
  /** Retry-After hint carried by the BackpressureError (seconds). */
  retryAfterSeconds: number;
  /** Waits between replay attempts while the exporter keeps failing. */
  replay: BackoffConfig;
  /** At shutdown, how long batches in flight may still finish before they are persisted. */
  drainTimeoutMs: number;
  /**
   * Replay joins consecutive spooled batches up to this many bytes (of spool files) into one
   * delivery: a backlog of small batches drains in a few inserts instead of one insert each
   * (each insert makes a new part in ClickHouse). 0: one batch at a time.
   */
  replayMaxBytes: number;
}

export const DEFAULT_SPOOL_CONFIG: Omit<SpoolConfig, 'directory'> = {
  maxBytes: 1024 * 1024 * 1024,
  retryAfterSeconds: 5,
  replay: { initialIntervalMs: 500, multiplier: 2, randomizationFactor: 0.2, maxIntervalMs: 10_000 },
  drainTimeoutMs: 5_000,
  replayMaxBytes: 16 * 1024 * 1024,
};

export interface SpoolHooks {
  logger?: HelperLogger;
  /** A batch of `spans` spans was written to disk (collector counter `spans_spooled`). */
  onSpooled?(spans: number): void;
  /** Spooled spans were delivered (of a replay whose other spans were refused: those stored). */
  onReplayed?(spans: number): void;
  /** Spans were set aside in rejected/ (refused as bad data; 0 for a spooled file that cannot be read). */
  onRejected?(spans: number, reason: string): void;
  /** consume() refused a batch because the spool is full. */
  onBackpressure?(): void;
}

export interface SpoolStats {
  spooledBatches: number;
  spooledBytes: number;
  maxBytes: number;
  /** False while the exporter is failing (new batches go straight to disk). */
  healthy: boolean;
}

/**
 * A batch being delivered directly. `claimed` says who persists it after a failure: consume()
 * itself, or shutdown(), which settles `persisted` with whether it managed to.
 */
interface Flight {
  spans: SpanRecord[];
  claimed: boolean;
  settled: Promise<void>;
  persisted: Promise<boolean>;
  markPersisted(ok: boolean): void;
}

type Outcome = 'delivered' | 'persisted' | { err: unknown };

export class SpoolingConsumer implements SpanConsumer, Lifecycle {
  readonly config: SpoolConfig;
  private readonly spool: DiskSpool;
  private readonly setAside: SetAside;
  private readonly logger: HelperLogger;
  private readonly stop = new AbortController();
  private readonly inFlight = new Set<Flight>();
  private starting?: Promise<void>;
  private replaying?: Promise<void>;
  private healthy = true;
  private stopping = false;

  constructor(
    private readonly next: SpanConsumer & Lifecycle,
    config: Partial<SpoolConfig> & { directory: string },
    private readonly hooks: SpoolHooks = {},
  ) {
    this.config = { ...DEFAULT_SPOOL_CONFIG, ...config, replay: { ...DEFAULT_SPOOL_CONFIG.replay, ...config.replay } };
    validateBackoff(this.config.replay, 'spool.replay.');
    if (!(this.config.retryAfterSeconds > 0)) throw new ConfigError('spool.retryAfterSeconds', 'a positive number', this.config.retryAfterSeconds);
    if (!(this.config.drainTimeoutMs >= 0)) throw new ConfigError('spool.drainTimeoutMs', 'a number ≥ 0', this.config.drainTimeoutMs);
    if (!(this.config.replayMaxBytes >= 0)) throw new ConfigError('spool.replayMaxBytes', 'a number ≥ 0', this.config.replayMaxBytes);
    this.spool = new DiskSpool(this.config.directory, this.config.maxBytes);
    this.logger = hooks.logger ?? consoleLogger;
    this.setAside = new SetAside(this.spool, this.logger, hooks);
  }

  /** Opens the spool, starts the exporter, and replays what an earlier run left behind. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      await this.spool.open();
      if (this.spool.count > 0) this.logger.warn(`spool ${this.config.directory}: ${this.spool.count} batches (${this.spool.bytes} bytes) left from an earlier run; replaying`);
      await this.next.start?.();
      this.kickReplay();
    })();
    return this.starting;
  }

  stats(): SpoolStats {
    return { spooledBatches: this.spool.count, spooledBytes: this.spool.bytes, maxBytes: this.config.maxBytes, healthy: this.healthy };
  }

  async consume(spans: SpanRecord[]): Promise<void> {
    await this.start();
    if (this.stopping) throw new BackpressureError('exporter is shutting down', this.config.retryAfterSeconds);
    if (spans.length === 0) return;
    if (!this.healthy) return this.persist(spans);

    let markPersisted!: (ok: boolean) => void;
    let settle!: () => void;
    const flight: Flight = {
      spans,
      claimed: false,
      persisted: new Promise<boolean>((r) => (markPersisted = r)),
      settled: new Promise<void>((r) => (settle = r)),
      markPersisted: (ok) => markPersisted(ok),
    };
    this.inFlight.add(flight);
    try {
      const delivered: Promise<Outcome> = this.next.consume(spans).then(
        () => 'delivered',
        (err: unknown) => ({ err }),
      );
      // Whichever comes first: the delivery, or shutdown having persisted the batch.
      const persistedFirst: Promise<Outcome> = flight.persisted.then((ok) => (ok ? 'persisted' : delivered));
      const outcome = await Promise.race([delivered, persistedFirst]);
      if (outcome === 'delivered' || outcome === 'persisted') return;
      if (flight.claimed && (await flight.persisted)) return; // shutdown persisted it meanwhile
      flight.claimed = true;
      if (isPermanent(outcome.err)) return await this.setAsideDirect(spans, outcome.err);
      if (this.healthy) this.logger.warn(`export failed (${errorText(outcome.err)}); spooling to ${this.config.directory} until it recovers`);
      this.healthy = false;
      await this.persist(spans);
    } finally {
      this.inFlight.delete(flight);
      settle();
    }
  }

  /** A direct delivery refused: into rejected/, or, when that cannot be written, the refusal passed on. */
  private async setAsideDirect(spans: SpanRecord[], err: unknown): Promise<void> {
    try {
      await this.setAside.direct(spans, err);
    } catch (writeErr) {
      this.logger.error(`could not set aside refused spans of a batch of ${spans.length}: ${errorText(writeErr)}`);
      throw err;
    }
  }

  /**
   * Stops accepting batches, lets batches in flight finish for up to drainTimeoutMs, persists the
   * rest, and shuts the exporter down. Spooled batches stay on disk for the next start.
   */
  async shutdown(): Promise<void> {
    await this.starting?.catch(() => undefined);
    if (this.stopping) return;
    this.stopping = true;
    this.stop.abort();
    const flights = [...this.inFlight];
    await within(Promise.all([...flights.map((f) => f.settled), this.replaying]), this.config.drainTimeoutMs);
    for (const flight of this.inFlight) {
      if (flight.claimed) continue;
      flight.claimed = true;
      try {
        await this.write(flight.spans, true);
      } catch (err) {
        // Hand it back: its consume() reports the failure once the delivery attempt ends.
        this.logger.error(`could not persist ${flight.spans.length} spans at shutdown: ${errorText(err)}`);
        flight.claimed = false;
        flight.markPersisted(false);
        continue;
      }
      flight.markPersisted(true);
    }
    await this.next.shutdown?.();
    await Promise.all([...flights.map((f) => f.settled), this.replaying]);
    await this.spool.flush();
  }

  /** Writes a batch to the spool; BackpressureError when it is full. */
  private async persist(spans: SpanRecord[]): Promise<void> {
    await this.write(spans, this.stopping);
    this.kickReplay();
  }

  private async write(spans: SpanRecord[], force: boolean): Promise<void> {
    try {
      await this.spool.append(encodeBatch(spans), { force });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (err instanceof SpoolFullError || code === 'ENOSPC' || code === 'EDQUOT') {
        this.hooks.onBackpressure?.();
        throw new BackpressureError(`cannot take more spans now: ${errorText(err)}`, this.config.retryAfterSeconds);
      }
      throw err;
    }
    this.hooks.onSpooled?.(spans.length);
  }

  private kickReplay(): void {
    if (this.replaying || this.stopping || this.spool.count === 0) return;
    this.replaying = this.replayLoop()
      .catch((err: unknown) => this.logger.error(`spool replay stopped: ${errorText(err)}`))
      .finally(() => {
        this.replaying = undefined;
        // An append may have landed after the loop saw an empty spool.
        if (this.spool.count > 0 && !this.stopping) setTimeout(() => this.kickReplay(), 0).unref();
      });
  }

  /**
   * Delivers spooled batches oldest first, joined up to replayMaxBytes, until the spool is empty
   * or shutdown. A delivery whose spans were partly refused (bisected below) counts as delivered:
   * the refused spans go to rejected/, the files are deleted, and the next batches follow.
   */
  private async replayLoop(): Promise<void> {
    const backoff = new ExponentialBackoff(this.config.replay);
    while (!this.stopping && this.spool.count > 0) {
      const entries = this.spool.oldestUpTo(this.config.replayMaxBytes);
      const spans: SpanRecord[] = [];
      let unreadable = false;
      for (const entry of entries) {
        try {
          spans.push(...decodeBatch(await this.spool.read(entry)));
        } catch (err) {
          await this.setAside.unreadable(entry, err);
          unreadable = true;
          break;
        }
      }
      if (unreadable) continue;
      let refused = 0;
      try {
        await this.next.consume(spans);
      } catch (err) {
        if (!isPermanent(err)) {
          this.healthy = false;
          await sleep(backoff.next(), this.stop.signal);
          continue;
        }
        try {
          refused = await this.setAside.replayed(entries, spans, err);
        } catch (writeErr) {
          // rejected/ cannot be written (disk full?): keep the files, try again later.
          this.logger.error(`could not set aside refused spans of spooled batches: ${errorText(writeErr)}`);
          await sleep(backoff.next(), this.stop.signal);
          continue;
        }
      }
      // Delivered: delete even during shutdown, or it would be inserted again on the next start.
      for (const entry of entries) await this.spool.remove(entry);
      backoff.reset();
      if (spans.length > refused) this.hooks.onReplayed?.(spans.length - refused);
      if (!this.healthy) this.logger.warn(`export recovered; replaying ${this.spool.count} spooled batches`);
      this.healthy = true;
    }
  }
}

function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(() => undefined),
    new Promise<void>((r) => (timer = setTimeout(r, ms))),
  ]).finally(() => clearTimeout(timer));
}
