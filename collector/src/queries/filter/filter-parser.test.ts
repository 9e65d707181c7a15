import { describe, expect, it } from 'vitest';
import { FilterError } from './filter-expression.js';
import { FILTER_LIMITS } from './filter-limits.js';
import { parseFilter } from './filter-parser.js';

function errorOf(text: string): FilterError {
  try {
    parseFilter(text);
  } catch (err) {
    expect(err).toBeInstanceOf(FilterError);
    return err as FilterError;
  }
  throw new Error(`parsed without error: ${text}`);
}

describe('parseFilter', () => {
  it('parses the issue example into the JSON form', () => {
    expect(parseFilter('model = "gpt-4o" and property.Feature = "chat" and cost > 0.01 and user != "test"')).toEqual({
      and: [{ model: { equals: 'gpt-4o' } }, { 'property.Feature': { equals: 'chat' } }, { cost: { gt: 0.01 } }, { user: { 'not-equals': 'test' } }],
    });
  });

  it('reads every operator', () => {
    const op = (text: string) => parseFilter(text);
    expect(op('cost = 1')).toEqual({ cost: { equals: 1 } });
    expect(op('cost != 1')).toEqual({ cost: { 'not-equals': 1 } });
    expect(op('cost > 1')).toEqual({ cost: { gt: 1 } });
    expect(op('cost >= 1')).toEqual({ cost: { gte: 1 } });
    expect(op('cost < 1')).toEqual({ cost: { lt: 1 } });
    expect(op('cost <= 1')).toEqual({ cost: { lte: 1 } });
    expect(op('model contains "gpt"')).toEqual({ model: { contains: 'gpt' } });
    expect(op('model not contains "gpt"')).toEqual({ model: { 'not-contains': 'gpt' } });
    expect(op('model in ("a", \'b\')')).toEqual({ model: { in: ['a', 'b'] } });
    expect(op('input_tokens not in (1, 2,3)')).toEqual({ input_tokens: { 'not-in': [1, 2, 3] } });
    expect(op('model_call = true')).toEqual({ model_call: { equals: true } });
    expect(op('model_call != FALSE')).toEqual({ model_call: { 'not-equals': false } });
  });

  it('binds "and" tighter than "or", and parentheses override it', () => {
    const a = { model: { equals: 'a' } };
    const b = { model: { equals: 'b' } };
    const c = { model: { equals: 'c' } };
    expect(parseFilter('model = "a" or model = "b" and model = "c"')).toEqual({ or: [a, { and: [b, c] }] });
    expect(parseFilter('model = "a" and model = "b" or model = "c"')).toEqual({ or: [{ and: [a, b] }, c] });
    expect(parseFilter('(model = "a" or model = "b") and model = "c"')).toEqual({ and: [{ or: [a, b] }, c] });
    expect(parseFilter('not model = "a" and model = "b"')).toEqual({ and: [{ not: a }, b] });
    expect(parseFilter('not (model = "a" or model = "b")')).toEqual({ not: { or: [a, b] } });
    expect(parseFilter('model = "a" and (model = "b" and model = "c")')).toEqual({ and: [a, { and: [b, c] }] });
    expect(parseFilter('((model = "a"))')).toEqual(a);
  });

  it('takes keywords and field names in any case, aliases under their canonical name', () => {
    expect(parseFilter('MODEL = "x" AND User_Id = "u" Or NOT status = "ERROR"')).toEqual({
      or: [{ and: [{ model: { equals: 'x' } }, { user: { equals: 'u' } }] }, { not: { status: { equals: 'error' } } }],
    });
    expect(parseFilter('tokens > 10 and service_name = "s"')).toEqual({ and: [{ total_tokens: { gt: 10 } }, { service: { equals: 's' } }] });
    expect(parseFilter('PROPERTY.Feature = "x"')).toEqual({ 'property.Feature': { equals: 'x' } });
  });

  it('reads property names bare (with dashes, dots, digits) or quoted', () => {
    expect(parseFilter('property.ab-test = "b"')).toEqual({ 'property.ab-test': { equals: 'b' } });
    expect(parseFilter('property.2fa="on"')).toEqual({ 'property.2fa': { equals: 'on' } });
    expect(parseFilter('property."user tier" = "pro"')).toEqual({ 'property.user tier': { equals: 'pro' } });
    expect(parseFilter("property.'a=b' != ''")).toEqual({ 'property.a=b': { 'not-equals': '' } });
  });

  it('reads string escapes and numbers', () => {
    expect(parseFilter(String.raw`name = "a\"b\\c\nd\te\u00e9\0"`)).toEqual({ name: { equals: 'a"b\\c\nd\te\u00e9\0' } });
    expect(parseFilter(String.raw`name = 'it\'s'`)).toEqual({ name: { equals: "it's" } });
    expect(parseFilter(`name = "it's" and name = 'say "hi"'`)).toEqual({ and: [{ name: { equals: "it's" } }, { name: { equals: 'say "hi"' } }] });
    expect(parseFilter('name = "日本語 🎉"')).toEqual({ name: { equals: '日本語 🎉' } });
    expect(parseFilter('cost > -1.5e-3 and cost < 2E2 and cost != .5 and cost != 3.')).toEqual({
      and: [{ cost: { gt: -0.0015 } }, { cost: { lt: 200 } }, { cost: { 'not-equals': 0.5 } }, { cost: { 'not-equals': 3 } }],
    });
    // Any finite number, subnormal or huge: values are query parameters, read back exactly.
    expect(parseFilter('cost > 5e-324 and cost < 1e300')).toEqual({ and: [{ cost: { gt: 5e-324 } }, { cost: { lt: 1e300 } }] });
    expect(parseFilter('time >= "2026-11-23T10:00:00Z"')).toEqual({ time: { gte: '2026-11-23T10:00:00Z' } });
  });

  it('treats blank text as no filter', () => {
    expect(parseFilter('')).toEqual({ and: [] });
    expect(parseFilter('  \n\t ')).toEqual({ and: [] });
  });

  it.each([
    ['modle = "x"', 0, 'unknown field "modle" at 0 (did you mean "model"?)'],
    ['cost > 1 and usr = "x"', 13, 'unknown field "usr" at 13 (did you mean "user"?)'],
    ['foo.bar = "x"', 0, 'unknown field "foo.bar" at 0'],
    ['propery.x = "x"', 0, 'unknown field "propery.x" at 0'],
    ['properti = "x"', 0, 'unknown field "properti" at 0 (did you mean "property.<Name>"?)'],
    ['property. = "x"', 10, 'expected a property name after "property." at 10, found "="'],
    ['property.', 9, 'expected a property name after "property." at 9, found the end of the filter'],
    ['model = ', 8, 'expected a value after "=" at 8, found the end of the filter'],
    ['model = gpt', 8, 'expected a quoted string at 8, found "gpt" (write "gpt")'],
    ['model = "gpt', 8, 'unterminated string at 8 (close it with ")'],
    ["model = 'gpt\\'", 8, "unterminated string at 8 (close it with ')"],
    ['model = "a\\qb"', 10, 'unknown escape at 10, found "\\\\q" (write \\\\ for a backslash)'],
    ['model = "a\\u12"', 10, 'invalid escape at 10, found "\\\\u12\\"" (write \\u followed by 4 hex digits)'],
    ['model "x"', 6, 'expected an operator after "model" at 6, found the string "x" (one of =, !=, >, >=, <, <=, contains, not contains, in, not in)'],
    ['model not = "x"', 10, 'expected "contains" or "in" after "not" at 10, found "="'],
    ['model > "x"', 6, 'operator ">" does not apply to string field "model" at 6 (use =, !=, contains, not contains, in, not in)'],
    ['cost contains "1"', 5, 'operator "contains" does not apply to number field "cost" at 5 (use =, !=, >, >=, <, <=, in, not in)'],
    ['user = 42', 7, 'field "user" takes a string, found the number 42 at 7 (quote it: "42")'],
    ['cost > "0.01"', 7, 'field "cost" takes a number, found "0.01" at 7'],
    ['cost > 1e999', 7, 'numbers must be finite, found Infinity at 7'],
    ['status = "failed"', 9, 'field "status" takes one of "unset", "ok", "error", found "failed" at 9'],
    ['time > "yesterday"', 7, 'field "time" takes an ISO-8601 time such as "2026-11-23T10:00:00Z", found "yesterday" at 7'],
    ['time > 2026-11-23', 7, 'invalid number at 7, found "2026-" (strings and times are quoted: "2026-11-23")'],
    ['model_call = 1', 13, 'field "model_call" takes true or false, found 1 at 13'],
    ['model in "a"', 9, 'expected "(" after "in" at 9, found the string "a"'],
    ['model in ()', 10, 'expected a value after "(" at 10, found ")"'],
    ['model in ("a" "b")', 14, 'expected "," or ")" in the list at 14, found the string "b"'],
    ['model in ("a", 2)', 15, 'field "model" takes a string, found the number 2 at 15 (quote it: "2")'],
    ['model = "a" model = "b"', 12, 'expected "and", "or" or the end of the filter at 12, found "model"'],
    ['model = "a")', 11, 'unmatched ")" at 11'],
    ['(model = "a"', 12, 'expected ")" to close the "(" at 0 at 12, found the end of the filter'],
    ['model = "a" and', 15, 'expected a field name at 15, found the end of the filter'],
    ['and model = "a"', 0, 'unknown field "and" at 0'],
    ['"model" = "a"', 0, 'expected a field name at 0, found the string "model"'],
    ['model = "a" && cost > 1', 12, 'unexpected character at 12, found "&"'],
    ['model == "a"', 7, 'expected a value after "=" at 7, found "="'],
    ['model; DROP = "a"', 5, 'unexpected character at 5, found ";"'],
    ['model DROP = "a"', 6, 'expected an operator after "model" at 6, found "DROP" (one of =, !=, >, >=, <, <=, contains, not contains, in, not in)'],
  ])('refuses %j at %i', (text, position, message) => {
    const err = errorOf(text);
    expect(err.message).toBe(message);
    expect(err.position).toBe(position);
    expect(err.code).toBe('TOKENTRACE_INVALID_FILTER');
  });

  it('limits nesting, conditions, values and length', () => {
    const deep = (n: number) => `${'('.repeat(n)}cost > 1${')'.repeat(n)}`;
    expect(parseFilter(deep(FILTER_LIMITS.maxDepth))).toEqual({ cost: { gt: 1 } });
    expect(errorOf(deep(FILTER_LIMITS.maxDepth + 1))).toMatchObject({ position: FILTER_LIMITS.maxDepth, message: `nested more than 32 levels deep at ${FILTER_LIMITS.maxDepth}` });
    expect(errorOf(`${'not '.repeat(10_000)}cost > 1`).position).toBe(32 * 4);
    expect(() => parseFilter('('.repeat(100_000))).toThrow(FilterError);
    // Depth counts and/or/not nodes: 33 alternating levels in 17 parentheses.
    let text = 'cost > 0';
    for (let i = 0; i < 33; i++) text = i % 2 === 0 ? `cost > ${i} or (${text})` : `not (${text})`;
    expect(errorOf(text).message).toMatch(/^nested more than 32 levels deep at \d+$/);

    const conditions = (n: number) => Array.from({ length: n }, (_, i) => `cost > ${i}`).join(' and ');
    expect(parseFilter(conditions(200))).toMatchObject({ and: expect.any(Array) });
    const tooMany = conditions(201);
    expect(errorOf(tooMany)).toMatchObject({ message: `more than 200 conditions at ${tooMany.lastIndexOf('cost')}` });
    const values = `cost in (${Array.from({ length: 1_001 }, (_, i) => i).join(', ')})`;
    expect(errorOf(values)).toMatchObject({ message: `more than 1000 values at ${values.lastIndexOf('1000')}` });
    expect(errorOf(`name = "${'x'.repeat(2_001)}"`)).toMatchObject({ position: 7, message: 'string longer than 2000 characters at 7' });
    const total = Array.from({ length: 11 }, () => `name = "${'x'.repeat(2_000)}"`).join(' or ');
    expect(errorOf(total).message).toMatch(/^more than 20000 characters of strings in total at \d+$/);
    expect(errorOf(' '.repeat(50_001))).toMatchObject({ position: 50_000, message: 'filter longer than 50000 characters at 50000' });
  });
});
