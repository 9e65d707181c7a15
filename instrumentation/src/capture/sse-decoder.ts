/**
 * Incremental decoder for `text/event-stream` (the HTML Living Standard's event stream format,
 * section "Parsing an event stream"): fed text as it arrives, emits each complete event.
 * Used for OpenAI, Anthropic and Gemini (`alt=sse`) streams.
 */
import type { StreamEvent } from '../providers/types.js';

export class SseDecoder {
  private pending = '';
  private eventName: string | undefined;
  private data: string[] = [];

  constructor(private readonly onEvent: (event: StreamEvent) => void) {}

  write(text: string): void {
    const buffer = this.pending + text;
    let start = 0;
    if (buffer.indexOf('\r') === -1) {
      // Lines ended by LF alone, as the providers send them: found with indexOf, not char by char.
      for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n', start)) {
        this.line(buffer.slice(start, end));
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
      this.line(buffer.slice(start, i));
      if (c === 13 && buffer.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    this.pending = buffer.slice(start);
  }

  /** Dispatches a final event that was not followed by a blank line. */
  end(): void {
    if (this.pending) this.line(this.pending);
    this.pending = '';
    this.dispatch();
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.charCodeAt(0) === 58 /* : comment */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.eventName = value;
  }

  private dispatch(): void {
    if (this.data.length > 0) this.onEvent({ event: this.eventName, data: this.data.join('\n') });
    this.data = [];
    this.eventName = undefined;
  }
}
