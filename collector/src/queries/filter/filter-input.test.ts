import { describe, expect, it } from 'vitest';
import { FilterError } from './filter-expression.js';
import { parseFilterInput } from './filter-input.js';

describe('parseFilterInput', () => {
  it('is undefined when there is no filter', () => {
    for (const none of [undefined, null, '', '  \n', '{"and": []}', { and: [] }]) expect(parseFilterInput(none)).toBeUndefined();
  });

  it('reads the text form, the JSON form, and the JSON form as text', () => {
    const expected = { and: [{ model: { equals: 'gpt-4o' } }, { cost: { gt: 0.01 } }] };
    expect(parseFilterInput('model = "gpt-4o" and cost > 0.01')).toEqual(expected);
    expect(parseFilterInput({ and: [{ model: { equals: 'gpt-4o' } }, { cost_usd: { gt: 0.01 } }] })).toEqual(expected);
    expect(parseFilterInput(' {"and": [{"model": {"equals": "gpt-4o"}}, {"cost": {"gt": 0.01}}]}')).toEqual(expected);
  });

  it('says where the input is wrong', () => {
    expect(() => parseFilterInput('{"model": ')).toThrow(FilterError);
    expect(() => parseFilterInput('{"model": ')).toThrow(/^the filter starts with "\{" but is not valid JSON/);
    expect(() => parseFilterInput('{"modle": {"equals": "x"}}')).toThrow(expect.objectContaining({ path: 'modle' }));
    expect(() => parseFilterInput('modle = "x"')).toThrow(expect.objectContaining({ position: 0 }));
    for (const bad of [42, true, ['model']]) expect(() => parseFilterInput(bad)).toThrow(expect.objectContaining({ code: 'TOKENTRACE_INVALID_FILTER', path: '' }));
  });
});
