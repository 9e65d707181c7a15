/**
 * Filter text the pages write for the user (a click on a model, user or feature lists its
 * requests): `field = "value"` in the filter language (collector/src/queries/filter/), the value
 * quoted as a string literal with the lexer's escapes.
 */

const ESCAPES = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };

/** A string literal of the filter language. */
export function quoteFilterValue(text) {
  return `"${String(text).replace(/[\\"\n\r\t\0]/g, (c) => ESCAPES[c])}"`;
}

/** `property.<name>`; a name with characters a bare name cannot hold is quoted. */
export function propertyField(name) {
  return `property.${/^[A-Za-z0-9_-]+$/.test(name) ? name : quoteFilterValue(name)}`;
}

/** `model = "gpt-4o"`. */
export function equalsFilter(field, value) {
  return `${field} = ${quoteFilterValue(value)}`;
}

/** The fields people filter on most, for the requests page's hint (the API lists all). */
export const COMMON_FIELDS = [
  ['model', 'response model, else requested'], ['provider', 'openai, anthropic, …'], ['user', 'user id'],
  ['session', 'session id'], ['session_name', ''], ['prompt_id', ''], ['property.<Name>', 'custom property'],
  ['status', "'ok', 'error', 'unset'"], ['error_type', ''], ['cost', 'USD'], ['input_tokens', ''],
  ['output_tokens', ''], ['duration_ms', ''], ['ttft_ms', ''], ['retries', 'n-th retry, 0 = first attempt'], ['time', 'ISO-8601'], ['environment', ''], ['service', ''], ['name', 'span name'],
];
