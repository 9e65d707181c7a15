/**
 * The hand-written binary decoder (protobuf-span-records.ts, what the receivers use for
 * protobuf) against protobufjs's generated decoder followed by toSpanRecords (the reference):
 * the same records, rejections and marks, field by field, for every OTLP field type, unknown
 * fields of every wire type, fields out of order, the limits, invalid UTF-8 and any nesting depth;
 * and malformed bytes refused as OtlpDecodeError, never another error.
 */
import { describe, expect, it } from 'vitest';
import { ExportTraceServiceRequest } from './otlp-proto.js';
import { createInlineSpanDecoder } from './span-decoder.js';
import { DEFAULT_SPAN_LIMITS, type SpanLimits } from './span-limits.js';
import { toSpanRecords, type SpanConversion } from './span-records.js';
import { SpanSanitizer, Utf8Repairs } from './span-sanitizer.js';
import { deepProtobufRequest } from './testing/otlp-bodies.js';
import { decodeTraceRequest, OtlpDecodeError } from './trace-codec.js';

const TRACE = Buffer.from('5b8efff798038103d269b633813fc60c', 'hex');
const SPAN = Buffer.from('eee19b7ec3c1b174', 'hex');
const PARENT = Buffer.from('eee19b7ec3c1b173', 'hex');

const kv = (key: string, value: Record<string, unknown> | undefined) => (value === undefined ? { key } : { key, value });
const str = (stringValue: string) => ({ stringValue });

/** Every AnyValue kind, nested kinds included. */
const EVERY_VALUE = [
  kv('string', str('text é ✓ 𝄞')),
  kv('string.empty', str('')),
  kv('bool.true', { boolValue: true }),
  kv('bool.false', { boolValue: false }),
  kv('int.small', { intValue: 42 }),
  kv('int.negative', { intValue: -17 }),
  kv('int.2^53', { intValue: '9007199254740993' }),
  kv('int.max', { intValue: '9223372036854775807' }),
  kv('int.min', { intValue: '-9223372036854775808' }),
  kv('int.zero', { intValue: 0 }),
  kv('double', { doubleValue: 0.125 }),
  kv('double.negative', { doubleValue: -1e300 }),
  kv('double.nan', { doubleValue: Number.NaN }),
  kv('double.infinity', { doubleValue: Number.POSITIVE_INFINITY }),
  kv('bytes', { bytesValue: Buffer.from([1, 2, 3, 255]) }),
  kv('bytes.empty', { bytesValue: Buffer.alloc(0) }),
  kv('array', { arrayValue: { values: [str('a'), { intValue: 1 }, { boolValue: true }, { doubleValue: 2.5 }, {}, { arrayValue: { values: [str('nested')] } }] } }),
  kv('array.empty', { arrayValue: {} }),
  kv('kvlist', { kvlistValue: { values: [kv('inner', { arrayValue: { values: [str('x'), { kvlistValue: { values: [kv('deep', { intValue: 7 })] } }] } }), kv('none', undefined)] } }),
  kv('kvlist.empty', { kvlistValue: {} }),
  kv('empty', {}),
  kv('no.value', undefined),
  kv('__proto__', str('an ordinary key')),
  kv('repeated', str('first')),
  kv('repeated', str('last')),
];

/** Every field of every message on the way, including those no record keeps. */
const FULL_REQUEST = {
  resourceSpans: [
    {
      resource: { attributes: [kv('service.name', str('svc')), ...EVERY_VALUE], droppedAttributesCount: 3, entityRefs: [{ type: 'service', idKeys: ['service.name'] }] },
      schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
      scopeSpans: [
        {
          scope: { name: 'lib', version: '1.0.0', attributes: [kv('scope.attr', str('v'))], droppedAttributesCount: 1 },
          schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
          spans: [
            {
              traceId: TRACE,
              spanId: SPAN,
              traceState: 'vendor=value',
              parentSpanId: PARENT,
              flags: 0x301,
              name: 'chat gpt-4o',
              kind: 3,
              startTimeUnixNano: '1700000000123456789',
              endTimeUnixNano: '18446744073709551615',
              attributes: EVERY_VALUE,
              droppedAttributesCount: 2,
              events: [
                { timeUnixNano: '1700000000200000000', name: 'gen_ai.choice', attributes: [kv('index', { intValue: 0 }), ...EVERY_VALUE], droppedAttributesCount: 4 },
                { name: 'no time' },
                {},
              ],
              droppedEventsCount: 5,
              links: [{ traceId: TRACE, spanId: PARENT, traceState: 'x=y', attributes: [kv('link.attr', str('v'))], droppedAttributesCount: 1, flags: 1 }],
              droppedLinksCount: 6,
              status: { code: 2, message: 'failed ✗' },
            },
            // Defaults everywhere: a root span with nothing but ids.
            { traceId: TRACE, spanId: Buffer.from('0000000000000001', 'hex') },
            { traceId: TRACE, spanId: SPAN, parentSpanId: Buffer.alloc(8), kind: 99, status: { code: 7 } },
            { traceId: TRACE, spanId: SPAN, kind: -1, status: { code: 1 } },
            // Invalid ids: rejected, with their reasons.
            { traceId: Buffer.alloc(16), spanId: SPAN, name: 'zero trace id', attributes: [kv('x', str('y'.repeat(20)))] },
            { traceId: TRACE.subarray(0, 15), spanId: SPAN },
            { traceId: TRACE, spanId: Buffer.alloc(8) },
            { traceId: TRACE, spanId: SPAN, parentSpanId: PARENT.subarray(0, 4) },
          ],
        },
        { spans: [{ traceId: TRACE, spanId: SPAN, name: 'no scope' }] },
      ],
    },
    { scopeSpans: [{ scope: { name: 'other' }, spans: [{ traceId: TRACE, spanId: SPAN, name: 'no resource' }] }] },
    {},
  ],
};

