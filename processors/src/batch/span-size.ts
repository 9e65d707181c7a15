/** A cheap estimate of a span's stored size, for batching by bytes without serializing. */
import type { AttributeValue, Attributes, SpanRecord } from '../pipeline/span-record.js';

const FIXED_BYTES = 200; // ids, times, numbers, column overhead

export function estimateSpanBytes(span: SpanRecord): number {
  let bytes = FIXED_BYTES + span.name.length + span.statusMessage.length;
  bytes += attributesBytes(span.attributes) + attributesBytes(span.resourceAttributes);
  for (const event of span.events) bytes += 30 + event.name.length + attributesBytes(event.attributes);
  return bytes;
}

function attributesBytes(attributes: Attributes): number {
  let bytes = 0;
  for (const key in attributes) bytes += key.length + valueBytes(attributes[key]) + 4;
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object') return 8;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + valueBytes(v) + 1, 2);
  return attributesBytes(value);
}
