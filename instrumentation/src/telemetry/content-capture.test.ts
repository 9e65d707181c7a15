import { describe, expect, it } from 'vitest';
import { serializeContent } from './content-capture.js';

describe('serializeContent', () => {
  const messages = [
    { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
    { role: 'user', parts: [{ type: 'text', content: 'x'.repeat(5000) }] },
  ];

  it('keeps content under the limit as it is', () => {
    const out = serializeContent(messages, 'input', 100_000);
    expect(out).toEqual({ json: JSON.stringify(messages), truncated: false });
  });

  it('shortens the longest strings and stays valid JSON within the limit', () => {
    const out = serializeContent(messages, 'input', 1000)!;
    expect(out.truncated).toBe(true);
    expect(out.json.length).toBeLessThanOrEqual(1000);
    const parsed = JSON.parse(out.json);
    expect(parsed[0].parts[0].content).toBe('You are terse.');
    expect(parsed[1].parts[0].content).toMatch(/^x+…\[truncated\]$/);
  });

  it('applies the redaction hook to a copy, and drops content when the hook returns undefined', () => {
    const redacted = serializeContent(messages, 'input', 100_000, (content, kind) => {
      expect(kind).toBe('input');
      (content as typeof messages)[1].parts[0].content = '[redacted]';
      return content;
    })!;
    expect(JSON.parse(redacted.json)[1].parts[0].content).toBe('[redacted]');
    expect(messages[1].parts[0].content).toHaveLength(5000);
    expect(serializeContent(messages, 'output', 100, () => undefined)).toBeUndefined();
  });
});
