import { describe, expect, it } from 'vitest';
import { inputTextOf, joinText, modalityOf, outputTextOf, toolCallPart, urlPart } from './message-parts.js';

describe('message parts', () => {
  it('turns base64 data URLs into blob parts and other URLs into uri parts', () => {
    expect(urlPart('data:image/png;base64,iVBORw0KGgo=', 'image')).toEqual({ type: 'blob', modality: 'image', mime_type: 'image/png', content: 'iVBORw0KGgo=' });
    expect(urlPart('data:application/pdf;base64,JVBERi0=', 'document')).toEqual({ type: 'blob', modality: 'document', mime_type: 'application/pdf', content: 'JVBERi0=' });
    expect(urlPart('data:;base64,AAAA', 'image')).toEqual({ type: 'blob', modality: 'image', content: 'AAAA' });
    expect(urlPart('data:text/plain,hello', 'document')).toEqual({ type: 'uri', modality: 'document', uri: 'data:text/plain,hello' });
    expect(urlPart('https://example.com/a.png', 'image')).toEqual({ type: 'uri', modality: 'image', uri: 'https://example.com/a.png' });
  });

  it('derives the modality from a MIME type', () => {
    expect([modalityOf('image/webp'), modalityOf('audio/wav'), modalityOf('video/mp4'), modalityOf('application/pdf'), modalityOf(undefined, 'image')]).toEqual([
      'image',
      'audio',
      'video',
      'document',
      'image',
    ]);
  });

  it('omits absent tool-call fields', () => {
    expect(toolCallPart(undefined, 'f', undefined)).toEqual({ type: 'tool_call', name: 'f' });
    expect(Object.keys(toolCallPart(undefined, 'f', undefined))).toEqual(['type', 'name']);
  });

  it('joins once, returning a single piece as is', () => {
    expect(joinText([])).toBe('');
    expect(joinText(['a'])).toBe('a');
    expect(joinText(['a', 'b'], '')).toBe('ab');
  });

  it('collects the text the model reads and writes, media excluded', () => {
    expect(
      inputTextOf(
        [{ type: 'text', content: 'sys' }],
        [
          { role: 'user', parts: [{ type: 'text', content: 'hi' }, { type: 'blob', modality: 'image', content: 'AAAA' }] },
          { role: 'assistant', parts: [{ type: 'tool_call', name: 'f', arguments: { a: 1 } }] },
          { role: 'tool', parts: [{ type: 'tool_call_response', response: 'ok' }] },
        ],
      ),
    ).toBe('sys\nhi\n{"a":1}\nok');
    expect(outputTextOf([{ role: 'assistant', parts: [{ type: 'reasoning', content: 'r' }, { type: 'blob', modality: 'audio', content: 'x', transcript: 'said' }], finish_reason: 'stop' }])).toBe(
      'r\nsaid',
    );
  });
});
