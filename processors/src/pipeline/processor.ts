/**
 * The one interface every pipeline stage implements, in the shape of the OpenTelemetry
 * Collector's consumers: a stage takes a batch of spans and hands the (possibly enriched) batch
 * on. Errors carry one mark, `PermanentError`, meaning "do not retry": checked only by the retry
 * logic of exporters and by receivers when they map failures to OTLP status codes. One kind of
 * permanent failure is marked further, `DataError`: the batch's *content* is refused (issue 10),
 * so that the exporter helpers can look for the spans at fault instead of giving up the batch.
 */
import type { SpanRecord } from './span-record.js';

export interface SpanConsumer {
  /** Resolves when the batch is accepted downstream; rejects with PermanentError or a retryable error. */
  consume(spans: SpanRecord[]): Promise<void>;
}

/** A stage that changes spans in place (normalize, price, derive sessions) before passing them on. */
export interface SpanProcessor {
  readonly name: string;
  process(spans: SpanRecord[]): SpanRecord[] | Promise<SpanRecord[]>;
}

export interface Lifecycle {
  start?(): Promise<void>;
  /** Drains or persists what is in memory. */
  shutdown?(): Promise<void>;
}

/** The mark for failures that retrying cannot fix (bad data, refused auth). */
export class PermanentError extends Error {
  readonly code: string = 'TOKENTRACE_PERMANENT';
  readonly permanent = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

export function isPermanent(err: unknown): boolean {
  return err instanceof PermanentError || (typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true);
}

/**
 * A PermanentError saying that the store refuses the batch's content (a row it cannot parse, a
 * value it cannot hold), not the request: the same spans are refused on every try, other spans
 * are not. Receivers see a PermanentError as before; the exporter helpers split such a batch to
 * find the spans at fault (exporter-helper/isolating-consumer.ts).
 */
export class DataError extends PermanentError {
  override readonly code: string = 'TOKENTRACE_DATA_REFUSED';
  readonly dataRefused = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataError';
  }
}

export function isDataError(err: unknown): boolean {
  return err instanceof DataError || (typeof err === 'object' && err !== null && (err as { dataRefused?: unknown }).dataRefused === true);
}

/** Raised when the pipeline cannot take more right now (spool full, queue full): receivers answer 429/503. */
export class BackpressureError extends Error {
  readonly code = 'TOKENTRACE_BACKPRESSURE';
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds = 5) {
    super(message);
    this.name = 'BackpressureError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
