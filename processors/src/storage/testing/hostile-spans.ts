/**
 * Spans that exercise every column type of the RowBinary encoding: hostile and unicode strings,
 * bigints beyond Int64, values out of every column's range, 200 attributes (a map count beyond
 * one LEB128 byte), ids whose length byte is 0x0a (a body starting `0a 0a`).
 */
import type { SpanRecord } from '../../pipeline/span-record.js';
import { NS_PER_SECOND, utcMidnightNs } from './span-times.js';

/** Yesterday 08:00:00.000000001 UTC: inside the retention, with a nanosecond a double would lose. */
const START = utcMidnightNs(1) + 8n * 3600n * NS_PER_SECOND + 1n;

export const HOSTILE = `'"\\\`;\n\n\r\t\u0000 DROP TABLE spans; -- \u00e9\u4e2d\u6587 \ud83d\ude00 \u2028`;
const resource = { 'service.name': 'svc \u00e9', 'deployment.environment': 'prod', 'host.cores': 8 };

export function hostileSpans(): SpanRecord[] {
  const manyAttributes: Record<string, string> = {};
  for (let i = 0; i < 200; i++) manyAttributes[`k${i}`] = `v${i}`.repeat(i % 7); // a map count beyond one LEB128 byte
  return [
    {
      projectId: 'proj-0123456789', // a 10-byte-plus id: its length byte is not 0x0a, but the next case's is
      traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', parentSpanId: '00f067aa0ba902b7',
      name: `chat ${HOSTILE}`, kind: 3, startTimeUnixNano: START, endTimeUnixNano: START + 1_500_000_007n,
      statusCode: 2, statusMessage: HOSTILE.repeat(20), // longer than 127 bytes
      attributes: { 'gen_ai.request.model': 'gpt-4o', big: 2n ** 63n - 1n, huge: 2n ** 64n, list: ['a', 1, true, null], obj: { k: [1, 'two'] }, ratio: 0.25, ok: false, nil: null, [HOSTILE]: HOSTILE, '\n\n': '\n\n' },
      resourceAttributes: resource, scopeName: '@tokentrace/instrumentation', scopeVersion: '0.1.0',
      events: [
        { name: 'gen_ai.content.prompt', timeUnixNano: START + 999_999_999n, attributes: { prompt: HOSTILE, n: 3 } },
        { name: 'unset time', timeUnixNano: 5n, attributes: {} },
        { name: 'far future', timeUnixNano: 5_000_000_000n * NS_PER_SECOND, attributes: { '': '' } },
      ],
      genAi: {
        provider: 'openai', operation: 'chat', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06',
        inputTokens: 1200.6, outputTokens: -1, cacheReadInputTokens: Number.NaN, cacheCreationInputTokens: 0, reasoningOutputTokens: Number.MAX_SAFE_INTEGER,
        timeToFirstChunk: 0.123456789, userId: 'user \u00e9', sessionId: 's-1', sessionName: 'name', sessionPath: '/a/b', promptId: 'p1', errorType: '429',
        resendCount: 70_000, properties: { Plan: 'Pro', plan: 'pro', [HOSTILE]: 'x' }, isModelCall: true,
      },
      cost: { status: 'priced', inputUsd: 0.1, outputUsd: 1e-12, cacheReadUsd: 0, cacheWriteUsd: Number.POSITIVE_INFINITY, totalUsd: 0.3000000000000001, savedUsd: 0.0125, pricedModel: 'gpt-4o' },
      session: { id: 's-2', name: 'sess', path: '/x', parentPath: '/', depth: 3.7 },
    },
    {
      projectId: 'p123456789', // 10 bytes: the body's first bytes are `0a 0a` once another row follows such an id
      traceId: 'a'.repeat(32), spanId: '0a0a0a0a0a0a0a0a', parentSpanId: '', name: '', kind: 9 as SpanRecord['kind'],
      startTimeUnixNano: -5n, endTimeUnixNano: 0n, statusCode: 7 as SpanRecord['statusCode'], statusMessage: '',
      attributes: manyAttributes, resourceAttributes: resource, scopeName: '', scopeVersion: '', events: [],
    },
    {
      projectId: 'p', traceId: 'b'.repeat(32), spanId: '1', parentSpanId: '', name: '\n', kind: 1,
      startTimeUnixNano: 5_000_000_000n * NS_PER_SECOND, endTimeUnixNano: 2n ** 70n, statusCode: 1, statusMessage: 'ok',
      attributes: {}, resourceAttributes: {}, scopeName: '', scopeVersion: '', events: [],
      genAi: { properties: {}, isModelCall: false },
    },
  ];
}

