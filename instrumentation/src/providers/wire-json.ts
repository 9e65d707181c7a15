/**
 * Defensive readers for provider JSON. Request and response bodies come from apps and servers we do
 * not control, so every field is checked for its type and a field of the wrong type reads as
 * absent: codecs built on these never throw, they return what they can.
 */

export type JsonObject = Record<string, unknown>;

/** A plain JSON object (not null, not an array). */
export function obj(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function arr(value: unknown): readonly unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A non-empty string, for ids and model names where `""` means "not sent" (Azure's first chunk). */
export function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A finite number; NaN, Infinity and numeric strings read as absent. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** A string or an array of strings as a list (other items dropped); undefined when empty. */
export function strings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return undefined;
  const out: string[] = [];
  for (const item of value) if (typeof item === 'string') out.push(item);
  return out.length > 0 ? out : undefined;
}

/** Proto3 JSON (Gemini) accepts both lowerCamelCase and the proto's snake_case field names. */
export function field(o: JsonObject, camel: string, snake: string): unknown {
  const v = o[camel];
  return v === undefined ? o[snake] : v;
}

/** Parses JSON text; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Tool-call arguments sent as a JSON string become the parsed value; text that does not parse stays as is. */
export function parseArguments(value: unknown): unknown {
  if (typeof value !== 'string' || value.length === 0) return value;
  const parsed = parseJson(value);
  return parsed === undefined ? value : parsed;
}

/** Sum of the counts that are present; undefined when none is. */
export function sumPresent(...counts: Array<number | undefined>): number | undefined {
  let total: number | undefined;
  for (const c of counts) if (c !== undefined) total = (total ?? 0) + c;
  return total;
}