function encode(request: Record<string, unknown>): Buffer {
  return Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish());
}

/** The reference: protobufjs's decode (with its UTF-8 check) and toSpanRecords. */
function reference(body: Uint8Array, limits: SpanLimits = DEFAULT_SPAN_LIMITS): SpanConversion {
  const repairs = new Utf8Repairs();
  return toSpanRecords(decodeTraceRequest(body, 'protobuf', { repairs, maxNestingDepth: limits.maxNestingDepth }), 'p', new SpanSanitizer(limits, { repairs, wellFormed: true }));
}

function handWritten(body: Uint8Array, limits: SpanLimits = DEFAULT_SPAN_LIMITS): Promise<SpanConversion> {
  return createInlineSpanDecoder(limits).decode(body, 'protobuf', 'p');
}

// A minimal protobuf writer and field walker, to make bodies protobufjs does not write.
function varint(value: bigint | number): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}
const key = (field: number, wire: number) => varint((field << 3) | wire);
const lengthDelimited = (field: number, bytes: Buffer) => Buffer.concat([key(field, 2), varint(bytes.length), bytes]);

/** Unknown fields of every wire type, including a group (proto2) with a field inside. */
const UNKNOWN_FIELDS = Buffer.concat([
  key(1000, 0), varint(-1),
  key(1001, 1), Buffer.alloc(8, 0xab),
  lengthDelimited(1002, Buffer.from('unknown bytes')),
  key(1003, 5), Buffer.alloc(4, 0xcd),
  key(1004, 3), key(1, 0), varint(5), lengthDelimited(2, Buffer.from('in a group')), key(1004, 4),
]);

/** Which fields of each message hold a message, by name (trace.proto, common.proto, resource.proto). */
const SUB_MESSAGES: Record<string, Record<number, string>> = {
  request: { 1: 'resourceSpans' },
  resourceSpans: { 1: 'resource', 2: 'scopeSpans' },
  resource: { 1: 'keyValue' },
  scopeSpans: { 1: 'scope', 2: 'span' },
  scope: { 3: 'keyValue' },
  span: { 9: 'keyValue', 11: 'event', 13: 'link', 15: 'status' },
  event: { 3: 'keyValue' },
  link: { 4: 'keyValue' },
  status: {},
  keyValue: { 2: 'anyValue' },
  anyValue: { 5: 'arrayValue', 6: 'kvList' },
  arrayValue: { 1: 'anyValue' },
  kvList: { 1: 'keyValue' },
};

/**
 * `body` (a `message`) rewritten at every level: fields by descending number (repeated fields
 * keep their order among themselves, so the message means the same) and UNKNOWN_FIELDS inserted
 * first and last.
 */
function rewritten(body: Buffer, message = 'request'): Buffer {
  const fields: Array<{ field: number; bytes: Buffer }> = [];
  let pos = 0;
  const readVarint = () => {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const byte = body[pos++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
      shift += 7n;
    }
  };
  while (pos < body.length) {
    const start = pos;
    const tag = Number(readVarint());
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) readVarint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else {
      const length = Number(readVarint());
      const inner = body.subarray(pos, pos + length);
      pos += length;
      const sub = SUB_MESSAGES[message]![field];
      if (sub) {
        fields.push({ field, bytes: lengthDelimited(field, rewritten(inner, sub)) });
        continue;
      }
    }
    fields.push({ field, bytes: body.subarray(start, pos) });
  }
  fields.sort((a, b) => b.field - a.field); // stable
  return Buffer.concat([UNKNOWN_FIELDS, ...fields.map((f) => f.bytes), UNKNOWN_FIELDS]);
}

