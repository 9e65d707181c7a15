// Spans encoded on arrival (encoded-span.ts): the insert's body is byte for byte the one of their
// records; a span's record comes back from its row and encodes to the same row again (the spool's
// JSON included); a span without a row stays its record; it counts its row's bytes for batching.
import { describe, expect, it } from 'vitest';
import { estimateSpanBytes } from '../batch/span-size.js';
import { decodeBatch, encodeBatch } from '../exporter-helper/batch-codec.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { ENCODED_SPAN_OVERHEAD_BYTES, EncodedSpan } from './encoded-span.js';
import { encodeSpansInPlace, encodeSpansOnArrival, spanRowBinaryBody } from './span-row-binary.js';
import { HOSTILE, hostileSpans } from './testing/hostile-spans.js';

describe('encodeSpansOnArrival', () => {
  it('makes the body the records make, with the batch version written over each row', () => {
    const records = hostileSpans();
    const encoded = encodeSpansOnArrival(records);
    expect(encoded.every((s) => s instanceof EncodedSpan)).toBe(true);
    expect(spanRowBinaryBody(encoded, 42).equals(spanRowBinaryBody(records, 42))).toBe(true);
    // Any subset, in any order (the IsolatingConsumer halves batches), a later version.
    expect(spanRowBinaryBody([encoded[2]!, encoded[0]!], 2 ** 52).equals(spanRowBinaryBody([records[2]!, records[0]!], 2 ** 52))).toBe(true);
    // Two requests' rows in one batch, and a record among them.
    const other = hostileSpans();
    const both = [...encoded, ...encodeSpansOnArrival(other)];
    expect(spanRowBinaryBody(both, 7).equals(spanRowBinaryBody([...records, ...other], 7))).toBe(true);
    expect(spanRowBinaryBody([encoded[0]!, other[1]!, encoded[2]!], 7).equals(spanRowBinaryBody([records[0]!, other[1]!, records[2]!], 7))).toBe(true);
  });

  it('in place (the collector’s processor): the request’s own array holds the rows afterwards, not the records', () => {
    const records = hostileSpans();
    const array = [...records];
    expect(encodeSpansInPlace(array)).toBe(array);
    expect(array.every((s, i) => s instanceof EncodedSpan && s !== records[i])).toBe(true);
    expect(spanRowBinaryBody(array, 5).equals(spanRowBinaryBody(records, 5))).toBe(true);
  });

  it('keeps a span that has no row as its record, and encodes the others around it', () => {
    const records = hostileSpans();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    records.splice(1, 0, { ...records[0]!, spanId: 'bad', name: 'lone \ud800' });
    records.splice(3, 0, { ...records[2]!, spanId: 'cycle', attributes: { cycle: cycle as never } });
    const encoded = encodeSpansOnArrival(records);
    expect(encoded.map((s) => s instanceof EncodedSpan)).toEqual([true, false, true, false, true]);
    expect(encoded[1]).toBe(records[1]);
    expect(encoded[3]).toBe(records[3]);
    // Each fails the exporter's encoding as it did before (a DataError there: the search finds it).
    expect(() => spanRowBinaryBody([encoded[1]!], 1)).toThrow();
    expect(() => spanRowBinaryBody([encoded[3]!], 1)).toThrow();
    const good = [0, 2, 4];
    expect(spanRowBinaryBody(good.map((i) => encoded[i]!), 5).equals(spanRowBinaryBody(good.map((i) => records[i]!), 5))).toBe(true);
  });

  it('counts its row and one small object for batching by bytes, not the record it was made from', () => {
    const records = hostileSpans();
    const encoded = encodeSpansOnArrival(records) as EncodedSpan[];
    expect(encoded.map(estimateSpanBytes)).toEqual(encoded.map((s) => s.end - s.start + ENCODED_SPAN_OVERHEAD_BYTES));
    expect(estimateSpanBytes(encoded[2]!)).toBeLessThan(estimateSpanBytes(records[2]!));
  });
});

describe('EncodedSpan as a SpanRecord', () => {
  it('reads back what its row says, and that record encodes to the same row', () => {
    const records = hostileSpans();
    const encoded = encodeSpansOnArrival(records) as EncodedSpan[];
    for (let i = 0; i < records.length; i++) {
      expect(spanRowBinaryBody([encoded[i]!.record], 9).equals(spanRowBinaryBody([records[i]!], 9))).toBe(true);
    }
    const [first, second, third] = encoded;
    expect(first).toMatchObject({ projectId: 'proj-0123456789', traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: `chat ${HOSTILE}`, kind: 3, statusCode: 2 });
    expect(first!.endTimeUnixNano - first!.startTimeUnixNano).toBe(1_500_000_007n);
    // Attribute values as the row's text; the resource's attributes hold its service and environment.
    expect(first!.attributes).toMatchObject({ big: '9223372036854775807', list: '["a",1,true,null]', ok: 'false', nil: '', [HOSTILE]: HOSTILE });
    expect(first!.resourceAttributes).toEqual({ 'service.name': 'svc \u00e9', 'deployment.environment': 'prod', 'host.cores': '8' });
    expect(first!.genAi).toMatchObject({ provider: 'openai', inputTokens: 1201, reasoningOutputTokens: Number.MAX_SAFE_INTEGER, resendCount: 65535, isModelCall: true });
    expect(first!.genAi!.outputTokens).toBeUndefined();
    expect(first!.cost).toMatchObject({ status: 'priced', totalUsd: 0.3000000000000001, pricedModel: 'gpt-4o' });
    expect(first!.session).toEqual({ id: 's-2', name: 'sess', path: '/x', parentPath: '/', depth: 3 });
    expect(first!.events.map((e) => e.name)).toEqual(['gen_ai.content.prompt', 'unset time', 'far future']);
    expect(second).toMatchObject({ startTimeUnixNano: 0n, endTimeUnixNano: 0n, kind: 0, statusCode: 0 });
    expect(Object.keys(second!.attributes)).toHaveLength(200);
    expect(second!.cost).toBeUndefined();
    expect(second!.session).toBeUndefined();
    expect(third!.genAi).toEqual({ isModelCall: false, properties: {} });
  });

  it('goes through the spool as its record, and comes back as one that encodes to the same row', () => {
    const records = hostileSpans();
    const back: SpanRecord[] = decodeBatch(encodeBatch(encodeSpansOnArrival(records)));
    expect(back.some((s) => s instanceof EncodedSpan)).toBe(false);
    expect(spanRowBinaryBody(back, 3).equals(spanRowBinaryBody(records, 3))).toBe(true);
  });

  it('refuses assignments: its row would no longer say the same', () => {
    const [span] = encodeSpansOnArrival(hostileSpans());
    expect(() => {
      (span as { name: string }).name = 'changed';
    }).toThrow(TypeError);
  });
});
