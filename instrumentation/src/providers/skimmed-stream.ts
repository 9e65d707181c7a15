/**
 * A stream accumulator that parses only the events the span needs when the output itself is not
 * wanted (content capture off): the events a codec calls output-only (`isOutputOnly`: an OpenAI
 * chat chunk with one text delta and no finish reason or usage, an Anthropic
 * `content_block_delta`) are kept as they came, not parsed. Ids, model, usage, finish reasons and
 * errors come from the other events, as before.
 *
 * The result then has no output (`outputText` empty); a call that needs it (usage estimated for a
 * stream that reported none) asks for wholeResult(), which folds every event again, in order,
 * into a new accumulator of the codec: exactly what a full parse gives. Issue 12:
 * parsing each chunk of a 12-chunk stream was ~12 of the ~16 µs its decoding cost, and most of
 * the objects a stream left to the garbage collector.
 */
import type { ResponseInfo, StreamAccumulator, StreamEvent } from './types.js';

export class SkimmedStreamAccumulator implements StreamAccumulator {
  /** Every event, in order, for the full fold (references to the decoder's own strings). */
  private readonly events: StreamEvent[] = [];
  /** Index in `events` of the last event given to `inner`; -1 before any. */
  private lastAccepted = -1;
  private skipped = false;
  private whole?: ResponseInfo;

  constructor(
    private readonly inner: StreamAccumulator,
    private readonly fresh: () => StreamAccumulator,
    private readonly isOutputOnly: (event: StreamEvent) => boolean,
  ) {}

  accept(event: StreamEvent): void {
    const at = this.events.push(event) - 1;
    // The first event always (ids and model when the stream is cut short before its end).
    if (at > 0 && this.isOutputOnly(event)) {
      this.skipped = true;
      return;
    }
    this.lastAccepted = at;
    this.inner.accept(event);
  }

  isComplete(): boolean {
    return this.inner.isComplete();
  }

  /**
   * What the span needs. When events were skipped, its output (outputText, outputMessages) is
   * left out: wholeResult() has it.
   */
  result(): ResponseInfo {
    if (!this.skipped) return this.inner.result();
    // A stream cut short after output-only events: the last one still says its ids and model last.
    const last = this.events.length - 1;
    if (last > this.lastAccepted) {
      this.lastAccepted = last;
      this.inner.accept(this.events[last]);
    }
    const info = this.inner.result();
    // Defined, not assigned: a codec may give its output as (lazy) getters.
    return Object.defineProperties(info, {
      outputText: { value: '', writable: true, enumerable: true, configurable: true },
      outputMessages: { value: undefined, writable: true, enumerable: true, configurable: true },
    });
  }

  /** The result with its output: every event folded again, in order, into a new accumulator (made once). */
  wholeResult(): ResponseInfo {
    if (!this.skipped) return this.inner.result();
    if (!this.whole) {
      const whole = this.fresh();
      for (const event of this.events) whole.accept(event);
      this.whole = whole.result();
    }
    return this.whole;
  }
}