describe('the hand-written protobuf decoder', () => {
  it('makes the records protobufjs and toSpanRecords make, for every OTLP field and AnyValue kind', async () => {
    const body = encode(FULL_REQUEST);
    const expected = reference(body);
    expect(expected.spans).toHaveLength(6);
    expect(expected.rejected).toBe(4);
    const actual = await handWritten(body);
    expect(actual).toStrictEqual(expected);
    const [span] = actual.spans;
    // What the reference says, spelled out for the kinds that are easy to get wrong.
    expect(span!.attributes).toMatchObject({ 'int.2^53': 9007199254740993n, 'int.max': 9223372036854775807n, 'int.min': -9223372036854775808n, 'int.negative': -17, bytes: 'AQID/w==', 'bytes.empty': '', empty: null, 'no.value': null, repeated: 'last' });
    expect(Object.getOwnPropertyDescriptor(span!.attributes, '__proto__')?.value).toBe('an ordinary key');
    expect(span!.endTimeUnixNano).toBe(18446744073709551615n);
    expect(actual.errorMessage).toMatch(/^rejected 4 of 10 spans: trace_id .*; span_id .*; parent_span_id/);
  });

  it('skips unknown fields of every wire type and reads fields in any order', async () => {
    const body = encode(FULL_REQUEST);
    const moved = rewritten(body);
    expect(moved.length).toBeGreaterThan(body.length);
    // protobufjs reads the rewritten body as the original one: the rewrite changed no meaning.
    expect(reference(moved)).toStrictEqual(reference(body));
    expect(await handWritten(moved)).toStrictEqual(reference(body));
  });

  it('applies the span limits and marks the spans as toSpanRecords does', async () => {
    const limits: SpanLimits = { maxAttributeValueLength: 3, maxNameLength: 5, maxAttributeCount: 4, maxArrayLength: 2, maxEventCount: 1, maxNestingDepth: 2 };
    const body = encode(FULL_REQUEST);
    const expected = reference(body, limits);
    expect(expected.sanitized).toBe(6);
    expect(expected.spans[0]!.attributes['tokentrace.sanitized']).toEqual(expect.arrayContaining([expect.stringMatching(/^attributes_dropped:/), expect.stringMatching(/^events_dropped:2$/)]));
    expect(await handWritten(body, limits)).toStrictEqual(expected);
    expect(await handWritten(rewritten(body), limits)).toStrictEqual(expected);
  });

  it('replaces invalid UTF-8 with U+FFFD and counts it, in names, keys, values and status', async () => {
    const body = encode({
      resourceSpans: [{ resource: { attributes: [kv('r@@', str('v'))] }, scopeSpans: [{ scope: { name: 'lib@@' }, spans: [{ traceId: TRACE, spanId: SPAN, name: 'NA@@ME', attributes: [kv('k', str('@@' + 'long'.repeat(30))), kv('legit', str('\ufffd'))], status: { message: 'm@@' } }] }] }],
    });
    for (let at = body.indexOf('@@'); at >= 0; at = body.indexOf('@@', at)) body.set([0xff, 0xfe], at);
    const expected = reference(body);
    expect(expected.spans[0]!.name).toBe('NA\ufffd\ufffdME');
    expect(await handWritten(body)).toStrictEqual(expected);
  });

  it('decodes each short string as its own bytes, also those the short-string cache hashes alike', async () => {
    // Same length and same bytes at both ends and in the middle (all the cache hashes): only the
    // check of every byte tells them apart, an invalid or non-ASCII byte among them included.
    const values = ['abcdefghij', 'abXXefghij', 'ab@@efghij', 'abéefghij', 'abcdefghij', '', 'x', 'xy', 'xyz'];
    const span = (i: number) => ({ traceId: TRACE, spanId: Buffer.alloc(8, i + 1), name: values[i % values.length]!, attributes: values.map((v, k) => kv(`k${k}`, str(v))) });
    const body = encode({ resourceSpans: [{ scopeSpans: [{ spans: values.map((_, i) => span(i)) }] }] });
    for (let at = body.indexOf('@@'); at >= 0; at = body.indexOf('@@', at)) body.set([0xff, 0xfe], at);
    const texts = values.map((v) => v.replace('@@', '\ufffd\ufffd'));
    const actual = await handWritten(body);
    expect(actual).toStrictEqual(reference(body));
    for (const [i, record] of actual.spans.entries()) {
      expect(record.name).toBe(texts[i % texts.length]);
      expect(Object.values(record.attributes).slice(0, texts.length)).toEqual(texts);
      expect(record.attributes['tokentrace.sanitized']).toEqual([`invalid_utf8_replaced:${i % values.length === 2 ? 2 : 1}`]);
    }
  });

  it('drops values nested past the limit at any depth without overflowing the stack', async () => {
    const body = deepProtobufRequest(100_000, TRACE.toString('hex'), SPAN.toString('hex'));
    const actual = await handWritten(body);
    // The reference needs its pruning pass for this body (protobufjs recursion overflows).
    expect(actual).toStrictEqual(reference(body));
    expect(actual.spans[0]!.attributes['tokentrace.sanitized']).toEqual(['nested_values_dropped:1']);
  });

  it('decodes the SDK exporter’s requests as the reference does', async () => {
    const spans = Array.from({ length: 50 }, (_, i) => ({
      traceId: Buffer.alloc(16, i + 1),
      spanId: Buffer.alloc(8, i + 1),
      name: `chat model-${i % 3}`,
      kind: 3,
      startTimeUnixNano: String(1700000000000000000n + BigInt(i)),
      endTimeUnixNano: String(1700000001000000000n + BigInt(i)),
      attributes: [kv('gen_ai.operation.name', str('chat')), kv('gen_ai.usage.input_tokens', { intValue: 100 + i }), kv('gen_ai.response.finish_reasons', { arrayValue: { values: [str('stop')] } })],
      status: {},
    }));
    const body = encode({ resourceSpans: [{ resource: { attributes: [kv('service.name', str('app'))] }, scopeSpans: [{ scope: { name: '@tokentrace/instrumentation', version: '0.1.0' }, spans }] }] });
    const actual = await handWritten(body);
    expect(actual).toStrictEqual(reference(body));
    // One resource attributes object for the spans of one ResourceSpans, as toSpanRecords shares it.
    expect(actual.spans[1]!.resourceAttributes).toBe(actual.spans[0]!.resourceAttributes);
  });
});

