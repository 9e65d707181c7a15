/**
 * Batches spans by count, bytes and time before the exporters (the OpenTelemetry Collector's
 * batchprocessor), with bounded memory. consume() resolves once the spans are buffered (the
 * collector answers after its write-ahead log, issue 11); a batch the next consumer cannot take
 * stays buffered and is offered again. While the buffer is full, consume()
 * first waits a little for room (flow control: the sender's request is simply slower), then
 * rejects with BackpressureError, so receivers answer 429/503 and senders retry.
 * Nothing is dropped: shutdown flushes what is buffered.
 *
 * Up to `maxConcurrentExports` batches are with the next consumer at once (the Collector's
 * sending_queue `num_consumers`): while ClickHouse parses and writes one insert, the next one is
 * already being encoded and sent, instead of the collector waiting for each insert's answer.
 * Batches are handed over oldest first; with more than one at a time they may complete out of
 * order, which the storage does not mind (each span row carries its own version).
 *
 * Delivery marks (issue 11, the collector's write-ahead log): every span taken gets an ordinal,
 * in order of arrival; `received` is the next ordinal, and `whenDelivered(mark)` resolves once
 * every span below `mark` was taken by the next consumer (inserted, spooled or set aside). Batches
 * are cut in order, so each holds a contiguous range; the mark advances past the oldest batch
 * still buffered, being exported or waiting to be offered again.
 */
import { BackpressureError, type Lifecycle, type SpanConsumer } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { estimateSpanBytes } from './span-size.js';

export interface BatchConfig {
  /** Flush when this many spans are buffered. */
  maxSpans: number;
  /** Flush when the buffered spans' estimated size reaches this. */
  maxBytes: number;
  /** Flush at the latest this long after the first buffered span. */
  maxDelayMs: number;
  /**
   * Hold new spans back above this many buffered bytes (batches being exported included).
   * Default (maxConcurrentExports + 1) × maxBytes: one batch can fill while the others insert.
   */
  maxBufferedBytes?: number;
  /** How long consume() waits for room before rejecting with BackpressureError. Default 5000 ms. */
  maxWaitMs?: number;
  /** Delay before offering a refused batch again. Default 1000 ms. */
  retryDelayMs?: number;
  /** Batches with the next consumer at once. Default 2. */
  maxConcurrentExports?: number;
}

const DEFAULT_CONCURRENT_EXPORTS = 2;

export class BatchProcessor implements SpanConsumer, Lifecycle {
  private buffer: SpanRecord[] = [];
  private bufferBytes = 0;
  /** Batches cut but not yet handed to the next consumer, oldest first. */
  private readonly ready: Batch[] = [];
  /** Bytes of the batches cut and not yet taken: the ready ones and those being exported. */
  private readyBytes = 0;
  /** Exports under way, each settling once its batch was taken or put back. */
  private readonly exporting = new Set<Promise<void>>();
  /** Set while a refused batch waits to be offered again: nothing is handed over meanwhile. */
  private retryTimer?: NodeJS.Timeout;
  private timer?: NodeJS.Timeout;
  private cuts = 0;
  private stopped = false;
  private readonly roomWaiters = new Set<() => void>();
  /** Spans cut and not yet taken (ready or being exported). */
  private readySpans = 0;
  private readonly concurrentExports: number;
  private readonly maxBufferedBytes: number;
  /** Ordinal of the next span taken. */
  private nextOrdinal = 0;
  /** Cut batches not yet taken, by first ordinal (cut order); `true` once taken. */
  private readonly unfinished = new Map<number, { spans: number; taken: boolean }>();
  /** Every span below this ordinal was taken by the next consumer. */
  private deliveredMark = 0;
  /** Callers of whenDelivered(), in order of their marks. */
  private readonly deliveryWaiters: { mark: number; resolve: () => void }[] = [];

  constructor(
    private readonly next: SpanConsumer,
    private readonly config: BatchConfig,
  ) {
    this.concurrentExports = config.maxConcurrentExports ?? DEFAULT_CONCURRENT_EXPORTS;
    this.maxBufferedBytes = config.maxBufferedBytes ?? config.maxBytes * (this.concurrentExports + 1);
  }

  async consume(spans: SpanRecord[]): Promise<void> {
    if (this.stopped) throw new BackpressureError('collector is shutting down', 1);
    if (this.full() && !(await this.waitForRoom())) {
      throw new BackpressureError(`batch buffer full (${this.bufferBytes + this.readyBytes} bytes buffered)`, Math.ceil((this.config.retryDelayMs ?? 1000) / 1000));
    }
    for (const span of spans) {
      const bytes = estimateSpanBytes(span);
      this.buffer.push(span);
      this.nextOrdinal++;
      this.bufferBytes += bytes;
      if (this.buffer.length >= this.config.maxSpans || this.bufferBytes >= this.config.maxBytes) this.cut();
    }
    if (this.buffer.length > 0 && !this.timer) this.timer = setTimeout(() => this.cutAndFlush(), this.config.maxDelayMs);
    this.pump();
  }

