/**
 * The on-disk form of one spooled batch: a header line naming the format, then the SpanRecords as
 * JSON. JSON has no bigint (times, int64 attribute values), so a bigint is written as a string
 * starting with NUL, and a real string that starts with NUL gets one more NUL in front: decoding
 * gives back exactly the batch that was encoded, whatever the attribute values hold.
 */
import type { SpanRecord } from '../pipeline/span-record.js';

const HEADER = 'tokentrace-spool-batch/1\n';
const TAG = '\u0000';

export class BatchDecodeError extends Error {
  readonly code = 'TOKENTRACE_SPOOL_BATCH_UNREADABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BatchDecodeError';
  }
}

export function encodeBatch(spans: SpanRecord[]): Buffer {
  const json = JSON.stringify(spans, (_key, value: unknown) => {
    if (typeof value === 'bigint') return TAG + value.toString();
    if (typeof value === 'string' && value.startsWith(TAG)) return TAG + value;
    return value;
  });
  return Buffer.from(HEADER + json, 'utf8');
}

export function decodeBatch(data: Buffer): SpanRecord[] {
  const text = data.toString('utf8');
  if (!text.startsWith(HEADER)) throw new BatchDecodeError(`not a spooled batch (expected header ${JSON.stringify(HEADER.trim())})`);
  let spans: unknown;
  try {
    spans = JSON.parse(text.slice(HEADER.length), (_key, value: unknown) => {
      if (typeof value !== 'string' || !value.startsWith(TAG)) return value;
      return value.startsWith(TAG, 1) ? value.slice(1) : BigInt(value.slice(1));
    });
  } catch (err) {
    throw new BatchDecodeError(`spooled batch is not valid: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(spans)) throw new BatchDecodeError('spooled batch is not an array of spans');
  return spans as SpanRecord[];
}
