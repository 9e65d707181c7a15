/**
 * How user input is quoted inside error messages: shortened, so that a 2 000-character value or
 * field name does not turn an error response into a copy of the request.
 */

const SHOWN = 40;

/** `text` as a JSON string literal, cut after 40 characters. */
export function quoted(text: string): string {
  return text.length > SHOWN ? `${JSON.stringify(text.slice(0, SHOWN))}…` : JSON.stringify(text);
}

/** A JSON value as the message names it: `"gpt"`, `42`, `null`, `a list`, `a JSON object`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return quoted(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a JSON object' : `a ${typeof value}`;
}
