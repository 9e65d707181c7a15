/**
 * The JSON form of a filter, as programs send it (POST bodies), checked into a FilterExpression:
 *
 *   { "and": [ { "model": { "equals": "gpt-4o" } }, { "cost": { "gt": 0.01 } } ] }
 *
 * Accepts exactly what the text parser accepts (same field, operator and value rules, from
 * filter-condition.ts; same limits, filter-limits.ts). Errors are FilterErrors whose `path` names
 * the offending node (`and[2].cost`, `or[0].not.model.equals`; '' for the top level).
 *
 * Normalization: field names come out canonical (`user_id` → `user`), status names lower-cased,
 * and an `and` / `or` with a single element is replaced by that element (it means the same and
 * formats the same). `{ "and": [] }` at the top level is no filter (matches everything), as the
 * parser returns for blank text; anywhere else an empty list is an error.
 */
import { checkValue, isFilterOperator, operatorProblem } from './filter-condition.js';
import { FILTER_OPERATORS, FilterError, type FilterExpression } from './filter-expression.js';
import { resolveField, type FilterProblem } from './filter-fields.js';
import { closest } from './did-you-mean.js';
import { depthProblem, FilterBudget } from './filter-limits.js';
import { describeValue, quoted } from './filter-messages.js';

/** What people write for an operator, → its name in the JSON form. */
const OPERATOR_SPELLINGS: Record<string, string> = {
  '=': 'equals', '==': 'equals', eq: 'equals', '!=': 'not-equals', '<>': 'not-equals', ne: 'not-equals', neq: 'not-equals',
  '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte', not_equals: 'not-equals', not_contains: 'not-contains', not_in: 'not-in',
};

export function validateFilter(json: unknown): FilterExpression {
  if (isObject(json) && Object.keys(json).length === 1 && Array.isArray(json.and) && json.and.length === 0) return { and: [] };
  return new Validator().node(json, '', 0);
}

class Validator {
  private readonly budget = new FilterBudget();

  /** `level` counts the `and` / `or` / `not` above this node; checked on the way down, so deep JSON cannot exhaust the stack. */
  node(node: unknown, path: string, level: number): FilterExpression {
    if (!isObject(node)) throw fail(path, 'expected a filter object', describeValue(node));
    const keys = Object.keys(node);
    if (keys.length !== 1) {
      const found = keys.length === 0 ? 'an empty object' : keys.map((k) => quoted(k)).join(', ');
      throw fail(path, 'a filter object holds exactly one field, "and", "or" or "not"', found);
    }
    const key = keys[0];
    const value = node[key];
    if (key !== 'not' && key !== 'and' && key !== 'or') return this.condition(key, value, path);
    const problem = depthProblem(level + 1);
    if (problem) throw fail(path, problem);
    if (key === 'not') return { not: this.node(value, join(path, 'not'), level + 1) };
    const listPath = join(path, key);
    if (!Array.isArray(value)) throw fail(listPath, `"${key}" takes a list of filters`, describeValue(value));
    if (value.length === 0) throw fail(listPath, `"${key}" takes at least one filter`, 'an empty list');
    const children = value.map((item, i) => this.node(item, `${listPath}[${i}]`, level + 1));
    if (children.length === 1) return children[0];
    return key === 'and' ? { and: children } : { or: children };
  }

  private condition(field: string, spec: unknown, path: string): FilterExpression {
    const fieldPath = join(path, field);
    const resolved = resolveField(field);
    if ('problem' in resolved) throw problemAt(fieldPath, resolved);
    const budgetProblem = this.budget.addCondition();
    if (budgetProblem) throw fail(fieldPath, budgetProblem);
    if (!isObject(spec)) throw fail(fieldPath, `expected { "<operator>": <value> } for field ${quoted(field)}`, describeValue(spec));
    const operators = Object.keys(spec);
    if (operators.length !== 1) {
      const found = operators.length === 0 ? 'an empty object' : operators.map((k) => quoted(k)).join(', ');
      throw fail(fieldPath, 'a condition holds exactly one operator', found, 'combine conditions with "and"');
    }
    const operator = operators[0];
    const opPath = join(fieldPath, operator);
    if (!isFilterOperator(operator)) {
      const lower = operator.toLowerCase();
      const guess = Object.hasOwn(OPERATOR_SPELLINGS, lower) ? OPERATOR_SPELLINGS[lower] : closest(lower, FILTER_OPERATORS);
      throw fail(opPath, `unknown operator ${quoted(operator)}`, undefined, guess ? `did you mean "${guess}"?` : `one of ${FILTER_OPERATORS.join(', ')}`);
    }
    const opProblem = operatorProblem(resolved, operator, 'json');
    if (opProblem) throw problemAt(opPath, opProblem);
    const raw = spec[operator];
    const checked = checkValue(resolved, operator, raw);
    if ('problem' in checked) throw problemAt(checked.index === undefined ? opPath : `${opPath}[${checked.index}]`, checked);
    const values = Array.isArray(checked.value) ? checked.value : [checked.value];
    values.forEach((v, i) => {
      const problem = this.budget.addValue(v);
      if (problem) throw fail(Array.isArray(checked.value) ? `${opPath}[${i}]` : opPath, problem);
    });
    return { [resolved.name]: { [operator]: checked.value } };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function fail(path: string, what: string, found?: string, hint?: string): FilterError {
  const where = path === '' ? 'the top level' : path.length > 200 ? `${path.slice(0, 200)}…` : path;
  return new FilterError(`${what} at ${where}${found === undefined ? '' : `, found ${found}`}${hint === undefined ? '' : ` (${hint})`}`, undefined, path);
}

function problemAt(path: string, p: FilterProblem): FilterError {
  return fail(path, p.problem, undefined, p.hint);
}
