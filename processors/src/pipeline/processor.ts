/**
 * The one interface every pipeline stage implements, in the shape of the OpenTelemetry
 * Collector's consumers: a stage takes a batch of spans and hands the (possibly enriched) batch
 * on. Errors carry one mark, `PermanentError`, meaning "do not retry": checked only by the retry
 * logic of exporters and by receivers when they map failures to OTLP status codes.
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
  readonly permanent = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

export function isPermanent(err: unknown): boolean {
  return err instanceof PermanentError || (typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true);
}

/** Raised when the pipeline cannot take more right now (spool full, queue full): receivers answer 429/503. */
export class BackpressureError extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds = 5) {
    super(message);
    this.name = 'BackpressureError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
