/**
 * Reads one header from the request headers as an HTTP client passed them (undici's flat array or
 * object, node:http's object with any casing, an iterable of pairs), without copying them. Used
 * only when a path alone does not say whether a request is an LLM call.
 */
import type { HeaderShape } from './tracking-headers.js';

/** `name` is lower case; a repeated header reads as its values joined with `, `. */
export function readRequestHeader(headers: HeaderShape, name: string): string | undefined {
  if (headers == null) return undefined;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) return fromPairs(headers as [unknown, unknown][], name);
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (sameName(headers[i], name)) return valueText(headers[i + 1]);
    }
    return undefined;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return fromPairs(headers as Iterable<[unknown, unknown]>, name);
  }
  const record = headers as Record<string, unknown>;
  if (record[name] !== undefined) return valueText(record[name]);
  for (const key in record) if (sameName(key, name)) return valueText(record[key]);
  return undefined;
}

function fromPairs(pairs: Iterable<[unknown, unknown]>, name: string): string | undefined {
  for (const pair of pairs) if (Array.isArray(pair) && sameName(pair[0], name)) return valueText(pair[1]);
  return undefined;
}

function sameName(key: unknown, name: string): boolean {
  const text = typeof key === 'string' ? key : key instanceof Uint8Array ? Buffer.from(key).toString('latin1') : undefined;
  return text !== undefined && text.length === name.length && text.toLowerCase() === name;
}

function valueText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map((v) => valueText(v) ?? '').join(', ');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  return undefined;
}
