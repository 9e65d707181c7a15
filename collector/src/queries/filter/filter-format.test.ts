import { describe, expect, it } from 'vitest';
import { FILTER_OPERATORS, type FilterExpression } from './filter-expression.js';
import { FILTER_FIELDS } from './filter-fields.js';
import { formatFilter } from './filter-format.js';
import { parseFilter } from './filter-parser.js';
import { validateFilter } from './filter-validate.js';

describe('formatFilter', () => {
  it('writes the text form people type', () => {
    const text = 'model = "gpt-4o" and property.Feature = "chat" and cost > 0.01 and user != "test"';
    expect(formatFilter(parseFilter(text))).toBe(text);
    expect(formatFilter(parseFilter("MODEL='a' OR User_Id = 'b' AND NOT (cost>=1 or tokens in (1,2))"))).toBe(
      'model = "a" or user = "b" and not (cost >= 1 or total_tokens in (1, 2))',
    );
    expect(formatFilter({ and: [] })).toBe('');
  });

  it('quotes strings and property names the bare syntax cannot hold', () => {
    expect(formatFilter({ name: { equals: 'say "hi"\\\n\t\r\0\u0001\u007f é' } })).toBe('name = "say \\"hi\\"\\\\\\n\\t\\r\\0\\u0001\\u007f é"');
    expect(formatFilter({ 'property.user tier': { in: ['a', 'b'] } })).toBe('property."user tier" in ("a", "b")');
    expect(formatFilter({ 'property.ab-test': { 'not-contains': 'x' } })).toBe('property.ab-test not contains "x"');
    expect(formatFilter({ "property.a') OR ('1": { equals: 'x' } })).toBe('property."a\') OR (\'1" = "x"');
  });

  it('keeps the tree: parentheses where the text would flatten or regroup it', () => {
    const a = { user: { equals: 'a' } };
    const b = { user: { equals: 'b' } };
    const c = { user: { equals: 'c' } };
    const trees: FilterExpression[] = [
      { and: [a, { and: [b, c] }] },
      { or: [a, { or: [b, c] }] },
      { or: [a, { and: [b, c] }] },
      { and: [{ or: [a, b] }, c] },
      { not: { not: a } },
      { not: { and: [a, b] } },
      { and: [{ not: a }, { not: { or: [b, c] } }] },
    ];
    for (const tree of trees) expect(parseFilter(formatFilter(tree))).toEqual(tree);
    expect(formatFilter(trees[0])).toBe('user = "a" and (user = "b" and user = "c")');
    expect(formatFilter(trees[2])).toBe('user = "a" or user = "b" and user = "c"');
  });

  it('round-trips random filters: parseFilter(formatFilter(x)) equals x', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const strings = ['', 'gpt-4o', "it's", 'say "hi"', 'back\\slash', "x' OR 1=1 --", '\u0000nul', 'line\nbreak', '日本語 🎉', ' spaced '];
    const numbers = [0, 1, -1, 0.01, 1e-7, 1e21, -2.5e300, 123456789.123];
    const fields = Object.keys(FILTER_FIELDS).concat(['property.Feature', 'property.user tier', 'property.a"b', 'property.2fa']);
    const condition = (): FilterExpression => {
      for (;;) {
        const field = pick(fields);
        const op = pick(FILTER_OPERATORS);
        const type = field.startsWith('property.') ? 'string' : FILTER_FIELDS[field as keyof typeof FILTER_FIELDS].type;
        const scalar = () =>
          type === 'number' ? pick(numbers) : type === 'status' ? pick(['ok', 'error', 'unset']) : type === 'time' ? pick(['2026-11-23', '2026-11-23T10:00:00.5+01:30']) : type === 'boolean' ? random() < 0.5 : pick(strings);
        const value = op === 'in' || op === 'not-in' ? Array.from({ length: 1 + Math.floor(random() * 3) }, scalar) : scalar();
        try {
          return validateFilter({ [field]: { [op]: value } });
        } catch {
          // operator does not apply to this field: draw again
        }
      }
    };
    const tree = (depth: number): FilterExpression => {
      const r = random();
      if (depth === 0 || r < 0.4) return condition();
      if (r < 0.55) return { not: tree(depth - 1) };
      const children = Array.from({ length: 2 + Math.floor(random() * 3) }, () => tree(depth - 1));
      return r < 0.8 ? { and: children } : { or: children };
    };
    for (let i = 0; i < 300; i++) {
      const expr = tree(4);
      expect(parseFilter(formatFilter(expr))).toEqual(expr);
    }
  });
});
