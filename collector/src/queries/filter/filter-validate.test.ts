import { describe, expect, it } from 'vitest';
import { FilterError } from './filter-expression.js';
import { parseFilter } from './filter-parser.js';
import { validateFilter } from './filter-validate.js';

function errorOf(json: unknown): FilterError {
  try {
    validateFilter(json);
  } catch (err) {
    expect(err).toBeInstanceOf(FilterError);
    return err as FilterError;
  }
  throw new Error(`valid: ${JSON.stringify(json)}`);
}

describe('validateFilter', () => {
  it('accepts the JSON form and gives what the text form parses to', () => {
    const json = {
      and: [{ model: { equals: 'gpt-4o' } }, { 'property.Feature': { equals: 'chat' } }, { cost: { gt: 0.01 } }, { user: { 'not-equals': 'test' } }],
    };
    expect(validateFilter(JSON.parse(JSON.stringify(json)))).toEqual(json);
    expect(validateFilter(json)).toEqual(parseFilter('model = "gpt-4o" and property.Feature = "chat" and cost > 0.01 and user != "test"'));
  });

  it('normalizes aliases, field case, status names and one-element lists', () => {
    expect(validateFilter({ or: [{ User_ID: { in: ['a', 'b'] } }] })).toEqual({ user: { in: ['a', 'b'] } });
    expect(validateFilter({ not: { Status: { equals: 'ERROR' } } })).toEqual({ not: { status: { equals: 'error' } } });
    expect(validateFilter({ and: [{ tokens: { gte: 10 } }, { 'PROPERTY.Tier': { 'not-in': ['free'] } }] })).toEqual({
      and: [{ total_tokens: { gte: 10 } }, { 'property.Tier': { 'not-in': ['free'] } }],
    });
    expect(validateFilter({ and: [] })).toEqual({ and: [] });
  });

  it.each([
    [null, '', 'expected a filter object at the top level, found null'],
    ['model = "x"', '', 'expected a filter object at the top level, found "model = \\"x\\""'],
    [[], '', 'expected a filter object at the top level, found a list'],
    [{}, '', 'a filter object holds exactly one field, "and", "or" or "not" at the top level, found an empty object'],
    [{ model: { equals: 'a' }, cost: { gt: 1 } }, '', 'a filter object holds exactly one field, "and", "or" or "not" at the top level, found "model", "cost"'],
    [{ and: { model: { equals: 'a' } } }, 'and', '"and" takes a list of filters at and, found a JSON object'],
    [{ or: [] }, 'or', '"or" takes at least one filter at or, found an empty list'],
    [{ and: [{ model: { equals: 'a' } }, { or: [] }] }, 'and[1].or', '"or" takes at least one filter at and[1].or, found an empty list'],
    [{ and: [{ cost: { gt: 1 } }, { cost: { gt: 2 } }, { modle: { equals: 'x' } }] }, 'and[2].modle', 'unknown field "modle" at and[2].modle (did you mean "model"?)'],
    [{ and: [{ cost: { gt: 1 } }, { cost: { gt: 1 }, user: { equals: 'x' } }] }, 'and[1]', 'a filter object holds exactly one field, "and", "or" or "not" at and[1], found "cost", "user"'],
    [{ and: [{ cost: { gt: 1 } }, { cost: 'x' }] }, 'and[1].cost', 'expected { "<operator>": <value> } for field "cost" at and[1].cost, found "x"'],
    [{ and: [{ cost: { gt: 1 } }, { cost: { gt: 1, lt: 2 } }] }, 'and[1].cost', 'a condition holds exactly one operator at and[1].cost, found "gt", "lt" (combine conditions with "and")'],
    [{ and: [{ cost: { gt: 1 } }, { cost: {} }] }, 'and[1].cost', 'a condition holds exactly one operator at and[1].cost, found an empty object (combine conditions with "and")'],
    [{ cost: { '>': 1 } }, 'cost.>', 'unknown operator ">" at cost.> (did you mean "gt"?)'],
    [{ cost: { gtt: 1 } }, 'cost.gtt', 'unknown operator "gtt" at cost.gtt (did you mean "gt"?)'],
    [{ cost: { constructor: 1 } }, 'cost.constructor', 'unknown operator "constructor" at cost.constructor (one of equals, not-equals, gt, gte, lt, lte, contains, not-contains, in, not-in)'],
    [{ cost: { contains: '1' } }, 'cost.contains', 'operator "contains" does not apply to number field "cost" at cost.contains (use equals, not-equals, gt, gte, lt, lte, in, not-in)'],
    [{ cost: { gt: '0.01' } }, 'cost.gt', 'field "cost" takes a number, found "0.01" at cost.gt'],
    [{ user: { equals: 42 } }, 'user.equals', 'field "user" takes a string, found the number 42 at user.equals (quote it: "42")'],
    [{ user: { equals: null } }, 'user.equals', 'field "user" takes a string, found null at user.equals'],
    [{ user: { equals: ['a'] } }, 'user.equals', '"equals" takes one value, found a list at user.equals'],
    [{ user: { in: 'a' } }, 'user.in', '"in" takes a list of values, found "a" at user.in'],
    [{ user: { in: [] } }, 'user.in', '"in" takes a non-empty list of values at user.in'],
    [{ not: { user: { 'not-in': ['a', { b: 1 }] } } }, 'not.user.not-in[1]', 'field "user" takes a string, found a JSON object at not.user.not-in[1]'],
    [{ cost: { lt: Number.NaN } }, 'cost.lt', 'numbers must be finite, found NaN at cost.lt'],
    [{ cost: { lt: Number.POSITIVE_INFINITY } }, 'cost.lt', 'numbers must be finite, found Infinity at cost.lt'],
    [{ status: { in: ['ok', 'failed'] } }, 'status.in[1]', 'field "status" takes one of "unset", "ok", "error", found "failed" at status.in[1]'],
    [{ time: { gt: '2026-02-30' } }, 'time.gt', 'field "time" takes an ISO-8601 time such as "2026-11-23T10:00:00Z", found "2026-02-30" at time.gt'],
    [{ time: { gt: 1_700_000_000 } }, 'time.gt', 'field "time" takes an ISO-8601 time such as "2026-11-23T10:00:00Z", found 1700000000 at time.gt'],
    [{ model_call: { equals: 'true' } }, 'model_call.equals', 'field "model_call" takes true or false, found "true" at model_call.equals'],
    [{ 'property.': { equals: 'x' } }, 'property.', 'expected a property name after "property." at property.'],
    [{ [`property.${'k'.repeat(257)}`]: { equals: 'x' } }, `property.${'k'.repeat(257)}`, `property name longer than 256 characters at property.${'k'.repeat(191)}…`],
    [{ name: { equals: 'a\uD800b' } }, 'name.equals', 'string is not valid Unicode (lone surrogate) at name.equals'],
  ])('refuses %j at %j', (json, path, message) => {
    const err = errorOf(json);
    expect(err.message).toBe(message);
    expect(err.path).toBe(path);
    expect(err.position).toBeUndefined();
  });

  it('limits nesting (checked on the way down), conditions, values and string sizes', () => {
    const nest = (n: number) => {
      let node: unknown = { cost: { gt: 1 } };
      for (let i = 0; i < n; i++) node = i % 2 ? { not: node } : { or: [node, { cost: { lt: 0 } }] };
      return node;
    };
    expect(() => validateFilter(nest(32))).not.toThrow();
    // The 33rd level sits under 32 steps: or[0], not, or[0], not, ...
    expect(errorOf(nest(33))).toMatchObject({ path: Array(16).fill('or[0].not').join('.'), message: `nested more than 32 levels deep at ${Array(16).fill('or[0].not').join('.')}` });
    // Deeper than the stack would allow recursion to go, if depth were only checked on the way up.
    expect(errorOf(nest(200_000)).message).toMatch(/^nested more than 32 levels deep at /);

    const conditions = (n: number) => ({ or: Array.from({ length: n }, (_, i) => ({ cost: { equals: i } })) });
    expect(() => validateFilter(conditions(200))).not.toThrow();
    expect(errorOf(conditions(201))).toMatchObject({ path: 'or[200].cost', message: 'more than 200 conditions at or[200].cost' });
    expect(errorOf({ cost: { in: Array.from({ length: 1001 }, (_, i) => i) } })).toMatchObject({ path: 'cost.in[1000]' });
    expect(errorOf({ name: { equals: 'x'.repeat(2001) } })).toMatchObject({ path: 'name.equals', message: 'string longer than 2000 characters at name.equals' });
    expect(errorOf({ name: { in: Array.from({ length: 11 }, () => 'x'.repeat(2000)) } })).toMatchObject({ path: 'name.in[10]' });
  });
});
