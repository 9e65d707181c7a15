/**
 * Incremental decoder for `text/event-stream` (the HTML Living Standard's event stream format,
 * section "Parsing an event stream"): fed text as it arrives, emits each complete event.
 * Used for OpenAI, Anthropic and Gemini (`alt=sse`) streams.
 */
import type { StreamEvent } from '../providers/types.js';

export class SseDecoder {
  private pending = '';
  private eventName: string | undefined;
  /** The event's data lines joined by LF; undefined before its first data line. */
  private data: string | undefined;

  constructor(private readonly onEvent: (event: StreamEvent) => void) {}

  write(text: string): void {
    const buffer = this.pending === '' ? text : this.pending + text;
    let start = 0;
    if (buffer.indexOf('\r') === -1) {
      // Lines ended by LF alone, as the providers send them: found with indexOf, not char by char.
      for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n', start)) {
        this.line(buffer, start, end);
        start = end + 1;
      }
      this.pending = buffer.slice(start);
      return;
    }
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // A CR at the very end may be the first half of CRLF: wait for more text.
      if (c === 13 && i === buffer.length - 1) break;
      this.line(buffer, start, i);
      if (c === 13 && buffer.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    this.pending = buffer.slice(start);
  }

  /** Dispatches a final event that was not followed by a blank line. */
  end(): void {
    const last = this.pending;
    this.pending = '';
    if (last) this.line(last, 0, last.length);
    this.dispatch();
  }

  /** The line `text[start, end)`; a `data:` line, nearly every line of a stream, is read in place. */
  private line(text: string, start: number, end: number): void {
    if (start === end) return this.dispatch();
    const first = text.charCodeAt(start);
    if (first === 58 /* : comment */) return;
    if (first === 100 /* d */ && text.startsWith('data:', start)) {
      const from = text.charCodeAt(start + 5) === 32 ? start + 6 : start + 5;
      return this.addData(text.slice(from, end));
    }
    const line = text.slice(start, end);
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.addData(value);
    else if (field === 'event') this.eventName = value;
  }

  private addData(value: string): void {
    this.data = this.data === undefined ? value : `${this.data}\n${value}`;
  }

  private dispatch(): void {
    if (this.data !== undefined) this.onEvent({ event: this.eventName, data: this.data });
    this.data = undefined;
    this.eventName = undefined;
  }
}
