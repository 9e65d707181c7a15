import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../pipeline/span-record.js';
import { attributeMap, toSpanRow, toSpanRows } from './span-row.js';
import { SPAN_INSERT_COLUMNS } from './span-table.js';

const base: SpanRecord = {
  projectId: 'p', traceId: 't'.repeat(32), spanId: 's'.repeat(16), parentSpanId: '', name: 'n', kind: 0,
  startTimeUnixNano: 1_717_243_200_500_000_000n, endTimeUnixNano: 1_717_243_201_000_000_000n, statusCode: 0, statusMessage: '',
  attributes: {}, resourceAttributes: {}, scopeName: '', scopeVersion: '', events: [],
};

describe('toSpanRow', () => {
  it('fills exactly the columns an INSERT names, in the table order (computed columns are left to the engine)', () => {
    expect(Object.keys(toSpanRow(base, 1))).toEqual([...SPAN_INSERT_COLUMNS]);
    expect(Object.keys(toSpanRow(base, 1))).not.toContain('model');
  });

  it('writes times as `<10-digit seconds>.<9 digits>` text, clamped to 1970..2099', () => {
    expect(toSpanRow(base, 1)).toMatchObject({ start_time: '1717243200.500000000', duration_ns: '500000000' });
    const far = toSpanRow({ ...base, startTimeUnixNano: 5_000_000_000n * 1_000_000_000n, endTimeUnixNano: 1n }, 1);
    expect(far).toMatchObject({ start_time: '4102444799.000000000', duration_ns: '0' });
    // Seconds are zero-padded: ClickHouse's best_effort parser refuses `0.000000005` (see the exporter test).
    const unset = toSpanRow({ ...base, startTimeUnixNano: 0n, endTimeUnixNano: 0n, events: [{ name: 'e', timeUnixNano: 5n, attributes: {} }] }, 1);
    expect(unset).toMatchObject({ start_time: '0000000000.000000000', duration_ns: '0', 'events.time': ['0000000000.000000005'] });
    expect(toSpanRow({ ...base, startTimeUnixNano: -5n }, 1).start_time).toBe('0000000000.000000000');
  });

  it('keeps absent tokens and costs NULL, never 0, and rounds what a UInt64 cannot hold', () => {
    const row = toSpanRow({ ...base, genAi: { inputTokens: 12.6, outputTokens: -1, cacheReadInputTokens: Number.NaN, properties: {}, isModelCall: true }, cost: { status: 'unknown_model', totalUsd: Number.POSITIVE_INFINITY } }, 1);
    expect(row).toMatchObject({ input_tokens: 13, output_tokens: null, cache_read_tokens: null, reasoning_tokens: null, cost_total_usd: null, cost_status: 'unknown_model', is_model_call: 1 });
  });

  it('writes enums by name, resource facts, properties with lower-cased keys, and every attribute as a string', () => {
    const row = toSpanRow({
      ...base, kind: 3, statusCode: 2,
      resourceAttributes: { 'service.name': 'api', 'deployment.environment': 'prod', 'host.cores': 8 },
      attributes: { big: 2n ** 63n - 1n, small: 5n, s: 'x', f: 0.25, b: false, list: ['a', 1n, 2n ** 64n], obj: { k: [1, 'two'] }, nil: null },
      events: [
        { name: 'e1', timeUnixNano: 1_717_243_200_600_000_001n, attributes: { k: 1 } },
        { name: 'e2', timeUnixNano: 1_717_243_200_700_000_000n, attributes: {} },
      ],
      // Typed as strings; what arrives through JSON may be anything, and is written as its text.
      genAi: { properties: { Feature: 'chat', TIER: 2 as unknown as string, b: true as unknown as string }, isModelCall: false },
    }, 1);
    expect(row).toMatchObject({ kind: 'client', status_code: 'error', service_name: 'api', environment: 'prod' });
    expect(row.properties).toEqual({ feature: 'chat', tier: '2', b: 'true' });
    expect(row.resource_attributes).toEqual({ 'service.name': 'api', 'deployment.environment': 'prod', 'host.cores': '8' });
    // The OpenTelemetry Collector's ClickHouse exporter's layout: strings as they are, other values as JSON text, int64 exact.
    expect(row.attributes).toEqual({ big: '9223372036854775807', small: '5', s: 'x', f: '0.25', b: 'false', list: '["a",1,"18446744073709551616"]', obj: '{"k":[1,"two"]}', nil: '' });
    expect(row['events.time']).toEqual(['1717243200.600000001', '1717243200.700000000']);
    expect(row['events.name']).toEqual(['e1', 'e2']);
    expect(row['events.attributes']).toEqual([{ k: '1' }, {}]);
    // Nested arrays stay parallel: one entry per event in each.
    expect(new Set([row['events.time'].length, row['events.name'].length, row['events.attributes'].length])).toEqual(new Set([2]));
  });

  it('fills session columns from the session stage, else from the GenAI attributes, clamping the depth', () => {
    expect(toSpanRow({ ...base, session: { id: 's1', name: 'n', path: '/a/b', parentPath: '/a', depth: 70_000 } }, 1)).toMatchObject({
      session_id: 's1', session_name: 'n', session_path: '/a/b', session_parent_path: '/a', session_depth: 65_535,
    });
    expect(toSpanRow({ ...base, genAi: { sessionId: 'g1', sessionName: 'gn', sessionPath: '/g', properties: {}, isModelCall: true } }, 1)).toMatchObject({
      session_id: 'g1', session_name: 'gn', session_path: '/g', session_parent_path: '', session_depth: 0,
    });
  });

  it('toSpanRows gives the rows of toSpanRow, resource columns computed once per shared resource', () => {
    const shared = { 'service.name': 'api', 'deployment.environment.name': 'prod', 'deployment.environment': 'old' };
    const spans: SpanRecord[] = [
      { ...base, resourceAttributes: shared },
      { ...base, spanId: '1'.repeat(16), resourceAttributes: shared, startTimeUnixNano: 86_400_000_000_000n },
      { ...base, spanId: '2'.repeat(16), resourceAttributes: { 'deployment.environment': 'old', 'service.name': 7 } },
    ];
    const rows = toSpanRows(spans, 3);
    expect(rows).toEqual(spans.map((s) => toSpanRow(s, 3)));
    expect(rows.map((r) => [r.start_time, r.service_name, r.environment, r.version])).toEqual([
      ['1717243200.500000000', 'api', 'prod', 3], ['0000086400.000000000', 'api', 'prod', 3], ['1717243200.500000000', '7', 'old', 3],
    ]);
    expect(rows[0].resource_attributes).toBe(rows[1].resource_attributes); // one map for the shared resource
  });
});

describe('attributeMap', () => {
  it('is a map of strings whatever the values', () => {
    expect(attributeMap({ a: 'x', n: 1, nil: null })).toEqual({ a: 'x', n: '1', nil: '' });
  });
});
