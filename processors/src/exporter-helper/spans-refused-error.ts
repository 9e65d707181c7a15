/**
 * What IsolatingConsumer reports when some spans of a batch were refused as bad data and the
 * others were stored: the refused spans, each with the reason the store gave for it alone. The
 * SpoolingConsumer sets exactly these aside (rejected/) and counts the rest as delivered.
 */
import { DataError } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';

export interface RefusedSpan {
  span: SpanRecord;
  /** The error text of the delivery of this span alone. */
  reason: string;
}

export class SpansRefusedError extends DataError {
  override readonly code: string = 'TOKENTRACE_SPANS_REFUSED';

  constructor(
    /** The refused spans, in batch order; never empty. */
    readonly refused: readonly RefusedSpan[],
    /** Spans in the batch, refused ones included; the others were stored. */
    readonly total: number,
    options?: { cause?: unknown },
  ) {
    super(`${refused.length} of ${total} spans refused as bad data (first: ${refused[0]?.reason ?? 'none'})`, options);
    this.name = 'SpansRefusedError';
  }

  /** The text of the `.reason` file beside the set-aside spans: a summary, then one line per span. */
  report(): string {
    const lines = this.refused.map(({ span, reason }) => `trace_id=${span.traceId} span_id=${span.spanId} ${reason}`);
    return [this.message, ...lines].join('\n');
  }
}
