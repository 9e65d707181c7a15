import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../pipeline/span-record.js';
import { SPAN_COLUMNS, toSpanRow, toSpanRows } from './span-row.js';

const base: SpanRecord = {
  projectId: 'p', traceId: 't'.repeat(32), spanId: 's'.repeat(16), parentSpanId: '', name: 'n', kind: 0,
  startTimeUnixNano: 1_717_243_200_500_000_000n, endTimeUnixNano: 1_717_243_201_000_000_000n, statusCode: 0, statusMessage: '',
  attributes: {}, resourceAttributes: {}, scopeName: '', scopeVersion: '', events: [],
};

describe('toSpanRow', () => {
  it('fills every column, in the table order', () => {
    expect(Object.keys(toSpanRow(base, 1))).toEqual([...SPAN_COLUMNS]);
  });

  it('derives time columns, clamping what DateTime cannot hold', () => {
    const row = toSpanRow(base, 1);
    expect(row).toMatchObject({ date: '2024-06-01', start_time: 1_717_243_200, start_time_ns: '1717243200500000000', duration_ns: '500000000' });
    const far = toSpanRow({ ...base, startTimeUnixNano: 5_000_000_000n * 1_000_000_000n, endTimeUnixNano: 1n }, 1);
    expect(far).toMatchObject({ start_time: 4_102_444_799, date: '2099-12-31', start_time_ns: '5000000000000000000', duration_ns: '0' });
  });

  it('keeps absent tokens and costs NULL, never 0, and rounds what a UInt64 cannot hold', () => {
    const row = toSpanRow({ ...base, genAi: { inputTokens: 12.6, outputTokens: -1, cacheReadInputTokens: Number.NaN, properties: {}, isModelCall: true }, cost: { status: 'unknown_model' } }, 1);
    expect(row).toMatchObject({ input_tokens: 13, output_tokens: null, cache_read_tokens: null, reasoning_tokens: null, cost_total_usd: null, cost_status: 'unknown_model', is_model_call: 1 });
  });

  it('writes enums by name, resource facts, properties sorted, and attributes in full with exact int64', () => {
    const row = toSpanRow({
      ...base, kind: 3, statusCode: 2,
      resourceAttributes: { 'service.name': 'api', 'deployment.environment': 'prod' },
      attributes: { big: 2n ** 63n - 1n, small: 5n, s: 'x' },
      events: [{ name: 'e', timeUnixNano: 7n, attributes: { k: 1 } }],
      genAi: { properties: { b: '2', a: '1' }, isModelCall: false },
    }, 1);
    expect(row).toMatchObject({ kind: 'client', status_code: 'error', service_name: 'api', environment: 'prod', property_keys: ['a', 'b'], property_values: ['1', '2'] });
    expect(row.attributes).toBe('{"big":"9223372036854775807","small":5,"s":"x"}');
    expect(JSON.parse(row.events)).toEqual([{ name: 'e', time_unix_nano: '7', attributes: { k: 1 } }]);
  });

  it('toSpanRows gives the rows of toSpanRow, resource columns computed once per shared resource', () => {
    const shared = { 'service.name': 'api', 'deployment.environment.name': 'prod', 'deployment.environment': 'old' };
    const spans: SpanRecord[] = [
      { ...base, resourceAttributes: shared },
      { ...base, spanId: '1'.repeat(16), resourceAttributes: shared, startTimeUnixNano: 86_400_000_000_000n },
      { ...base, spanId: '2'.repeat(16), resourceAttributes: { 'deployment.environment': 'old', 'service.name': 7 } },
    ];
    expect(toSpanRows(spans, 3)).toEqual(spans.map((s) => toSpanRow(s, 3)));
    expect(toSpanRows(spans, 3).map((r) => [r.date, r.service_name, r.environment])).toEqual([
      ['2024-06-01', 'api', 'prod'], ['1970-01-02', 'api', 'prod'], ['2024-06-01', '7', 'old'],
    ]);
  });
});
