// No input can change the shape of the compiled SQL: hostile values stay literals, hostile field
// names are refused. The same strings run against a real ClickHouse in filter-sql.clickhouse.test.ts.
import { describe, expect, it } from 'vitest';
import { FilterError } from './filter-expression.js';
import { formatFilter } from './filter-format.js';
import { parseFilter } from './filter-parser.js';
import { compileFilter } from './filter-sql.js';
import { validateFilter } from './filter-validate.js';

const HOSTILE_STRINGS = [
  "x' OR 1=1 --",
  "x' OR '1'='1",
  "\\'",
  '\\',
  '\\\\',
  "'); DROP TABLE spans; --",
  "x'; DROP TABLE spans; SELECT '",
  '` OR 1 --',
  '" OR ""="',
  '%_*?',
  '日本語 🎉 é',
  'nul\0byte',
  '\u202e\u200b',
  'line\nbreak\r\ttab',
  '/* comment */',
  "x' FORMAT JSON --",
  `${"\\'".repeat(500)}`,
  'a'.repeat(2000),
];

/**
 * The SQL with every string literal replaced by `?`, reading literals the way ClickHouse does
 * (backslash escapes, quote ends): if quoting were broken, the skeleton would change.
 */
function skeleton(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length; i++) {
    if (sql[i] !== "'") {
      out += sql[i];
      continue;
    }
    i++;
    while (i < sql.length && sql[i] !== "'") i += sql[i] === '\\' ? 2 : 1;
    if (i >= sql.length) throw new Error(`unterminated literal in ${sql}`);
    out += '?';
  }
  return out;
}

/** Reads the string literals back the way ClickHouse does. */
function literals(sql: string): string[] {
  return [...sql.matchAll(/'((?:[^'\\]|\\.)*)'/gs)].map((m) => m[1].replace(/\\(.)/gs, '$1'));
}

describe('injection attempts', () => {
  it.each(HOSTILE_STRINGS.map((s, i) => [i, s]))('keeps hostile string #%i a literal in every string position', (_, value) => {
    const cases = [
      [{ name: { equals: value } }, { name: { equals: 'benign' } }],
      [{ user: { 'not-in': [value, 'b'] } }, { user: { 'not-in': ['benign', 'b'] } }],
      [{ model: { contains: value } }, { model: { contains: 'benign' } }],
      [{ [`property.${value.slice(0, 256)}`]: { equals: value } }, { 'property.benign': { equals: 'benign' } }],
    ];
    for (const [hostile, benign] of cases) {
      const sql = compileFilter(hostile);
      expect(skeleton(sql)).toBe(skeleton(compileFilter(benign)));
      expect(literals(sql)).toContain(value);
      if (Object.keys(hostile)[0].startsWith('property.')) expect(literals(sql)).toContain(value.slice(0, 256).toLowerCase());
      // The text form carries it too, unchanged.
      expect(parseFilter(formatFilter(hostile))).toEqual(hostile);
    }
  });

  it('keeps a hostile property name a literal and lower-cases it only inside the literal', () => {
    const sql = compileFilter(parseFilter(`property."a') OR ('1" = "x"`));
    expect(sql).toBe("(property_values[arrayFirstIndex(pk -> lowerUTF8(pk) = 'a\\') or (\\'1', property_keys)] = 'x')");
    expect(() => parseFilter(`property.a') OR ('1 = "x"`)).toThrow(FilterError);
  });

  it.each([
    'model; DROP TABLE spans',
    'model = 1; DROP',
    'model) OR (1',
    'cost_total_usd',
    'user_id OR 1',
    '1',
    '',
    'and',
    'property',
    '__proto__',
    'constructor',
  ])('refuses field name %j in the JSON form', (field) => {
    expect(() => validateFilter({ [field]: { equals: 'x' } })).toThrow(FilterError);
    expect(() => compileFilter({ [field]: { equals: 'x' } })).toThrow(FilterError);
  });

  it.each([
    'model; DROP TABLE spans = "x"',
    'model = "x"; DROP TABLE spans',
    'model = "x" -- comment',
    "model = 'x' OR 1=1",
    'model = "x" or 1 = 1',
    'model = "x" /* c */',
    'model = `x`',
    'model = x\' OR \'1\'=\'1',
    'model = "a" union select 1',
    'cost > 0 OR duration_ns > 0',
    'cost > 1e309',
    'cost > 0x10',
    'model in ("a") or ("b")',
    'model = "unterminated \\"',
  ])('refuses filter text %j', (text) => {
    expect(() => parseFilter(text)).toThrow(FilterError);
  });

  it('refuses values that could not reach ClickHouse unchanged or would overflow the query size', () => {
    expect(() => validateFilter({ name: { equals: '\uD800' } })).toThrow(/lone surrogate/);
    expect(() => validateFilter({ name: { equals: 'a'.repeat(2001) } })).toThrow(/longer than 2000/);
    expect(() => validateFilter({ cost: { gt: { valueOf: () => 1 } } })).toThrow(FilterError);
    expect(() => validateFilter({ cost: { gt: 5e-324 } })).toThrow(/too close to zero/);
  });
});
