/**
 * Decoding details the SDK exporters never exercise: OTLP/JSON's hex ids in upper case, int64 as
 * JSON numbers past 2^53, enum names, unknown fields; AnyValue kinds (kvlist, bytes, empty,
 * int64 beyond doubles) in both encodings; bodies that are not the message.
 */
import { describe, expect, it } from 'vitest';
import { ExportTraceServiceRequest } from './otlp-proto.js';
import { toSpanRecords } from './span-records.js';
import { decodeTraceRequest, encodeTraceResponse, encodingOf, OtlpDecodeError } from './trace-codec.js';

const jsonRequest = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }], droppedAttributesCount: 0, unknownField: { nested: true } },
      scopeSpans: [
        {
          scope: { name: 'lib', version: '1.0.0' },
          spans: [
            {
              traceId: '5B8EFFF798038103D269B633813FC60C',
              spanId: 'EEE19B7EC3C1B174',
              parentSpanId: 'EEE19B7EC3C1B173',
              name: 'server span',
              kind: 2,
              startTimeUnixNano: '1700000000123456789',
              endTimeUnixNano: '1700000000987654321',
              status: { code: 2, message: 'failed' },
              attributes: [
                { key: 'int.small', value: { intValue: 42 } },
                { key: 'int.string', value: { intValue: '-17' } },
                { key: 'int.huge', value: { intValue: '9223372036854775807' } },
                { key: 'double', value: { doubleValue: 0.125 } },
                { key: 'bool', value: { boolValue: false } },
                { key: 'bytes', value: { bytesValue: 'AQID' } },
                { key: 'map', value: { kvlistValue: { values: [{ key: 'inner', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] } } }] } } },
                { key: 'empty', value: {} },
              ],
              events: [{ name: 'e', timeUnixNano: '1700000000200000000', attributes: [{ key: 'k', value: { stringValue: 'v' } }] }],
              links: [{ traceId: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', spanId: 'BBBBBBBBBBBBBBBB' }],
              futureField: 'ignored',
            },
          ],
        },
      ],
    },
  ],
};

const expectedAttributes = {
  'int.small': 42,
  'int.string': -17,
  'int.huge': 9223372036854775807n,
  double: 0.125,
  bool: false,
  bytes: 'AQID',
  map: { inner: ['a', 1] },
  empty: null,
};

describe('OTLP/JSON decoding', () => {
  it('decodes hex ids case-insensitively, int64 numbers exactly, and ignores unknown fields', () => {
    const request = decodeTraceRequest(Buffer.from(JSON.stringify(jsonRequest).replace('"1700000000123456789"', '1700000000123456789')), 'json');
    const { spans, rejected } = toSpanRecords(request, 'p1');
    expect(rejected).toBe(0);
    expect(spans).toEqual([
      {
        projectId: 'p1',
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        parentSpanId: 'eee19b7ec3c1b173',
        name: 'server span',
        kind: 2,
        startTimeUnixNano: 1700000000123456789n,
        endTimeUnixNano: 1700000000987654321n,
        statusCode: 2,
        statusMessage: 'failed',
        attributes: expectedAttributes,
        resourceAttributes: { 'service.name': 'svc' },
        scopeName: 'lib',
        scopeVersion: '1.0.0',
        events: [{ name: 'e', timeUnixNano: 1700000000200000000n, attributes: { k: 'v' } }],
      },
    ]);
  });

  it('keeps a 19-digit JSON number exact (JSON.parse alone would round it)', () => {
    // 1700000000123456789 is not a double: Number() rounds it to ...456768.
    expect(BigInt(Number('1700000000123456789'))).not.toBe(1700000000123456789n);
    const text = '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","startTimeUnixNano":1700000000123456789}]}]}]}';
    expect(toSpanRecords(decodeTraceRequest(Buffer.from(text), 'json'), 'p').spans[0]!.startTimeUnixNano).toBe(1700000000123456789n);
  });

  it('rejects spans whose ids are not hex, without failing the request', () => {
    const text = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [
        { traceId: 'zz8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174' },
        { traceId: '5b8efff798038103d269b633813fc60c0', spanId: 'eee19b7ec3c1b174' },
        { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', parentSpanId: 'eee1' },
        { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', parentSpanId: '' },
      ] }] }],
    });
    const { spans, rejected, errorMessage } = toSpanRecords(decodeTraceRequest(Buffer.from(text), 'json'), 'p');
    expect(rejected).toBe(3);
    expect(spans.map((s) => s.parentSpanId)).toEqual(['']);
    expect(errorMessage).toMatch(/^rejected 3 of 4 spans: trace_id .*; parent_span_id/);
  });

  it('refuses JSON that is not an ExportTraceServiceRequest, naming the problem', () => {
    expect(() => decodeTraceRequest(Buffer.from('{"resourceSpans": [{"scopeSpans": "nope"}]}'), 'json')).toThrow(/scopeSpans: array expected/);
    expect(() => decodeTraceRequest(Buffer.from('[1, 2]'), 'json')).toThrow(OtlpDecodeError);
    expect(() => decodeTraceRequest(Buffer.from('{"resourceSpans": ['), 'json')).toThrow(/not JSON/);
  });
});

