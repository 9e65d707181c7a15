/**
 * OTLP AnyValue / KeyValue (common/v1/common.proto) flattened to the plain JS values of
 * SpanRecord attributes, and the 64-bit integers protobufjs hands out turned into bigint.
 *
 * Choices: an int64 that fits a double exactly becomes a number, a larger one a bigint (no silent
 * rounding); bytes become base64, as the Collector's pdata `AsString()` renders them; an AnyValue
 * with no value set (allowed by the proto: "empty value") becomes null. Strings, sizes and depth
 * go through the request's SpanSanitizer (span-sanitizer.ts).
 */
import type { AttributeValue, Attributes } from '@tokentrace/processors';
import type { Int64, OtlpAnyValue, OtlpKeyValue } from './otlp-proto.js';
import type { SpanSanitizer } from './span-sanitizer.js';

/** A decoded int64/uint64/fixed64 as bigint; `signed` reinterprets the 64 bits as two's complement. */
export function int64ToBigInt(value: Int64 | null | undefined, signed: boolean): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (typeof value === 'string') return BigInt(value);
  const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return signed ? BigInt.asIntN(64, bits) : bits;
}

function intValue(value: Int64): number | bigint {
  if (typeof value === 'object' && !value.unsigned) return int64Value(value.low, value.high);
  const big = int64ToBigInt(value, true);
  const small = Number(big);
  return Number.isSafeInteger(small) ? small : big;
}

/** An int64 attribute value from its two 32-bit halves: a number when exact as a double, a bigint otherwise. */
export function int64Value(low: number, high: number): number | bigint {
  // The common case, within ±2^53: exact as a double without the bigint round trip.
  const h = high | 0;
  if (h >= -0x200000 && h < 0x200000) return h * 4294967296 + (low >>> 0);
  const big = BigInt.asIntN(64, (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0));
  const small = Number(big);
  return Number.isSafeInteger(small) ? small : big;
}

/** One AnyValue as a JS value, within the limits: `depth` is 1 for an attribute's own value. */
export function toAttributeValue(value: OtlpAnyValue | null | undefined, sanitizer: SpanSanitizer, depth = 1): AttributeValue {
  if (!value) return null;
  // Exactly one member of the `value` oneof is set; the others are null (pbjs --null-defaults).
  if (value.stringValue != null) return sanitizer.value(value.stringValue);
  if (value.boolValue != null) return value.boolValue;
  if (value.intValue != null) return intValue(value.intValue);
  if (value.doubleValue != null) return value.doubleValue;
  if (value.arrayValue != null || value.kvlistValue != null) {
    if (depth > sanitizer.limits.maxNestingDepth) {
      sanitizer.count('nested_values_dropped');
      return null;
    }
    if (value.kvlistValue != null) return toAttributes(value.kvlistValue.values, sanitizer, depth);
    const values = value.arrayValue!.values ?? [];
    const kept = Math.min(values.length, sanitizer.limits.maxArrayLength);
    sanitizer.count('array_items_dropped', values.length - kept);
    const array = new Array<AttributeValue>(kept);
    for (let i = 0; i < kept; i++) array[i] = toAttributeValue(values[i], sanitizer, depth + 1);
    return array;
  }
  if (value.bytesValue != null) return sanitizer.value(Buffer.from(value.bytesValue.buffer, value.bytesValue.byteOffset, value.bytesValue.byteLength).toString('base64'));
  return null;
}

/**
 * KeyValue list → object, within the limits; a repeated key keeps the last value (keys "MUST be
 * unique", common.proto). `depth` is that of the list's container (0 for a span's attributes).
 */
export function toAttributes(list: readonly OtlpKeyValue[] | null | undefined, sanitizer: SpanSanitizer, depth = 0): Attributes {
  const attributes: Attributes = {};
  if (!list) return attributes;
  // The first entries are kept: what SDKs do when they reach their attribute count limit.
  const kept = Math.min(list.length, sanitizer.limits.maxAttributeCount);
  sanitizer.count('attributes_dropped', list.length - kept);
  for (let i = 0; i < kept; i++) {
    const kv = list[i];
    const key = sanitizer.name(kv.key ?? '');
    const value = toAttributeValue(kv.value, sanitizer, depth + 1);
    // An own property even for `__proto__`, whose assignment would set the object's prototype.
    if (key === '__proto__') Object.defineProperty(attributes, key, { value, enumerable: true, writable: true, configurable: true });
    else attributes[key] = value;
  }
  return attributes;
}