describe('malformed bodies', () => {
  async function refusal(body: Buffer): Promise<Error | undefined> {
    try {
      await handWritten(body);
      return undefined;
    } catch (err) {
      return err as Error;
    }
  }

  it('refuses what is not the message with OtlpDecodeError naming the problem', async () => {
    const span = (fields: Buffer) => lengthDelimited(1, lengthDelimited(2, lengthDelimited(2, fields)));
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.from([0x0a, 0x05, 0x01]), /runs past its message/],
      [Buffer.from([0x0f]), /invalid wire type 7/],
      [Buffer.from([0x00]), /invalid field key/],
      [Buffer.from([0x08, 0x80]), /truncated varint/],
      [Buffer.from([0x08, ...Array(11).fill(0x80), 0x00]), /longer than 10 bytes/],
      // A span's start time (fixed64, field 7) with 4 of its 8 bytes.
      [Buffer.from([0x0a, 0x09, 0x12, 0x07, 0x12, 0x05, 0x39, 0x01, 0x02, 0x03, 0x04]), /truncated value/],
      // A span's name (field 5, a string) sent as a varint.
      [span(Buffer.concat([key(5, 0), varint(1)])), /field 5 has wire type 0, not 2/],
      // An attribute value's int (field 3, a varint) sent as a string.
      [span(lengthDelimited(9, Buffer.concat([lengthDelimited(1, Buffer.from('k')), lengthDelimited(2, lengthDelimited(3, Buffer.from('1')))]))), /field 3 has wire type 2, not 0/],
      [span(Buffer.concat([key(20, 3), key(21, 4)])), /group 20 ended by 21/],
      [span(key(20, 3)), /unterminated group/],
    ];
    for (const [body, reason] of cases) {
      const err = await refusal(body);
      expect(err, body.toString('hex')).toBeInstanceOf(OtlpDecodeError);
      expect(err!.message).toMatch(/^body is not a protobuf ExportTraceServiceRequest: /);
      expect(err!.message, body.toString('hex')).toMatch(reason);
    }
  });

  it('refuses every truncation of a request, or reads what protobufjs reads from it', async () => {
    const body = encode(FULL_REQUEST);
    for (let length = 0; length < body.length; length++) {
      const cut = body.subarray(0, length);
      const err = await refusal(cut);
      if (err) expect(err, `cut at ${length}`).toBeInstanceOf(OtlpDecodeError);
      else expect(await handWritten(cut), `cut at ${length}`).toStrictEqual(reference(cut));
    }
  });

  it('never fails with anything but OtlpDecodeError on corrupted bytes', async () => {
    const body = encode(FULL_REQUEST);
    let seed = 12345;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const corrupted = Buffer.from(body);
      for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) corrupted[Math.floor(random() * corrupted.length)] = Math.floor(random() * 256);
      const err = await refusal(corrupted);
      if (err) {
        expect(err).toBeInstanceOf(OtlpDecodeError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});
