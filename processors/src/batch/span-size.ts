/**
 * A cheap estimate of a span's size in memory (not on the wire), for batching by bytes without
 * serializing: JS objects cost several times their text, so the constants are per-object overheads.
 */
import type { AttributeValue, Attributes, SpanRecord } from '../pipeline/span-record.js';

const FIXED_BYTES = 1000; // the record, its ids, bigints, derived genAi/cost/session objects

export function estimateSpanBytes(span: SpanRecord): number {
  // A span encoded on arrival (storage/encoded-span.ts) is its row's bytes and one small object.
  const known = (span as { estimatedBytes?: number }).estimatedBytes;
  if (known !== undefined) return known;
  let bytes = FIXED_BYTES + span.name.length + span.statusMessage.length;
  bytes += attributesBytes(span.attributes) + attributesBytes(span.resourceAttributes);
  for (const event of span.events) bytes += 30 + event.name.length + attributesBytes(event.attributes);
  return bytes;
}

function attributesBytes(attributes: Attributes): number {
  let bytes = 0;
  for (const key in attributes) bytes += 2 * key.length + valueBytes(attributes[key]) + 48;
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (typeof value === 'string') return 2 * value.length + 16;
  if (value === null || typeof value !== 'object') return 8;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + valueBytes(v) + 1, 2);
  return attributesBytes(value);
}
