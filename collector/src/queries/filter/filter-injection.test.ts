// No input can change the compiled SQL: hostile values and property names never reach its text
// (only the query parameters beside it), and hostile field names are refused. The same strings
// run against the real engine in filter-sql.clickhouse.test.ts, where they must select exactly
// the rows that hold them.
import { QueryParams } from '@tokentrace/processors';
import { describe, expect, it } from 'vitest';
import { HOSTILE_STRINGS } from '../testing/hostile-strings.js';
import { FilterError, type FilterExpression } from './filter-expression.js';
import { formatFilter } from './filter-format.js';
import { parseFilter } from './filter-parser.js';
import { compileFilter } from './filter-sql.js';
import { validateFilter } from './filter-validate.js';

function compiled(filter: FilterExpression): { sql: string; values: unknown[] } {
  const params = new QueryParams();
  const sql = compileFilter(filter, params);
  return { sql, values: Object.values(params.values) };
}

/** Every position a string from a caller takes in a filter, with `value` there and with a benign string. */
function positions(value: string): Array<[FilterExpression, FilterExpression]> {
  const name = value.slice(0, 256);
  return [
    [{ name: { equals: value } }, { name: { equals: 'benign' } }],
    [{ user: { 'not-in': [value, 'b'] } }, { user: { 'not-in': ['benign', 'b'] } }],
    [{ model: { contains: value } }, { model: { contains: 'benign' } }],
    [{ session_path: { 'not-contains': value } }, { session_path: { 'not-contains': 'benign' } }],
    [{ [`property.${name}`]: { equals: value } }, { 'property.benign': { equals: 'benign' } }],
    [{ not: { or: [{ [`property.${name}`]: { in: [value] } }, { trace_id: { 'not-equals': value } }] } }, { not: { or: [{ 'property.benign': { in: ['benign'] } }, { trace_id: { 'not-equals': 'benign' } }] } }],
  ];
}

describe('injection attempts', () => {
  it.each(HOSTILE_STRINGS.map((s, i) => [i, s]))('keeps hostile string #%i out of the SQL text, in every string position', (_, value) => {
    for (const [hostile, benign] of positions(value)) {
      const { sql, values } = compiled(hostile);
      // The statement is the one a benign value compiles to, character for character: the value
      // is not in it (a value such as "{p0:String}" or "}" reads like its placeholders, nothing more).
      expect(sql).toBe(compiled(benign).sql);
      expect(sql.replace(/\{p\d+:[A-Za-z0-9()]+\}/g, '?')).not.toContain(value);
      // The value travels beside it unchanged, a property name lower-cased (keys are stored so).
      expect(values).toContain(value);
      const property = Object.keys(hostile)[0].startsWith('property.') || 'not' in hostile;
      if (property) expect(values).toContain(value.slice(0, 256).toLowerCase());
      // The text form carries it too, unchanged.
      expect(parseFilter(formatFilter(hostile))).toEqual(hostile);
    }
  });

  it('binds a hostile property name as a parameter, lower-cased, from the text form too', () => {
    expect(compiled(parseFilter(`property."a') OR ('1" = "x"`))).toEqual({ sql: '(properties[{p0:String}] = {p1:String})', values: ["a') or ('1", 'x'] });
    expect(compiled(parseFilter(`property."X'] OR 1 --" != ""`))).toEqual({ sql: '(properties[{p0:String}] != {p1:String})', values: ["x'] or 1 --", ''] });
    expect(() => parseFilter(`property.a') OR ('1 = "x"`)).toThrow(FilterError);
  });

  it('binds a number as a Float64 parameter however it was written', () => {
    for (const value of [0, -1.5, 1e21, 1e300, 5e-324, Number.MAX_VALUE]) {
      expect(compiled({ cost: { gt: value } })).toEqual({ sql: '(isNotNull(cost_total_usd) AND assumeNotNull(cost_total_usd) > {p0:Float64})', values: [String(value)] });
    }
  });

  it.each([
    'model; DROP TABLE spans',
    'model = 1; DROP',
    'model) OR (1',
    'cost_total_usd',
    'user_id OR 1',
    '{p0:String}',
    '1',
    '',
    'and',
    'property',
    '__proto__',
    'constructor',
  ])('refuses field name %j in the JSON form', (field) => {
    expect(() => validateFilter({ [field]: { equals: 'x' } })).toThrow(FilterError);
    expect(() => compileFilter({ [field]: { equals: 'x' } } as FilterExpression, new QueryParams())).toThrow(FilterError);
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
    'model = {p0:String}',
    'model = "a" union select 1',
    'cost > 0 OR duration_ns > 0',
    'cost > 1e309',
    'cost > 0x10',
    'model in ("a") or ("b")',
    'model = "unterminated \\"',
  ])('refuses filter text %j', (text) => {
    expect(() => parseFilter(text)).toThrow(FilterError);
  });

  it('refuses values that could not reach ClickHouse unchanged or are beyond the limits', () => {
    expect(() => validateFilter({ name: { equals: '\uD800' } })).toThrow(/lone surrogate/);
    expect(() => validateFilter({ 'property.\uDC00': { equals: 'x' } })).toThrow(/lone surrogate/);
    expect(() => validateFilter({ name: { equals: 'a'.repeat(2001) } })).toThrow(/longer than 2000/);
    expect(() => validateFilter({ [`property.${'a'.repeat(257)}`]: { equals: 'x' } })).toThrow(/longer than 256/);
    expect(() => validateFilter({ cost: { gt: { valueOf: () => 1 } } })).toThrow(FilterError);
    expect(() => validateFilter({ cost: { gt: Number.POSITIVE_INFINITY } })).toThrow(/finite/);
  });
});
