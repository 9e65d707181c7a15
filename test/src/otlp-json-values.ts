// Reading OTLP/JSON values: AnyValue and KeyValue lists into plain JS, int64 decimal strings into
// numbers when exact, hex (or base64) ids, enums given as integers or names, and keys in
// lowerCamelCase with a snake_case fallback (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).

export type OtlpValue = string | number | boolean | null | OtlpValue[] | { [key: string]: OtlpValue };
export type OtlpAttributes = Record<string, OtlpValue>;

export type Json = Record<string, unknown>;

/** Reads a lowerCamelCase key, falling back to its snake_case spelling. */
export function get(obj: unknown, key: string): unknown {
  if (typeof obj !== 'object' || obj === null) return undefined;
  const record = obj as Json;
  if (key in record) return record[key];
  return record[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

export function list(obj: unknown, key: string): Json[] {
  const value = get(obj, key);
  return Array.isArray(value) ? (value as Json[]) : [];
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

export function optionalNanos(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

/** int64 (string in JSON) as a number when it is exactly representable, else kept as a string. */
function int64(value: unknown): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : String(value);
}

export function num(value: unknown): number | undefined {
  return value === undefined || value === null ? undefined : Number(value);
}

/** Hex ids as sent; base64 ids (generic protobuf JSON) converted to hex. */
export function id(value: unknown): string {
  const text = str(value);
  if (text === '' || /^[0-9a-f]+$/i.test(text)) return text.toLowerCase();
  return Buffer.from(text, 'base64').toString('hex');
}

/** An AnyValue as a plain JS value. */
export function anyValue(value: unknown): OtlpValue {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Json;
  if (get(v, 'stringValue') !== undefined) return str(get(v, 'stringValue'));
  if (get(v, 'boolValue') !== undefined) return get(v, 'boolValue') === true || get(v, 'boolValue') === 'true';
  if (get(v, 'intValue') !== undefined) return int64(get(v, 'intValue'));
  if (get(v, 'doubleValue') !== undefined) return Number(get(v, 'doubleValue'));
  if (get(v, 'arrayValue') !== undefined) return list(get(v, 'arrayValue'), 'values').map(anyValue);
  if (get(v, 'kvlistValue') !== undefined) return attributes(list(get(v, 'kvlistValue'), 'values'));
  if (get(v, 'bytesValue') !== undefined) return str(get(v, 'bytesValue'));
  return null;
}

/** A KeyValue list as a record. */
export function attributes(keyValues: Json[]): OtlpAttributes {
  const out: OtlpAttributes = {};
  for (const kv of keyValues) out[str(get(kv, 'key'))] = anyValue(get(kv, 'value'));
  return out;
}

export function enumValue<T extends string>(value: unknown, names: readonly T[], prefix: string): T {
  if (typeof value === 'number') return names[value] ?? names[0];
  const text = str(value).replace(prefix, '').toLowerCase();
  const numeric = Number(text);
  if (text !== '' && Number.isInteger(numeric)) return names[numeric] ?? names[0];
  return names.find((n) => n.toLowerCase() === text.replace(/_/g, '')) ?? names[0];
}
