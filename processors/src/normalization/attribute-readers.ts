/**
 * Typed reads of flattened OTLP attribute values. Other instrumentations (and OTLP/JSON encoders)
 * send counts as int, double, 64-bit int (decoded to bigint) or even numeric strings, so every
 * read coerces, and a value that cannot be coerced counts as absent rather than as 0.
 */
import type { AttributeValue } from '../pipeline/span-record.js';
import type { AttributeTable } from './attribute-table.js';

export function numberValue(value: AttributeValue | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** A non-empty string; numbers and booleans become strings (ids sent as ints), the rest is absent. */
export function stringValue(value: AttributeValue | undefined): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Any value as a property string: scalars as text, arrays and maps as JSON. */
export function propertyValue(value: AttributeValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const scalar = stringValue(value);
  if (scalar !== undefined) return scalar;
  if (typeof value === 'string') return value;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** The first key that holds a number; keys (their slots, attribute-table.ts) are listed most authoritative first. */
export function firstNumber(table: AttributeTable, slots: readonly number[]): number | undefined {
  for (const slot of slots) {
    const value = numberValue(table.value(slot));
    if (value !== undefined) return value;
  }
  return undefined;
}

export function firstString(table: AttributeTable, slots: readonly number[]): string | undefined {
  for (const slot of slots) {
    const value = stringValue(table.value(slot));
    if (value !== undefined) return value;
  }
  return undefined;
}