describe('binary protobuf decoding', () => {
  it('decodes the same message to the same records as its JSON form', () => {
    const fromJson = decodeTraceRequest(Buffer.from(JSON.stringify(jsonRequest)), 'json');
    const bytes = ExportTraceServiceRequest.encode(fromJson).finish();
    const records = toSpanRecords(decodeTraceRequest(bytes, 'protobuf'), 'p1').spans;
    expect(records[0]!.attributes).toEqual(expectedAttributes);
    expect(records).toEqual(toSpanRecords(fromJson, 'p1').spans);
  });

  it('maps unknown kind and status numbers to unspecified and unset', () => {
    const bytes = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({
        resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), kind: 9, status: { code: 7 } }] }] }],
      }),
    ).finish();
    const [span] = toSpanRecords(decodeTraceRequest(bytes, 'protobuf'), 'p').spans;
    expect([span!.kind, span!.statusCode, span!.traceId, span!.spanId]).toEqual([0, 0, '01'.repeat(16), '02'.repeat(8)]);
  });

  it('decodes every short string to its own text when the recent-strings slots collide, repeat and hold other strings', () => {
    // 6000 distinct short keys and values (more than the 4096 slots, so slots are shared), each
    // sent twice, with non-ASCII and 64/65-byte strings between: what comes back is what was sent.
    const texts = Array.from({ length: 6000 }, (_, i) => (i % 7 === 0 ? `kéy-${i}` : `key-${i}`.padEnd(i % 3 === 0 ? 64 : i % 3 === 1 ? 65 : 5 + (i % 40), String(i % 10))));
    const attributes = [...texts, ...texts].map((text, i) => ({ key: text, value: { stringValue: texts[(i * 7919) % texts.length] } }));
    const bytes = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), name: 'x', attributes }] }] }] }),
    ).finish();
    const [decoded] = decodeTraceRequest(bytes, 'protobuf').resourceSpans![0]!.scopeSpans![0]!.spans!;
    expect(decoded!.attributes!.map((kv) => [kv.key, kv.value!.stringValue])).toEqual(attributes.map((kv) => [kv.key, kv.value.stringValue]));
  });

  it('refuses bytes that are not the message, and truncated messages', () => {
    expect(() => decodeTraceRequest(Buffer.from([0x0a, 0x05, 0x01]), 'protobuf')).toThrow(OtlpDecodeError);
    expect(() => decodeTraceRequest(Buffer.from([0x0f]), 'protobuf')).toThrow(/not a protobuf ExportTraceServiceRequest/);
    // A span's start time (fixed64, field 7) with 4 of its 8 bytes, in messages whose lengths say so.
    const cutTime = Buffer.from([0x0a, 0x09, 0x12, 0x07, 0x12, 0x05, 0x39, 0x01, 0x02, 0x03, 0x04]);
    expect(() => decodeTraceRequest(cutTime, 'protobuf')).toThrow(OtlpDecodeError);
  });
});

describe('responses and content types', () => {
  it('leaves partial_success unset on full success and fills it otherwise', () => {
    expect(encodeTraceResponse('protobuf', 0, '')).toHaveLength(0);
    expect(Buffer.from(encodeTraceResponse('json', 0, '')).toString()).toBe('{}');
    expect(JSON.parse(Buffer.from(encodeTraceResponse('json', 3, 'bad ids')).toString())).toEqual({ partialSuccess: { rejectedSpans: '3', errorMessage: 'bad ids' } });
  });

  it('recognises the OTLP content types with parameters, and nothing else', () => {
    expect(encodingOf('application/x-protobuf')).toBe('protobuf');
    expect(encodingOf('Application/JSON; charset=utf-8')).toBe('json');
    expect(encodingOf('text/plain')).toBeUndefined();
    expect(encodingOf(undefined)).toBeUndefined();
  });
});
