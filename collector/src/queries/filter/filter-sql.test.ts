import { QueryParams } from '@tokentrace/processors';
import { describe, expect, it } from 'vitest';
import { FilterError, type FilterExpression } from './filter-expression.js';
import { parseFilter } from './filter-parser.js';
import { compileFilter } from './filter-sql.js';

/** The SQL of a filter and the values it bound, from fresh parameters. */
function compiled(filter: string | FilterExpression, params = new QueryParams()): { sql: string; values: Record<string, unknown> } {
  const sql = compileFilter(typeof filter === 'string' ? parseFilter(filter) : filter, params);
  return { sql, values: params.values };
}
const TOTAL = 'if(isNull(input_tokens) AND isNull(output_tokens), NULL, ifNull(input_tokens, 0) + ifNull(output_tokens, 0))';

describe('compileFilter', () => {
  it('compiles the issue example with every value a query parameter', () => {
    expect(compiled('model = "gpt-4o" and property.Feature = "chat" and cost > 0.01 and user != "test"')).toEqual({
      sql:
        '((model = {p0:String}) AND (properties[{p1:String}] = {p2:String})' +
        ' AND (isNotNull(cost_total_usd) AND assumeNotNull(cost_total_usd) > {p3:Float64}) AND (user_id != {p4:String}))',
      // The property name is bound lower-cased: keys are stored lower-cased.
      values: { p0: 'gpt-4o', p1: 'feature', p2: 'chat', p3: '0.01', p4: 'test' },
    });
  });

  it('compiles each operator over each kind of field', () => {
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['name contains "Chat"', '(positionCaseInsensitiveUTF8(name, {p0:String}) > 0)', { p0: 'Chat' }],
      ['name not contains "Chat"', '(positionCaseInsensitiveUTF8(name, {p0:String}) = 0)', { p0: 'Chat' }],
      ['provider in ("openai", "anthropic")', '(provider IN ({p0:String}, {p1:String}))', { p0: 'openai', p1: 'anthropic' }],
      ['provider not in ("openai")', '(provider NOT IN ({p0:String}))', { p0: 'openai' }],
      ['status = "Error"', '(status_code = {p0:String})', { p0: 'error' }],
      ['status in ("ok", "unset")', '(status_code IN ({p0:String}, {p1:String}))', { p0: 'ok', p1: 'unset' }],
      ['duration_ms >= 250', '(duration_ns / 1000000 >= {p0:Float64})', { p0: '250' }],
      ['ttft_ms <= 1.5e-3', '(isNotNull(ttft_seconds * 1000) AND assumeNotNull(ttft_seconds * 1000) <= {p0:Float64})', { p0: '0.0015' }],
      ['input_tokens not in (1, -2)', '(isNotNull(input_tokens) AND assumeNotNull(input_tokens) NOT IN ({p0:Float64}, {p1:Float64}))', { p0: '1', p1: '-2' }],
      ['tokens = 10', `(isNotNull(${TOTAL}) AND assumeNotNull(${TOTAL}) = {p0:Float64})`, { p0: '10' }],
      ['model_call = true', '(is_model_call = {p0:UInt8})', { p0: 1 }],
      ['model_call != false', '(is_model_call != {p0:UInt8})', { p0: 0 }],
      ['session_path = "/a/b" and prompt = "p"', '((session_path = {p0:String}) AND (prompt_id = {p1:String}))', { p0: '/a/b', p1: 'p' }],
    ];
    for (const [text, sql, values] of cases) expect(compiled(text), text).toEqual({ sql, values });
  });

  it('sends numbers as their exact text, however large or small', () => {
    // The embedded engine's binder refuses JS integers beyond 2^53 (1e21, 1e300); text reads back the same double.
    expect(compiled('cost > 1e21 and cost < 1e300 and cost != 5e-324 and cost != -0 and cost != 9007199254740993').values).toEqual({
      p0: '1e+21',
      p1: '1e+300',
      p2: '5e-324',
      p3: '0',
      p4: '9007199254740992',
    });
  });

  it('compiles times to epoch milliseconds (UTC without an offset)', () => {
    const time = '(toUnixTimestamp64Milli(start_time) {op} {p0:Int64})';
    expect(compiled('time >= "2026-11-23T10:00:00.250Z"')).toEqual({ sql: time.replace('{op}', '>='), values: { p0: Date.UTC(2026, 10, 23, 10, 0, 0, 250) } });
    expect(compiled('time < "2026-11-23"')).toEqual({ sql: time.replace('{op}', '<'), values: { p0: Date.UTC(2026, 10, 23) } });
    expect(compiled('time = "2026-11-23T12:00:00+02:00"')).toEqual({ sql: time.replace('{op}', '='), values: { p0: Date.UTC(2026, 10, 23, 10) } });
    expect(compiled('time != "2026-11-23 10:00"')).toEqual({ sql: time.replace('{op}', '!='), values: { p0: Date.UTC(2026, 10, 23, 10) } });
  });

  it('parenthesizes and/or/not as the tree nests, binding values in order', () => {
    expect(compiled('user = "a" or user = "b" and not (cost > 1 or cost < 0)')).toEqual({
      sql:
        '((user_id = {p0:String}) OR ((user_id = {p1:String}) AND (NOT ((isNotNull(cost_total_usd) AND assumeNotNull(cost_total_usd) > {p2:Float64})' +
        ' OR (isNotNull(cost_total_usd) AND assumeNotNull(cost_total_usd) < {p3:Float64})))))',
      values: { p0: 'a', p1: 'b', p2: '1', p3: '0' },
    });
    expect(compiled('not not user = "a"')).toEqual({ sql: '(NOT (NOT (user_id = {p0:String})))', values: { p0: 'a' } });
  });

  it('continues the numbering of parameters bound before it (the project, the range)', () => {
    const params = new QueryParams();
    const project = params.bind('String', 'proj-a');
    expect(project).toBe('{p0:String}');
    expect(compiled('user = "a"', params)).toEqual({ sql: '(user_id = {p1:String})', values: { p0: 'proj-a', p1: 'a' } });
  });

  it('compiles no filter to 1, binding nothing', () => {
    expect(compiled('')).toEqual({ sql: '1', values: {} });
    expect(compiled({ and: [] })).toEqual({ sql: '1', values: {} });
  });

  it('validates trees built in code before compiling them', () => {
    const bad = [
      { 'model = 1 OR 1': { equals: 'x' } },
      { model: { equals: 1 } },
      { cost: { gt: '1 OR 1=1' } },
      { cost: { gt: Number.POSITIVE_INFINITY } },
      { cost: { gt: Number.NaN } },
      { cost: { 'gt) OR (1': 1 } },
      { user: { in: [] } },
      { not: [] },
    ] as unknown as FilterExpression[];
    for (const expr of bad) expect(() => compileFilter(expr, new QueryParams())).toThrow(FilterError);
  });
});
