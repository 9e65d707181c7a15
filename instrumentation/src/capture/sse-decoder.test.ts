import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../providers/types.js';
import { SseDecoder } from './sse-decoder.js';

function decode(pieces: string[]): StreamEvent[] {
  const events: StreamEvent[] = [];
  const decoder = new SseDecoder((e) => events.push(e));
  for (const p of pieces) decoder.write(p);
  decoder.end();
  return events;
}

describe('SseDecoder', () => {
  const stream = 'event: message_start\ndata: {"a":1}\n\n: keep-alive\n\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n';

  it('decodes named events, comments and multi-line data', () => {
    expect(decode([stream])).toEqual([
      { event: 'message_start', data: '{"a":1}' },
      { event: undefined, data: 'line1\nline2' },
      { event: undefined, data: '[DONE]' },
    ]);
  });

  it('gives the same events whatever the chunking, CRLF included', () => {
    const crlf = stream.replace(/\n/g, '\r\n');
    const whole = decode([crlf]);
    const byChar = decode([...crlf]);
    expect(byChar).toEqual(whole);
    expect(whole).toEqual(decode([stream]));
  });

  it('emits a last event that lacks its blank line', () => {
    expect(decode(['data: tail'])).toEqual([{ event: undefined, data: 'tail' }]);
  });
});
