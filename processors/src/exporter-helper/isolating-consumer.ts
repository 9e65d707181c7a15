/**
 * Finds the spans a store refuses as bad data, so that one bad span costs itself and not its batch
 * (issue 10: a lone surrogate in one span name made ClickHouse refuse a whole insert, and the
 * spool then held every later batch behind it). Composed between the spool and the retry:
 *
 *   new SpoolingConsumer(new IsolatingConsumer(new RetryingConsumer(exporter)), spoolConfig)
 *
 * consume() delivers the batch. When that fails with a DataError, the batch is split in halves,
 * each delivered in turn (left first, so stored spans keep their order), and a refused half is
 * split again, down to single spans. The parts accepted are stored; consume() then rejects with a
 * SpansRefusedError listing the refused spans, each with the error of its own delivery. When the
 * left half of a refused part is accepted whole, the right half is split at once without being sent
 * whole: it holds what was refused. A single span is always sent alone, so its reason is its own.
 *
 * Cost: for k refused spans among n, about 2·k·log2(n/k) deliveries; the refused ones store
 * nothing (an insert ClickHouse refuses makes no part), the accepted ones make at most about
 * k·log2(n/k) + 1 small parts, which ClickHouse merges. All n refused costs 2n − 1 refused
 * deliveries.
 *
 * Any other error during the search (ClickHouse gone, a refused password) is passed on as it is,
 * and the spool keeps and replays the whole batch: the parts already stored are inserted again.
 * The ClickHouse table drops such duplicates (ReplacingMergeTree): at-least-once is the contract,
 * as for every retry and replay (and `spans_stored` counts such a part each time it is accepted).
 * A batch refused whole whose parts are all accepted (a refusal of the batch, not of a span) ends
 * with everything stored and consume() resolves.
 */
import { isDataError, type Lifecycle, type SpanConsumer } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { errorText } from './logger.js';
import { SpansRefusedError, type RefusedSpan } from './spans-refused-error.js';

export interface IsolationResult {
  /** Spans in the batch that was refused whole. */
  spans: number;
  /** Of these, refused one by one (the rest were stored). */
  refused: number;
  /** Deliveries made, the first (refused) one included. */
  deliveries: number;
}

export interface IsolationHooks {
  /** A batch refused as bad data has been searched (for counters or logs; the spool logs the outcome). */
  onIsolated?(result: IsolationResult): void;
}

/** Raised when shutdown stops a search: retryable, so the spool keeps the batch. */
export class IsolationStoppedError extends Error {
  readonly code = 'TOKENTRACE_ISOLATION_STOPPED';
  constructor() {
    super('search for refused spans stopped by shutdown; the batch stays with the spool');
    this.name = 'IsolationStoppedError';
  }
}

interface Search {
  refused: RefusedSpan[];
  deliveries: number;
}

export class IsolatingConsumer implements SpanConsumer, Lifecycle {
  private stopping = false;

  constructor(
    private readonly next: SpanConsumer & Lifecycle,
    private readonly hooks: IsolationHooks = {},
  ) {}

  async start(): Promise<void> {
    await this.next.start?.();
  }

  async consume(spans: SpanRecord[]): Promise<void> {
    try {
      await this.next.consume(spans);
      return;
    } catch (err) {
      if (!isDataError(err) || spans.length === 0) throw err;
      const search: Search = { refused: [], deliveries: 1 };
      await this.search(spans, err, search);
      this.hooks.onIsolated?.({ spans: spans.length, refused: search.refused.length, deliveries: search.deliveries });
      if (search.refused.length > 0) throw new SpansRefusedError(search.refused, spans.length, { cause: err });
    }
  }

  /** Stops searches in progress at their next delivery (their batches stay with the spool), then shuts the exporter down. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    await this.next.shutdown?.();
  }

  /** `spans` were refused with `err` (a data error): store what can be, collect what cannot. */
  private async search(spans: SpanRecord[], err: unknown, search: Search): Promise<void> {
    if (err instanceof SpansRefusedError) {
      search.refused.push(...err.refused); // searched further down already; the rest is stored
      return;
    }
    if (spans.length === 1) {
      search.refused.push({ span: spans[0], reason: errorText(err) });
      return;
    }
    const middle = Math.ceil(spans.length / 2);
    const left = spans.slice(0, middle);
    const right = spans.slice(middle);
    const leftErr = await this.deliver(left, search);
    if (leftErr !== undefined) await this.search(left, leftErr, search);
    // Left accepted whole: the refusal is in the right half, which is split without sending it whole.
    const rightErr = leftErr === undefined && right.length > 1 ? err : await this.deliver(right, search);
    if (rightErr !== undefined) await this.search(right, rightErr, search);
  }

  /** Delivers a part: undefined when accepted, the data error when refused; other errors are thrown. */
  private async deliver(part: SpanRecord[], search: Search): Promise<unknown> {
    if (this.stopping) throw new IsolationStoppedError();
    search.deliveries++;
    try {
      await this.next.consume(part);
      return undefined;
    } catch (err) {
      if (!isDataError(err)) throw err;
      return err;
    }
  }
}
