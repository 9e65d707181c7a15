import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../pipeline/span-record.js';
import { BatchDecodeError, decodeBatch, encodeBatch } from './batch-codec.js';

const span: SpanRecord = {
  projectId: 'p',
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  parentSpanId: '',
  name: 'chat gpt-4o',
  kind: 3,
  startTimeUnixNano: 1_717_000_000_123_456_789n,
  endTimeUnixNano: 1_717_000_001_000_000_000n,
  statusCode: 2,
  statusMessage: 'boom',
  attributes: { big: 9_007_199_254_740_993n, nul: '\u0000looks like a bigint', nul2: '\u0000\u0000x', nested: { list: [1n, 'a', null, true] } },
  resourceAttributes: { 'service.name': 'svc' },
  scopeName: 's',
  scopeVersion: '1',
  events: [{ name: 'e', timeUnixNano: 5n, attributes: {} }],
  genAi: { provider: 'openai', inputTokens: 10, properties: { Feature: 'chat' }, isModelCall: true },
  cost: { status: 'priced', totalUsd: 0.25 },
  session: { id: 's1', path: '/a', parentPath: '/', depth: 1 },
};

describe('batch codec', () => {
  it('gives back exactly the batch, bigints and NUL-prefixed strings included', () => {
    const decoded = decodeBatch(encodeBatch([span, { ...span, spanId: 'c'.repeat(16), genAi: undefined }]));
    expect(decoded[0]).toEqual(span);
    expect(decoded[0].startTimeUnixNano).toBe(1_717_000_000_123_456_789n);
    expect(decoded[0].attributes.nul).toBe('\u0000looks like a bigint');
    expect(decoded[1].genAi).toBeUndefined();
  });

  it('refuses what it did not write', () => {
    expect(() => decodeBatch(Buffer.from('[]'))).toThrow(BatchDecodeError);
    const whole = encodeBatch([span]);
    expect(() => decodeBatch(whole.subarray(0, whole.length - 10))).toThrow(BatchDecodeError);
  });
});
