/**
 * The buffers that hold the rows encoded on arrival (span-row-binary.ts, encodeSpansOnArrival),
 * used again once every span in one of them has been delivered, instead of a fresh buffer per
 * request. Why: a fresh buffer of a request's size (~0.6–0.9 MB for 1000 spans) comes from new
 * pages, and touching them (page faults) cost more than writing the rows: on this project's
 * machine encoding took ~4.4 µs per span with a fresh buffer each time and ~1.9 µs reusing one
 * (issue 11, bench:collector).
 *
 * Who says a span is delivered: `RowReleasingConsumer`, between the BatchProcessor and storage,
 * once storage resolved for the batch (inserted, spooled or set aside: the spans' rows have been
 * copied to the engine's insert file, the spool or `rejected/`, and no stage keeps the batch).
 * A buffer goes back when its last span is released; buffers of spans never released (a
 * request refused with 429 after encoding, a batch dropped at shutdown) are left to the garbage
 * collector. A released span refuses to be read (EncodedSpan throws): its bytes may already be
 * another request's. At shutdown the spool may resolve for a batch it persisted while the
 * batch's insert still runs (past the drain timeout); its buffer then goes back while the insert
 * may still read it, but the collector stops its receivers before storage, so nothing is encoded
 * into it again.
 */
import type { SpanConsumer } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';

/** Sizes are rounded up to this, so that a buffer fits the next requests of about the same size. */
const SIZE_STEP = 256 * 1024;

/** Free buffers kept at most (bytes): beyond, a returned buffer is left to the garbage collector. */
export const ARRIVAL_POOL_MAX_IDLE_BYTES = 32 * 1024 * 1024;

/** Buffers of at least SIZE_STEP bytes, taken and given back; the most recently returned first. */
export class RowBufferPool {
  private readonly free: Buffer[] = [];
  private idleBytes = 0;

  constructor(private readonly maxIdleBytes = ARRIVAL_POOL_MAX_IDLE_BYTES) {}

  /** A buffer of at least `bytes` (its content is whatever was there). */
  take(bytes: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const buffer = this.free[i]!;
      if (buffer.length >= bytes) {
        this.free.splice(i, 1);
        this.idleBytes -= buffer.length;
        return buffer;
      }
    }
    return Buffer.allocUnsafe(Math.ceil(Math.max(bytes, 1) / SIZE_STEP) * SIZE_STEP);
  }

  /** `buffer`, which nothing reads or writes any more, for a later take. */
  giveBack(buffer: Buffer): void {
    if (buffer.length < SIZE_STEP || this.free.includes(buffer)) return;
    if (this.idleBytes + buffer.length > this.maxIdleBytes) return;
    this.free.push(buffer);
    this.idleBytes += buffer.length;
  }

  get idle(): { buffers: number; bytes: number } {
    return { buffers: this.free.length, bytes: this.idleBytes };
  }
}

/** The pool of encodeSpansOnArrival. */
export const arrivalRowBuffers = new RowBufferPool();

/** One request's row buffer and how many of its spans are not released yet. */
export class RowChunk {
  constructor(
    /** The whole buffer (the rows are a view of its start). */
    readonly storage: Buffer,
    private live: number,
    private readonly pool: RowBufferPool,
  ) {}

  /** One of its spans is done with; the last one gives the buffer back. */
  release(): void {
    if (--this.live === 0) this.pool.giveBack(this.storage);
  }
}

/** Something whose row can be released (EncodedSpan). */
interface Releasable {
  releaseRow(): void;
}

function isReleasable(span: SpanRecord): span is SpanRecord & Releasable {
  return typeof (span as Partial<Releasable>).releaseRow === 'function';
}

/** Releases the rows of `spans` (EncodedSpans; other records are left as they are). */
export function releaseRows(spans: readonly SpanRecord[]): void {
  for (const span of spans) if (isReleasable(span)) span.releaseRow();
}

/** Passes batches on, and releases their spans' rows once `next` resolved for them (see above). */
export class RowReleasingConsumer implements SpanConsumer {
  constructor(private readonly next: SpanConsumer) {}

  async consume(spans: SpanRecord[]): Promise<void> {
    await this.next.consume(spans);
    releaseRows(spans);
  }
}
