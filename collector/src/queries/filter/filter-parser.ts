/**
 * The text form of the filter language → FilterExpression, by recursive descent:
 *
 *   filter    := or-expr | (nothing)
 *   or-expr   := and-expr ("or" and-expr)*        -- "and" binds tighter than "or"
 *   and-expr  := unary ("and" unary)*
 *   unary     := "not" unary | "(" or-expr ")" | condition
 *   condition := field op value | field ("in" | "not in") "(" value ("," value)* ")"
 *   field     := name | "property." (bare-name | quoted-name)
 *   op        := = | != | > | >= | < | <= | contains | not contains
 *   value     := "string" | 'string' | number | true | false
 *
 * Keywords and field names are case-insensitive; fields come out under their canonical name.
 * A bare word is not a value (`model = gpt` is refused: "expected a quoted string"). Every error
 * is a FilterError whose `position` is the 0-based offset (UTF-16 units) of the offending token.
 * Blank text is no filter: `{ and: [] }`, which matches everything (formatFilter gives '' back).
 */
import { checkValue, operatorProblem, TEXT_OPERATORS } from './filter-condition.js';
import type { FilterExpression, FilterOperator } from './filter-expression.js';
import { resolveField, resolveProperty, type FilterProblem } from './filter-fields.js';
import { describeToken as describe, fail, FilterLexer, isWord, type Token } from './filter-lexer.js';
import { depthProblem, FilterBudget, FILTER_LIMITS } from './filter-limits.js';
import { quoted } from './filter-messages.js';

const SYMBOL_OPERATORS: Record<string, FilterOperator> = { '=': 'equals', '!=': 'not-equals', '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' };
const OPERATOR_LIST = Object.values(TEXT_OPERATORS).join(', ');

/** Parsed node with its nesting depth (a condition is 0), to enforce FILTER_LIMITS.maxDepth. */
type Parsed = { expr: FilterExpression; depth: number };

export function parseFilter(text: string): FilterExpression {
  if (text.length > FILTER_LIMITS.maxTextLength) throw fail(FILTER_LIMITS.maxTextLength, `filter longer than ${FILTER_LIMITS.maxTextLength} characters`);
  return new Parser(text).parse();
}

class Parser {
  private readonly lexer: FilterLexer;
  private readonly budget = new FilterBudget();

  constructor(text: string) {
    this.lexer = new FilterLexer(text);
  }

  parse(): FilterExpression {
    if (this.lexer.peek().kind === 'end') return { and: [] };
    const { expr } = this.orExpr(0);
    const rest = this.lexer.peek();
    if (rest.kind === 'punct' && rest.text === ')') throw fail(rest.pos, 'unmatched ")"');
    if (rest.kind !== 'end') throw fail(rest.pos, 'expected "and", "or" or the end of the filter', describe(rest));
    return expr;
  }

  private orExpr(nesting: number): Parsed {
    return this.chain('or', () => this.andExpr(nesting));
  }

  private andExpr(nesting: number): Parsed {
    return this.chain('and', () => this.unary(nesting));
  }

  private chain(keyword: 'and' | 'or', operand: () => Parsed): Parsed {
    const start = this.lexer.peek().pos;
    const items = [operand()];
    while (isWord(this.lexer.peek(), keyword)) {
      this.lexer.next();
      items.push(operand());
    }
    if (items.length === 1) return items[0];
    const depth = 1 + Math.max(...items.map((i) => i.depth));
    this.checkDepth(depth, start);
    const children = items.map((i) => i.expr);
    return { expr: keyword === 'and' ? { and: children } : { or: children }, depth };
  }

  /** `nesting` counts the parentheses and `not`s around this point, bounding the recursion. */
  private unary(nesting: number): Parsed {
    const token = this.lexer.peek();
    if (isWord(token, 'not') || (token.kind === 'punct' && token.text === '(')) {
      this.checkDepth(nesting + 1, token.pos);
      this.lexer.next();
      if (token.kind === 'word') {
        const inner = this.unary(nesting + 1);
        this.checkDepth(inner.depth + 1, token.pos);
        return { expr: { not: inner.expr }, depth: inner.depth + 1 };
      }
      const inner = this.orExpr(nesting + 1);
      const close = this.lexer.next();
      if (close.kind !== 'punct' || close.text !== ')') throw fail(close.pos, `expected ")" to close the "(" at ${token.pos}`, describe(close));
      return inner;
    }
    return { expr: this.condition(), depth: 0 };
  }

