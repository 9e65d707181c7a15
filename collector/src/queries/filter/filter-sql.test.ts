import { describe, expect, it } from 'vitest';
import { FilterError, type FilterExpression } from './filter-expression.js';
import { parseFilter } from './filter-parser.js';
import { compileFilter, sqlNumber } from './filter-sql.js';

const sql = (text: string) => compileFilter(parseFilter(text));
const MODEL = "if(response_model != '', response_model, request_model)";
const TOTAL = 'if(isNull(input_tokens) AND isNull(output_tokens), NULL, ifNull(input_tokens, 0) + ifNull(output_tokens, 0))';

describe('compileFilter', () => {
  it('compiles the issue example', () => {
    expect(sql('model = "gpt-4o" and property.Feature = "chat" and cost > 0.01 and user != "test"')).toBe(
      `((${MODEL} = 'gpt-4o') AND (property_values[arrayFirstIndex(pk -> lowerUTF8(pk) = 'feature', property_keys)] = 'chat')` +
        " AND (isNotNull(cost_total_usd) AND assumeNotNull(cost_total_usd) > 0.01) AND (user_id != 'test'))",
    );
  });

  it('compiles each operator over each kind of field', () => {
    expect(sql('name contains "Chat"')).toBe("(positionCaseInsensitiveUTF8(name, 'Chat') > 0)");
    expect(sql('name not contains "Chat"')).toBe("(positionCaseInsensitiveUTF8(name, 'Chat') = 0)");
    expect(sql('provider in ("openai", "anthropic")')).toBe("(provider IN ('openai', 'anthropic'))");
    expect(sql('provider not in ("openai")')).toBe("(provider NOT IN ('openai'))");
    expect(sql('status = "Error"')).toBe("(status_code = 'error')");
    expect(sql('status in ("ok", "unset")')).toBe("(status_code IN ('ok', 'unset'))");
    expect(sql('duration_ms >= 250')).toBe('(duration_ns / 1000000 >= 250)');
    expect(sql('ttft_ms <= 1.5e-3')).toBe('(isNotNull(ttft_seconds * 1000) AND assumeNotNull(ttft_seconds * 1000) <= 0.0015)');
    expect(sql('input_tokens not in (1, -2)')).toBe('(isNotNull(input_tokens) AND assumeNotNull(input_tokens) NOT IN (1, -2))');
    expect(sql('tokens = 10')).toBe(`(isNotNull(${TOTAL}) AND assumeNotNull(${TOTAL}) = 10)`);
    expect(sql('model_call = true')).toBe('(is_model_call = 1)');
    expect(sql('model_call != false')).toBe('(is_model_call != 0)');
  });

  it('compiles times to epoch milliseconds (UTC without an offset)', () => {
    expect(sql('time >= "2026-11-23T10:00:00.250Z"')).toBe(`(intDiv(start_time_ns, 1000000) >= ${Date.UTC(2026, 10, 23, 10, 0, 0, 250)})`);
    expect(sql('time < "2026-11-23"')).toBe(`(intDiv(start_time_ns, 1000000) < ${Date.UTC(2026, 10, 23)})`);
    expect(sql('time = "2026-11-23T12:00:00+02:00"')).toBe(`(intDiv(start_time_ns, 1000000) = ${Date.UTC(2026, 10, 23, 10)})`);
    expect(sql('time != "2026-11-23 10:00"')).toBe(`(intDiv(start_time_ns, 1000000) != ${Date.UTC(2026, 10, 23, 10)})`);
  });

  it('parenthesizes and/or/not as the tree nests', () => {
    expect(sql('user = "a" or user = "b" and not (cost > 1 or cost < 0)')).toBe(
      "((user_id = 'a') OR ((user_id = 'b') AND (NOT ((isNotNull(cost_total_usd) AND assumeNotNull(cost_total_usd) > 1)" +
        ' OR (isNotNull(cost_total_usd) AND assumeNotNull(cost_total_usd) < 0)))))',
    );
    expect(sql('not not user = "a"')).toBe("(NOT (NOT (user_id = 'a')))");
  });

  it('compiles no filter to 1', () => {
    expect(sql('')).toBe('1');
    expect(compileFilter({ and: [] })).toBe('1');
  });

  it('validates trees built in code before compiling them', () => {
    const bad = [
      { 'model = 1 OR 1': { equals: 'x' } },
      { model: { equals: 1 } },
      { cost: { gt: '1 OR 1=1' } },
      { cost: { 'gt) OR (1': 1 } },
      { user: { in: [] } },
      { not: [] },
    ] as unknown as FilterExpression[];
    for (const expr of bad) expect(() => compileFilter(expr)).toThrow(FilterError);
  });
});

describe('sqlNumber', () => {
  it('writes finite numbers as ClickHouse literals and refuses the rest', () => {
    expect([0, -0, 42, -1.5, 0.01, 1e21, 1.5e-7, 2 ** 60].map(sqlNumber)).toEqual(['0', '0', '42', '-1.5', '0.01', '1e+21', '1.5e-7', '1152921504606846976']);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '1 OR 1' as unknown as number]) expect(() => sqlNumber(bad)).toThrow(FilterError);
  });
});
