/**
 * A filter as the HTTP API receives it: the text form (GET `?filter=`, or a string in a POST
 * body) or the JSON form (an object in a POST body). A string starting with `{` is read as the
 * JSON form, so GET can carry it too (the text form never starts with `{`).
 */
import { FilterError, type FilterExpression } from './filter-expression.js';
import { parseFilter } from './filter-parser.js';
import { validateFilter } from './filter-validate.js';

/** The filter, or undefined when there is none (absent, null, blank text, `{ "and": [] }`). */
export function parseFilterInput(input: unknown): FilterExpression | undefined {
  if (input === undefined || input === null) return undefined;
  let expr: FilterExpression;
  if (typeof input === 'string') {
    if (input.trimStart().startsWith('{')) {
      let json: unknown;
      try {
        json = JSON.parse(input);
      } catch (err) {
        throw new FilterError(`the filter starts with "{" but is not valid JSON: ${(err as Error).message}`, 0);
      }
      expr = validateFilter(json);
    } else {
      expr = parseFilter(input);
    }
  } else if (typeof input === 'object' && !Array.isArray(input)) {
    expr = validateFilter(input);
  } else {
    throw new FilterError('expected the filter text (a string) or a filter expression (an object)', undefined, '');
  }
  return isEmptyFilter(expr) ? undefined : expr;
}

/** `{ and: [] }`: what blank text parses to; it matches everything. */
export function isEmptyFilter(expr: FilterExpression): boolean {
  const node = expr as Record<string, unknown>;
  return Object.keys(node).length === 1 && Array.isArray(node.and) && node.and.length === 0;
}
