/**
 * FilterExpression → the text form, for showing the active filter (CLI, dashboard) and for
 * putting a JSON filter into a URL. `parseFilter(formatFilter(x))` gives `x` back for any
 * validated expression: strings are double-quoted with escapes, a property name that the bare
 * syntax cannot hold is quoted (`property."user tier"`), and parentheses are written wherever the
 * tree nests the same way the text would flatten (`a and (b and c)`).
 */
import { TEXT_OPERATORS } from './filter-condition.js';
import type { FilterExpression, FilterOperator, FilterValue } from './filter-expression.js';
import { PROPERTY_PREFIX } from './filter-fields.js';

/** Names the lexer reads bare after `property.` (filter-lexer.ts PROPERTY_NAME). */
const BARE_PROPERTY = /^[^\s()=!<>,"']+$/;

/** The text form of `expr`; '' for no filter (`{ and: [] }`). */
export function formatFilter(expr: FilterExpression): string {
  const node = expr as Record<string, unknown>;
  const [key] = Object.keys(node);
  if (key === 'and') return (node.and as FilterExpression[]).map((child) => group(child, ['and', 'or'])).join(' and ');
  if (key === 'or') return (node.or as FilterExpression[]).map((child) => group(child, ['or'])).join(' or ');
  if (key === 'not') return `not ${group(node.not as FilterExpression, ['and', 'or'])}`;
  const spec = node[key] as Partial<Record<FilterOperator, FilterValue>>;
  const [operator] = Object.keys(spec) as FilterOperator[];
  return `${fieldText(key)} ${TEXT_OPERATORS[operator]} ${valueText(spec[operator] as FilterValue)}`;
}

/** `child` in parentheses when it is one of `kinds` (its own structure would be lost without them). */
function group(child: FilterExpression, kinds: string[]): string {
  const text = formatFilter(child);
  return kinds.includes(Object.keys(child)[0]) ? `(${text})` : text;
}

function fieldText(name: string): string {
  if (!name.startsWith(PROPERTY_PREFIX)) return name;
  const property = name.slice(PROPERTY_PREFIX.length);
  return BARE_PROPERTY.test(property) ? name : `${PROPERTY_PREFIX}${stringText(property)}`;
}

function valueText(value: FilterValue): string {
  if (Array.isArray(value)) return `(${value.map(valueText).join(', ')})`;
  if (typeof value === 'string') return stringText(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value);
  return value ? 'true' : 'false';
}

const ESCAPED: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };

/** A double-quoted string literal of the filter language; other control characters as \uXXXX. */
function stringText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${value.replace(/[\\"\n\r\t\0]|[\u0001-\u001f\u007f]/g, (c) => ESCAPED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}
