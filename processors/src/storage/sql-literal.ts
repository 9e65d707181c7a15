/**
 * Quoting for the few names that must be written into SQL text, because DDL cannot take them as
 * query parameters: the database, the cluster, the ZooKeeper paths of replicated tables. Values
 * that statements compare with are query parameters (query-params.ts), never inlined. String
 * literals follow https://clickhouse.com/docs/sql-reference/syntax#string: single quotes, with
 * backslash and quote escaped by a backslash. Identifiers are not escaped but validated: only
 * plain names pass, so no input can change a statement's shape.
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
