/**
 * FilterExpression → an SQL boolean expression over the columns of `spans`, for a WHERE clause:
 *
 *   model = "gpt-4o" and cost > 0.01
 *   → ((if(response_model != '', response_model, request_model) = 'gpt-4o')
 *      AND (isNotNull(cost_total_usd) AND assumeNotNull(cost_total_usd) > 0.01))
 *
 * No input can change the shape of the SQL: the expression is validated again here (so a tree
 * built in code gets the same checks as JSON from the network); column SQL comes only from the
 * catalog (filter-fields.ts), operators from the fixed table below, strings only through
 * `sqlString`, numbers only through `sqlNumber` (finite, digits and an exponent). ClickHouse 18.16
 * has no query parameters, hence literals (processors/src/clickhouse/sql-literal.ts).
 *
 * Semantics: `=` / `!=` / `in` compare exactly; `contains` is case-insensitive (UTF-8 aware);
 * a comparison on a NULL number is false, including `!=` and `not in`, while `not (...)` is
 * the plain complement (`not cost > 1` matches spans without a cost). A missing property reads
 * as '' like every unset string column. `time` compares epoch milliseconds.
 */
import { sqlString } from '@tokentrace/processors';
import { FilterError, type FilterExpression, type FilterOperator, type FilterValue } from './filter-expression.js';
import { resolveField, type FilterField } from './filter-fields.js';
import { parseFilterTime } from './filter-time.js';
import { validateFilter } from './filter-validate.js';

const COMPARISONS: Partial<Record<FilterOperator, string>> = { equals: '=', 'not-equals': '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** The WHERE-clause SQL for `expr`; `1` for no filter (`{ and: [] }`). Throws FilterError when invalid. */
export function compileFilter(expr: FilterExpression): string {
  return compile(validateFilter(expr));
}

/** On a validated expression: one key per node, `and` / `or` / `not` or a known field. */
function compile(expr: FilterExpression): string {
  const node = expr as Record<string, unknown>;
  const [key] = Object.keys(node);
  if (key === 'and') {
    const items = node.and as FilterExpression[];
    return items.length === 0 ? '1' : `(${items.map(compile).join(' AND ')})`;
  }
  if (key === 'or') return `(${(node.or as FilterExpression[]).map(compile).join(' OR ')})`;
  if (key === 'not') return `(NOT ${compile(node.not as FilterExpression)})`;
  return condition(key, node[key] as Partial<Record<FilterOperator, FilterValue>>);
}

function condition(name: string, spec: Partial<Record<FilterOperator, FilterValue>>): string {
  const [operator] = Object.keys(spec) as FilterOperator[];
  const value = spec[operator] as FilterValue;
  const resolved = resolveField(name);
  if ('problem' in resolved) throw new FilterError(resolved.problem); // unreachable after validateFilter
  const { field } = resolved;
  if (!field.nullable) return `(${compareSql(field.sql, field, operator, value)})`;
  // A NULL number compares as false, also under `!=` and `not in`, and the result is never NULL,
  // so that `not` around it is the plain complement on 18.16 and on current releases alike.
  return `(isNotNull(${field.sql}) AND ${compareSql(`assumeNotNull(${field.sql})`, field, operator, value)})`;
}

function compareSql(column: string, field: FilterField, operator: FilterOperator, value: FilterValue): string {
  switch (operator) {
    case 'contains':
      return `positionCaseInsensitiveUTF8(${column}, ${literal(field, value)}) > 0`;
    case 'not-contains':
      return `positionCaseInsensitiveUTF8(${column}, ${literal(field, value)}) = 0`;
    case 'in':
    case 'not-in': {
      const list = (value as Array<string | number>).map((v) => literal(field, v)).join(', ');
      return `${column} ${operator === 'in' ? 'IN' : 'NOT IN'} (${list})`;
    }
    default: {
      const symbol = COMPARISONS[operator];
      if (symbol === undefined) throw new FilterError(`unknown operator ${JSON.stringify(operator)}`);
      return `${column} ${symbol} ${literal(field, value)}`;
    }
  }
}

function literal(field: FilterField, value: FilterValue): string {
  switch (field.type) {
    case 'number':
      return sqlNumber(value as number);
    case 'time':
      return sqlNumber(parseFilterTime(value as string) as number);
    case 'boolean':
      return value ? '1' : '0';
    default:
      return sqlString(value as string);
  }
}

const NUMBER_TEXT = /^-?\d+(\.\d+)?(e[+-]\d+)?$/;

/**
 * A finite JS number as a ClickHouse numeric literal; throws for anything else. Integers beyond
 * 2^53 are written with all their digits (String(2 ** 60) is 1152921504606847000, a different
 * UInt64 than the double holds); from 1e21 on JS writes an exponent, read as Float64.
 */
export function sqlNumber(value: number): string {
  const exactInteger = Number.isInteger(value) && Math.abs(value) > Number.MAX_SAFE_INTEGER && Math.abs(value) < 1e21;
  const text = Object.is(value, -0) ? '0' : exactInteger ? BigInt(value).toString() : String(value);
  if (typeof value !== 'number' || !Number.isFinite(value) || !NUMBER_TEXT.test(text)) throw new FilterError(`not a finite number: ${text}`);
  return text;
}