  private condition(): FilterExpression {
    const token = this.lexer.next();
    if (token.kind !== 'word') throw fail(token.pos, 'expected a field name', describe(token));
    const budgetProblem = this.budget.addCondition();
    if (budgetProblem) throw fail(token.pos, budgetProblem);
    const resolved = this.field(token);
    const { operator, pos: opPos, spelled } = this.operator(resolved.name);
    const opProblem = operatorProblem(resolved, operator, 'text');
    if (opProblem) throw problemAt(opPos, opProblem);

    let raw: unknown;
    const positions: number[] = [];
    if (operator === 'in' || operator === 'not-in') {
      const open = this.lexer.next();
      if (open.kind !== 'punct' || open.text !== '(') throw fail(open.pos, `expected "(" after "${spelled}"`, describe(open));
      const list: unknown[] = [];
      let after = '(';
      for (;;) {
        const { value, pos } = this.value(after);
        list.push(value);
        positions.push(pos);
        const sep = this.lexer.next();
        if (sep.kind === 'punct' && sep.text === ')') break;
        if (sep.kind !== 'punct' || sep.text !== ',') throw fail(sep.pos, 'expected "," or ")" in the list', describe(sep));
        after = ',';
      }
      raw = list;
    } else {
      const { value, pos } = this.value(spelled);
      raw = value;
      positions.push(pos);
    }
    const checked = checkValue(resolved, operator, raw);
    if ('problem' in checked) throw problemAt(positions[checked.index ?? 0], checked);
    for (let i = 0; i < positions.length; i++) {
      const problem = this.budget.addValue(Array.isArray(raw) ? raw[i] : raw);
      if (problem) throw fail(positions[i], problem);
    }
    return { [resolved.name]: { [operator]: checked.value } };
  }

  private field(token: Token & { kind: 'word' }) {
    let typed = token.text;
    if (this.lexer.takeChar('.')) {
      if (typed.toLowerCase() === 'property') {
        const name = this.lexer.propertyName();
        if (!name) {
          const found = this.lexer.peek();
          throw fail(found.pos, 'expected a property name after "property."', describe(found));
        }
        const resolved = resolveProperty(name.name);
        if ('problem' in resolved) throw problemAt(name.pos, resolved);
        return resolved;
      }
      // `foo.bar`: report the whole dotted name as the unknown field.
      typed += `.${this.lexer.propertyName()?.name ?? ''}`;
    }
    const resolved = resolveField(typed);
    if ('problem' in resolved) throw problemAt(token.pos, resolved);
    return resolved;
  }

  private operator(field: string): { operator: FilterOperator; pos: number; spelled: string } {
    const token = this.lexer.next();
    if (token.kind === 'punct' && Object.hasOwn(SYMBOL_OPERATORS, token.text)) return { operator: SYMBOL_OPERATORS[token.text], pos: token.pos, spelled: token.text };
    if (isWord(token, 'contains')) return { operator: 'contains', pos: token.pos, spelled: 'contains' };
    if (isWord(token, 'in')) return { operator: 'in', pos: token.pos, spelled: 'in' };
    if (isWord(token, 'not')) {
      const second = this.lexer.next();
      if (isWord(second, 'contains')) return { operator: 'not-contains', pos: token.pos, spelled: 'not contains' };
      if (isWord(second, 'in')) return { operator: 'not-in', pos: token.pos, spelled: 'not in' };
      throw fail(second.pos, 'expected "contains" or "in" after "not"', describe(second));
    }
    throw fail(token.pos, `expected an operator after ${quoted(field)}`, describe(token), `one of ${OPERATOR_LIST}`);
  }

  private value(after: string): { value: unknown; pos: number } {
    const token = this.lexer.next();
    switch (token.kind) {
      case 'string':
        return { value: token.value, pos: token.pos };
      case 'number':
        return { value: token.value, pos: token.pos };
      case 'word':
        if (isWord(token, 'true') || isWord(token, 'false')) return { value: token.text.toLowerCase() === 'true', pos: token.pos };
        throw fail(token.pos, 'expected a quoted string', describe(token), `write ${quoted(token.text)}`);
      default:
        throw fail(token.pos, `expected a value after "${after}"`, describe(token));
    }
  }

  private checkDepth(depth: number, pos: number): void {
    const problem = depthProblem(depth);
    if (problem) throw fail(pos, problem);
  }
}

function problemAt(pos: number, p: FilterProblem) {
  return fail(pos, p.problem, undefined, p.hint);
}
