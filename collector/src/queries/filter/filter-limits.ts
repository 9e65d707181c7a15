/**
 * Bounds on a filter, so that what any accepted filter sends stays small: ClickHouse refuses a
 * query longer than `max_query_size` (256 KiB by default; "Max query size exceeded"), the values
 * travel beside it as query parameters, and the parser, validator and compiler recurse once per
 * nesting level. With these limits a compiled filter's text stays under ~70 KB (200 conditions ×
 * ≤ 250 bytes of field SQL and placeholder, plus ≤ 1 000 placeholders of ~16 bytes), and its
 * parameters under 20 000 characters of strings plus 1 000 numbers.
 */

export const FILTER_LIMITS = {
  /** Nesting of `and` / `or` / `not` (a condition is depth 0); also of parentheses in the text. */
  maxDepth: 32,
  /** Conditions (`field op value`) in one filter. */
  maxConditions: 200,
  /** Values in one filter, counting each element of an `in` list. */
  maxValues: 1_000,
  /** Characters of one string value. */
  maxStringLength: 2_000,
  /** Characters of all string values together. */
  maxStringTotal: 20_000,
  /** Characters of the text form. */
  maxTextLength: 50_000,
} as const;

/** Counts what the limits bound while a parser or validator walks a filter; `add*` return a problem or undefined. */
export class FilterBudget {
  private conditions = 0;
  private values = 0;
  private stringChars = 0;

  addCondition(): string | undefined {
    if (++this.conditions > FILTER_LIMITS.maxConditions) return `more than ${FILTER_LIMITS.maxConditions} conditions`;
    return undefined;
  }

  addValue(value: unknown): string | undefined {
    if (++this.values > FILTER_LIMITS.maxValues) return `more than ${FILTER_LIMITS.maxValues} values`;
    if (typeof value !== 'string') return undefined;
    if (value.length > FILTER_LIMITS.maxStringLength) return `string longer than ${FILTER_LIMITS.maxStringLength} characters`;
    this.stringChars += value.length;
    if (this.stringChars > FILTER_LIMITS.maxStringTotal) return `more than ${FILTER_LIMITS.maxStringTotal} characters of strings in total`;
    return undefined;
  }
}

export function depthProblem(depth: number): string | undefined {
  return depth > FILTER_LIMITS.maxDepth ? `nested more than ${FILTER_LIMITS.maxDepth} levels deep` : undefined;
}
