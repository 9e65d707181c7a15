import { describe, expect, it } from 'vitest';
import { jsonEachRowChunks } from './json-each-row-insert.js';

describe('jsonEachRowChunks', () => {
  it('is one JSON line per row, cut into Buffers only between lines', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ id: i, text: `row ${i} "quoted" \\ é ${'x'.repeat(i % 200)}` }));
    const chunks = jsonEachRowChunks(rows.length, (i) => rows[i]);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.at(-1)).toBe(0x0a);
    const lines = Buffer.concat(chunks).toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line))).toEqual(rows);
  });

  it('is empty for no rows', () => {
    expect(jsonEachRowChunks(0, () => ({}))).toEqual([]);
  });
});
