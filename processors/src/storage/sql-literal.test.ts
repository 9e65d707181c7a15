import { describe, expect, it } from 'vitest';
import { sqlIdentifier, sqlString } from './sql-literal.js';

describe('SQL literals', () => {
  it('quotes strings so that quotes and backslashes stay inside', () => {
    expect(sqlString("it's")).toBe("'it\\'s'");
    expect(sqlString('a\\')).toBe("'a\\\\'");
    expect(sqlString("\\'; DROP TABLE x; --")).toBe("'\\\\\\'; DROP TABLE x; --'");
  });

  it('accepts only plain identifiers', () => {
    expect(sqlIdentifier('tokentrace_1')).toBe('`tokentrace_1`');
    for (const bad of ['', '1abc', 'a-b', 'a`b', 'a b', 'db.table']) expect(() => sqlIdentifier(bad)).toThrow(TypeError);
  });
});
