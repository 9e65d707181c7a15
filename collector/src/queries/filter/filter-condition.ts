/**
 * What makes one condition (`field operator value`) valid, shared by the text parser and the JSON
 * validator so that both accept exactly the same filters; each reports the problem with its own
 * locator (a text position, a JSON path).
 *
 * Values are not coerced: a string field takes strings only (`user = 42` is refused with a hint
 * to quote it, so "1e3" and 1000 are never confused), a number field finite numbers only.
 */
import { FILTER_OPERATORS, type FilterOperator, type FilterValue } from './filter-expression.js';
import { STATUS_VALUES, isWellFormed, type FilterFieldType, type FilterProblem, type ResolvedField } from './filter-fields.js';
import { describeValue } from './filter-messages.js';
import { parseFilterTime } from './filter-time.js';

/** How each operator is spelled in the text form. */
export const TEXT_OPERATORS: Record<FilterOperator, string> = {
  equals: '=',
  'not-equals': '!=',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  contains: 'contains',
  'not-contains': 'not contains',
  in: 'in',
  'not-in': 'not in',
};

const OPERATORS_BY_TYPE: Record<FilterFieldType, readonly FilterOperator[]> = {
  string: ['equals', 'not-equals', 'contains', 'not-contains', 'in', 'not-in'],
  number: ['equals', 'not-equals', 'gt', 'gte', 'lt', 'lte', 'in', 'not-in'],
  status: ['equals', 'not-equals', 'in', 'not-in'],
  time: ['equals', 'not-equals', 'gt', 'gte', 'lt', 'lte'],
  boolean: ['equals', 'not-equals'],
};

export type Dialect = 'text' | 'json';

export function isFilterOperator(name: string): name is FilterOperator {
  return (FILTER_OPERATORS as readonly string[]).includes(name);
}

/** undefined when `operator` applies to the field, else why not (spelled in the caller's dialect). */
export function operatorProblem(resolved: ResolvedField, operator: FilterOperator, dialect: Dialect): FilterProblem | undefined {
  const allowed = OPERATORS_BY_TYPE[resolved.field.type];
  if (allowed.includes(operator)) return undefined;
  const spell = (op: FilterOperator) => (dialect === 'text' ? TEXT_OPERATORS[op] : op);
  return { problem: `operator "${spell(operator)}" does not apply to ${resolved.field.type} field "${resolved.name}"`, hint: `use ${allowed.map(spell).join(', ')}` };
}

export type ValueCheck = { value: FilterValue } | (FilterProblem & { /** The offending element of an `in` list. */ index?: number });

/** The value, normalized (status names lower-cased), or why it does not fit the field and operator. */
export function checkValue(resolved: ResolvedField, operator: FilterOperator, value: unknown): ValueCheck {
  if (operator === 'in' || operator === 'not-in') {
    if (!Array.isArray(value)) return { problem: `"${operator}" takes a list of values, found ${describeValue(value)}` };
    if (value.length === 0) return { problem: `"${operator}" takes a non-empty list of values` };
    const values: Array<string | number> = [];
    for (let index = 0; index < value.length; index++) {
      const checked = checkScalar(resolved, value[index]);
      if ('problem' in checked) return { ...checked, index };
      values.push(checked.value as string | number);
    }
    return { value: values };
  }
  if (Array.isArray(value)) return { problem: `"${operator}" takes one value, found a list` };
  return checkScalar(resolved, value);
}

function checkScalar(resolved: ResolvedField, value: unknown): { value: string | number | boolean } | FilterProblem {
  const { type } = resolved.field;
  const field = `"${resolved.name}"`;
  switch (type) {
    case 'string':
      if (typeof value === 'number') return { problem: `field ${field} takes a string, found the number ${value}`, hint: `quote it: "${value}"` };
      if (typeof value !== 'string') return { problem: `field ${field} takes a string, found ${describeValue(value)}` };
      if (!isWellFormed(value)) return { problem: 'string is not valid Unicode (lone surrogate)' };
      return { value };
    case 'number':
      if (typeof value !== 'number') return { problem: `field ${field} takes a number, found ${describeValue(value)}` };
      return numberProblem(value) ?? { value };
    case 'status': {
      const name = typeof value === 'string' ? value.toLowerCase() : undefined;
      if (name === undefined || !(STATUS_VALUES as readonly string[]).includes(name)) {
        return { problem: `field ${field} takes one of ${STATUS_VALUES.map((s) => `"${s}"`).join(', ')}, found ${describeValue(value)}` };
      }
      return { value: name };
    }
    case 'time':
      if (typeof value !== 'string' || parseFilterTime(value) === undefined) {
        return { problem: `field ${field} takes an ISO-8601 time such as "2026-11-23T10:00:00Z", found ${describeValue(value)}` };
      }
      return { value };
    case 'boolean':
      if (typeof value !== 'boolean') return { problem: `field ${field} takes true or false, found ${describeValue(value)}` };
      return { value };
  }
}

/** Finite: NaN and infinities have no text a Float64 parameter reads back as the same number. */
function numberProblem(value: number): FilterProblem | undefined {
  if (!Number.isFinite(value)) return { problem: `numbers must be finite, found ${value}` };
  return undefined;
}
