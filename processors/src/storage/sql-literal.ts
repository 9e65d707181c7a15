/**
 * Quoting for the few values that must be written into SQL text. ClickHouse 18.16 has no query
 * parameters (`{name:Type}` with `param_name=` arrived in 19.x; 18.16 answers "Unknown setting
 * param_x"), so on the Debian server every value has to be inlined as a literal. String literals
 * follow https://clickhouse.com/docs/sql-reference/syntax#string: single quotes, with backslash
 * and quote escaped by a backslash. Identifiers are not escaped but validated: only plain names
 * pass, so no input can change a statement's shape.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isPlainIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** `name` in backquotes; throws unless it is a plain identifier (letters, digits, underscore). */
export function sqlIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new TypeError(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

/** A ClickHouse string literal holding exactly `value`. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