  /** Offers everything buffered to the next consumer now; resolves when it took all of it. */
  async forceFlush(): Promise<void> {
    this.cut();
    for (;;) {
      this.pump();
      if (this.exporting.size > 0) await Promise.all(this.exporting);
      else if (this.ready.length === 0) return;
      else {
        // Refused: wait out the retry delay here rather than on the timer.
        await delay(this.config.retryDelayMs ?? 1000);
        clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
      }
    }
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.forceFlush();
  }

  /** Ordinal of the next span taken: the mark to wait for to know that everything taken so far left. */
  get received(): number {
    return this.nextOrdinal;
  }

  /** Every span below this ordinal was taken by the next consumer. */
  get delivered(): number {
    return this.deliveredMark;
  }

  /** Resolves once every span below `mark` (an earlier `received`) was taken by the next consumer. */
  whenDelivered(mark: number): Promise<void> {
    if (mark <= this.deliveredMark) return Promise.resolve();
    return new Promise((resolve) => {
      // Marks usually arrive in order: insert from the back.
      let at = this.deliveryWaiters.length;
      while (at > 0 && this.deliveryWaiters[at - 1]!.mark > mark) at--;
      this.deliveryWaiters.splice(at, 0, { mark, resolve });
    });
  }

  get bufferedSpans(): number {
    return this.buffer.length + this.readySpans;
  }

  private full(): boolean {
    return this.bufferBytes + this.readyBytes >= this.maxBufferedBytes;
  }

  /** Resolves true once a flush made room, false after maxWaitMs. */
  private waitForRoom(): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (room: boolean) => {
        clearTimeout(timer);
        this.roomWaiters.delete(wake);
        resolve(room);
      };
      const wake = () => {
        if (!this.full()) done(true);
      };
      const timer = setTimeout(() => done(false), this.config.maxWaitMs ?? 5000);
      this.roomWaiters.add(wake);
      this.pump();
    });
  }

  private cutAndFlush(): void {
    this.timer = undefined;
    this.cut();
    this.pump();
  }

  private cut(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buffer.length === 0) return;
    const first = this.nextOrdinal - this.buffer.length;
    this.unfinished.set(first, { spans: this.buffer.length, taken: false });
    this.ready.push({ spans: this.buffer, bytes: this.bufferBytes, seq: this.cuts++, first });
    this.readyBytes += this.bufferBytes;
    this.readySpans += this.buffer.length;
    this.buffer = [];
    this.bufferBytes = 0;
  }

  /** Hands ready batches to the next consumer, oldest first, up to maxConcurrentExports at once. */
  private pump(): void {
    while (this.retryTimer === undefined && this.ready.length > 0 && this.exporting.size < this.concurrentExports) {
      const exported: Promise<void> = this.export(this.ready.shift()!).finally(() => {
        this.exporting.delete(exported);
        this.pump();
      });
      this.exporting.add(exported);
    }
  }

  /** One batch to the next consumer; a refused one goes back first in line and is offered again later. */
  private async export(batch: Batch): Promise<void> {
    try {
      await this.next.consume(batch.spans);
    } catch {
      // Back in its place: batches refused together keep their order.
      const after = this.ready.findIndex((b) => b.seq > batch.seq);
      this.ready.splice(after === -1 ? this.ready.length : after, 0, batch);
      if (!this.stopped && this.retryTimer === undefined) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.pump();
        }, this.config.retryDelayMs ?? 1000).unref();
      }
      return;
    }
    this.readyBytes -= batch.bytes;
    this.readySpans -= batch.spans.length;
    this.taken(batch);
    for (const wake of [...this.roomWaiters]) wake();
  }

  /** Advances the delivery mark past the oldest batches taken and wakes whoever waited for it. */
  private taken(batch: Batch): void {
    this.unfinished.get(batch.first)!.taken = true;
    for (const [first, entry] of this.unfinished) {
      if (!entry.taken) break;
      this.unfinished.delete(first); // Map iteration is insertion (cut) order
      this.deliveredMark = first + entry.spans;
    }
    while (this.deliveryWaiters.length > 0 && this.deliveryWaiters[0]!.mark <= this.deliveredMark) this.deliveryWaiters.shift()!.resolve();
  }
}

interface Batch {
  spans: SpanRecord[];
  bytes: number;
  /** Order of cutting. */
  seq: number;
  /** Ordinal of its first span. */
  first: number;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
