import { describe, expect, it } from 'vitest';
import { redactUrl } from './url-redaction.js';

describe('redactUrl', () => {
  it('removes key-like query parameters and keeps the rest', () => {
    expect(redactUrl('https://generativelanguage.googleapis.com/v1beta/models/g:generateContent?key=AIzaSecret&alt=sse')).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/g:generateContent?key=REDACTED&alt=sse',
    );
    expect(redactUrl('/x?alt=sse&api-key=abc&API_KEY=def')).toBe('/x?alt=sse&api-key=REDACTED&API_KEY=REDACTED');
    expect(redactUrl('/openai/deployments/d/chat/completions?api-version=2024-10-21')).toBe('/openai/deployments/d/chat/completions?api-version=2024-10-21');
  });
});
