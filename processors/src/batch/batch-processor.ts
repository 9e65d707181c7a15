/**
 * Batches spans by count, bytes and time before the exporters (the OpenTelemetry Collector's
 * batchprocessor), with bounded memory. Spans are acknowledged once buffered; a batch the next
 * consumer cannot take stays buffered and is offered again. While the buffer is full, consume()
 * first waits a little for room (flow control: the sender's request is simply slower), then
 * rejects with BackpressureError, so receivers answer 429/503 and senders retry.
 * Nothing is dropped: shutdown flushes what is buffered.
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
  /** Hold new spans back above this many buffered bytes. Default 2 × maxBytes. */
  maxBufferedBytes?: number;
  /** How long consume() waits for room before rejecting with BackpressureError. Default 5000 ms. */
  maxWaitMs?: number;
  /** Delay before offering a refused batch again. Default 1000 ms. */
  retryDelayMs?: number;
}

export class BatchProcessor implements SpanConsumer, Lifecycle {
  private buffer: SpanRecord[] = [];
  private bufferBytes = 0;
  /** Batches cut but not yet taken by the next consumer, oldest first. */
  private readonly ready: Array<{ spans: SpanRecord[]; bytes: number }> = [];
  private readyBytes = 0;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private stopped = false;
  private readonly roomWaiters = new Set<() => void>();

  constructor(
    private readonly next: SpanConsumer,
    private readonly config: BatchConfig,
  ) {}

  async consume(spans: SpanRecord[]): Promise<void> {
    if (this.stopped) throw new BackpressureError('collector is shutting down', 1);
    if (this.full() && !(await this.waitForRoom())) {
      throw new BackpressureError(`batch buffer full (${this.bufferBytes + this.readyBytes} bytes buffered)`, Math.ceil((this.config.retryDelayMs ?? 1000) / 1000));
    }
    for (const span of spans) {
      const bytes = estimateSpanBytes(span);
      this.buffer.push(span);
      this.bufferBytes += bytes;
      if (this.buffer.length >= this.config.maxSpans || this.bufferBytes >= this.config.maxBytes) this.cut();
    }
    if (this.buffer.length > 0 && !this.timer) this.timer = setTimeout(() => this.cutAndFlush(), this.config.maxDelayMs);
    if (this.ready.length > 0) void this.flush();
  }

  /** Offers everything buffered to the next consumer now; resolves when it took all of it. */
  async forceFlush(): Promise<void> {
    this.cut();
    while (this.ready.length > 0) {
      await this.flush();
      if (this.ready.length > 0) await delay(this.config.retryDelayMs ?? 1000);
    }
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.forceFlush();
  }

  get bufferedSpans(): number {
    return this.buffer.length + this.ready.reduce((n, b) => n + b.spans.length, 0);
  }

  private full(): boolean {
    return this.bufferBytes + this.readyBytes >= (this.config.maxBufferedBytes ?? this.config.maxBytes * 2);
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
      void this.flush();
    });
  }

  private cutAndFlush(): void {
    this.timer = undefined;
    this.cut();
    void this.flush();
  }

  private cut(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buffer.length === 0) return;
    this.ready.push({ spans: this.buffer, bytes: this.bufferBytes });
    this.readyBytes += this.bufferBytes;
    this.buffer = [];
    this.bufferBytes = 0;
  }

  /** One flush at a time, in order; a refused batch stays first in line and is retried later. */
  private flush(): Promise<void> {
    this.flushing ??= (async () => {
      try {
        while (this.ready.length > 0) {
          const batch = this.ready[0];
          try {
            await this.next.consume(batch.spans);
          } catch {
            if (!this.stopped) setTimeout(() => void this.flush(), this.config.retryDelayMs ?? 1000).unref();
            return;
          }
          this.ready.shift();
          this.readyBytes -= batch.bytes;
          for (const wake of [...this.roomWaiters]) wake();
        }
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
