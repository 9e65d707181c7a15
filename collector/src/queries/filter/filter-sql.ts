/**
 * FilterExpression → an SQL boolean expression over the columns of `spans`, for a WHERE clause,
 * with every value bound as a query parameter:
 *
 *   model = "gpt-4o" and cost > 0.01
 *   → ((model = {p0:String}) AND (isNotNull(cost_total_usd) AND assumeNotNull(cost_total_usd) > {p1:Float64}))
 *     with p0 = 'gpt-4o', p1 = '0.01'
 *
 * No input can change the shape of the SQL: the expression is validated again here (so a tree
 * built in code gets the same checks as JSON from the network); column SQL comes only from the
 * catalog (filter-fields.ts), operators from the fixed table below, values and property names
 * only as parameters (numbers checked finite first). The text of a compiled filter depends on the
 * filter's structure only, never on a value.
 *
 * Semantics: `=` / `!=` / `in` compare exactly; `contains` is case-insensitive (UTF-8 aware);
 * a comparison on a NULL number is false, including `!=` and `not in`, while `not (...)` is
 * the plain complement (`not cost > 1` matches spans without a cost). A missing property reads
 * as '' like every unset string column. `time` compares epoch milliseconds.
 */
import type { QueryParams } from '@tokentrace/processors';
import { FilterError, type FilterExpression, type FilterOperator, type FilterValue } from './filter-expression.js';
import { propertySql, resolveField, type FilterField } from './filter-fields.js';
import { parseFilterTime } from './filter-time.js';
import { validateFilter } from './filter-validate.js';

const COMPARISONS: Partial<Record<FilterOperator, string>> = { equals: '=', 'not-equals': '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * The WHERE-clause SQL for `expr`, its values bound in `params`; `1` for no filter
 * (`{ and: [] }`). Throws FilterError when invalid.
 */
export function compileFilter(expr: FilterExpression, params: QueryParams): string {
  const compile = (e: FilterExpression): string => {
    const node = e as Record<string, unknown>;
    const [key] = Object.keys(node);
    if (key === 'and') {
      const items = node.and as FilterExpression[];
      return items.length === 0 ? '1' : `(${items.map(compile).join(' AND ')})`;
    }
    if (key === 'or') return `(${(node.or as FilterExpression[]).map(compile).join(' OR ')})`;
    if (key === 'not') return `(NOT ${compile(node.not as FilterExpression)})`;
    return condition(params, key, node[key] as Partial<Record<FilterOperator, FilterValue>>);
  };
  return compile(validateFilter(expr));
}

function condition(params: QueryParams, name: string, spec: Partial<Record<FilterOperator, FilterValue>>): string {
  const [operator] = Object.keys(spec) as FilterOperator[];
  const value = spec[operator] as FilterValue;
  const resolved = resolveField(name);
  if ('problem' in resolved) throw new FilterError(resolved.problem); // unreachable after validateFilter
  const { field } = resolved;
  const column = resolved.kind === 'property' ? propertySql(params, resolved.property) : field.sql;
  if (!field.nullable) return `(${compareSql(params, column, field, operator, value)})`;
  // A NULL number compares as false, also under `!=` and `not in`, and the result is never NULL,
  // so that `not` around it is the plain complement.
  return `(isNotNull(${column}) AND ${compareSql(params, `assumeNotNull(${column})`, field, operator, value)})`;
}

function compareSql(params: QueryParams, column: string, field: FilterField, operator: FilterOperator, value: FilterValue): string {
  const bound = (v: FilterValue) => bind(params, field, v);
  switch (operator) {
    case 'contains':
      return `positionCaseInsensitiveUTF8(${column}, ${bound(value)}) > 0`;
    case 'not-contains':
      return `positionCaseInsensitiveUTF8(${column}, ${bound(value)}) = 0`;
    case 'in':
    case 'not-in': {
      const list = (value as Array<string | number>).map((v) => bound(v)).join(', ');
      return `${column} ${operator === 'in' ? 'IN' : 'NOT IN'} (${list})`;
    }
    default: {
      const symbol = COMPARISONS[operator];
      if (symbol === undefined) throw new FilterError(`unknown operator ${JSON.stringify(operator)}`);
      return `${column} ${symbol} ${bound(value)}`;
    }
  }
}

/**
 * A value as a parameter of its field's type. Numbers are Float64 parameters sent as their
 * shortest round-trip text (`String(value)`): the engine reads back exactly the double the filter
 * holds, and ClickHouse compares a Float64 with an integer column exactly. Text, because the
 * embedded engine's binder refuses a JS number that is an integer beyond 2^53 (e.g. `1e21`).
 */
function bind(params: QueryParams, field: FilterField, value: FilterValue): string {
  switch (field.type) {
    case 'number':
      return params.bind('Float64', String(finite(value as number)));
    case 'time':
      return params.bind('Int64', finite(parseFilterTime(value as string) as number));
    case 'boolean':
      return params.bind('UInt8', value ? 1 : 0);
    default:
      return params.bind('String', value as string);
  }
}

function finite(value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new FilterError(`not a finite number: ${String(value)}`);
  return value;
}
