/**
 * The sanitizer through the receivers' conversion (toSpanRecords): every replacement and every
 * limit, on each place a string or a size comes from (span, event, resource, scope, nested
 * values), and the `tokentrace.sanitized` mark that says what was done.
 */
import { describe, expect, it } from 'vitest';
import { pruneNestedJson, pruneNestedProtobuf } from './nested-value-pruning.js';
import { ExportTraceServiceRequest, type OtlpTraceRequest } from './otlp-proto.js';
import { ConfigError } from '@tokentrace/processors';
import { DEFAULT_SPAN_LIMITS, resolveSpanLimits, type SpanLimits } from './span-limits.js';
import { toSpanRecords } from './span-records.js';
import { sanitizedMark, SpanSanitizer, Utf8Repairs } from './span-sanitizer.js';
import { decodeTraceRequest } from './trace-codec.js';

const TRACE = Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex');
const SPAN = Buffer.from('b7ad6b7169203331', 'hex');
const SMALL: SpanLimits = { maxAttributeValueLength: 8, maxNameLength: 6, maxAttributeCount: 3, maxArrayLength: 2, maxEventCount: 2, maxNestingDepth: 2 };

function request(span: Record<string, unknown>, resource: Record<string, unknown> = {}, scope: Record<string, unknown> = {}): OtlpTraceRequest {
  return { resourceSpans: [{ resource, scopeSpans: [{ scope, spans: [{ traceId: TRACE, spanId: SPAN, name: 'span', ...span }] }] }] } as OtlpTraceRequest;
}

function convert(req: OtlpTraceRequest, limits: SpanLimits = SMALL, repairs?: Utf8Repairs) {
  const conversion = toSpanRecords(req, 'p', new SpanSanitizer(limits, { repairs }));
  return { span: conversion.spans[0]!, sanitized: conversion.sanitized };
}

const str = (stringValue: string) => ({ stringValue });
const kv = (key: string, value: unknown) => ({ key, value });

describe('SpanSanitizer', () => {
  it('leaves a span within the limits untouched and unmarked', () => {
    const { span, sanitized } = convert(request({ attributes: [kv('a', str('short'))], events: [{ name: 'e' }] }));
    expect(span.attributes).toEqual({ a: 'short' });
    expect(sanitized).toBe(0);
  });

  it('replaces lone surrogates with U+FFFD in every string: names, keys, values, status, events, resource, scope', () => {
    const lone = 'a\ud800b';
    const { span, sanitized } = convert(
      request(
        { name: '\udc00', status: { message: lone }, attributes: [kv('k\ud800', str(lone)), kv('arr', { arrayValue: { values: [str(lone)] } })], events: [{ name: lone, attributes: [kv('e', str(lone))] }] },
        { attributes: [kv('service.name', str(lone))] },
        { name: lone, version: '\ud800' },
      ),
      DEFAULT_SPAN_LIMITS,
    );
    expect(span.name).toBe('\ufffd');
    expect(span.statusMessage).toBe('a\ufffdb');
    expect(span.attributes['k\ufffd']).toBe('a\ufffdb');
    expect(span.attributes.arr).toEqual(['a\ufffdb']);
    expect(span.events[0]).toMatchObject({ name: 'a\ufffdb', attributes: { e: 'a\ufffdb' } });
    expect(span.resourceAttributes).toEqual({ 'service.name': 'a\ufffdb' });
    expect([span.scopeName, span.scopeVersion]).toEqual(['a\ufffdb', '\ufffd']);
    expect(span.attributes['tokentrace.sanitized']).toEqual(['invalid_utf16_replaced:10']);
    expect(sanitized).toBe(1);
  });

  it('counts strings whose invalid UTF-8 the protobuf decoder replaced', () => {
    // 0xff is never UTF-8; U+FFFD sent as itself (valid bytes) is not a repair.
    const body = Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request({ name: 'NAME', attributes: [kv('legit', str('\ufffd'))] }) as Record<string, unknown>)).finish());
    body.set(Buffer.from([0x4e, 0xff, 0xfe, 0x45]), body.indexOf('NAME'));
    const repairs = new Utf8Repairs();
    const { span } = convert(decodeTraceRequest(body, 'protobuf', { repairs }), DEFAULT_SPAN_LIMITS, repairs);
    expect(span.name).toBe('N\ufffd\ufffdE');
    expect(span.attributes.legit).toBe('\ufffd');
    expect(span.attributes['tokentrace.sanitized']).toEqual(['invalid_utf8_replaced:1']);
  });

  it('counts invalid UTF-8 in an OTLP/JSON body', () => {
    const text = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE.toString('hex'), spanId: SPAN.toString('hex'), name: 'NAME' }] }] }] });
    const body = Buffer.from(text);
    body.set([0xc3, 0x28], body.indexOf('NAME') + 1); // a lead byte followed by no continuation
    const repairs = new Utf8Repairs();
    const { span } = convert(decodeTraceRequest(body, 'json', { repairs }), DEFAULT_SPAN_LIMITS, repairs);
    expect(span.name).toBe('N\ufffd(E');
    expect(span.attributes['tokentrace.sanitized']).toEqual(['invalid_utf8_replaced:1']);
  });

  it('truncates values and names to their limits, never between the halves of a surrogate pair', () => {
    const { span } = convert(
      request({ name: 'a-long-span-name', status: { message: '0123456789' }, attributes: [kv('long-key-name', str('0123456789')), kv('pair', str('1234567😀'))], events: [{ name: 'event-name' }] }),
    );
    expect(span.name).toBe('a-long');
    expect(span.statusMessage).toBe('01234567');
    expect(span.attributes['long-k']).toBe('01234567');
    expect(span.attributes.pair).toBe('1234567'); // the emoji's first half would have been char 8
    expect(span.events[0]!.name).toBe('event-');
    expect(span.attributes['tokentrace.sanitized']).toEqual(['names_truncated:3', 'values_truncated:3']);
  });

  it('truncates bytes values as their base64 text', () => {
    const { span } = convert(request({ attributes: [kv('b', { bytesValue: Buffer.alloc(30) })] }));
    expect(span.attributes.b).toBe('AAAAAAAA');
  });

  it('keeps the first attributes up to the count limit, in spans, events, resources and key-value lists', () => {
    const four = [kv('a', str('1')), kv('b', str('2')), kv('c', str('3')), kv('d', str('4'))];
    const { span } = convert(request({ attributes: [...four, kv('map', { kvlistValue: { values: four } })], events: [{ name: 'e', attributes: four }] }, { attributes: four }));
    expect(span.attributes).toMatchObject({ a: '1', b: '2', c: '3' });
    expect(span.attributes.map).toBeUndefined();
    expect(span.events[0]!.attributes).toEqual({ a: '1', b: '2', c: '3' });
    expect(span.resourceAttributes).toEqual({ a: '1', b: '2', c: '3' });
    const nested = convert(request({ attributes: [kv('map', { kvlistValue: { values: four } })] })).span;
    expect(nested.attributes.map).toEqual({ a: '1', b: '2', c: '3' });
    expect(nested.attributes['tokentrace.sanitized']).toEqual(['attributes_dropped:1']);
    expect(span.attributes['tokentrace.sanitized']).toEqual(['attributes_dropped:4']); // 2 on the span, 1 on the event, 1 on the resource
  });

  it('keeps the first array items and the first events', () => {
    const { span } = convert(request({ attributes: [kv('arr', { arrayValue: { values: [str('1'), str('2'), str('3'), str('4')] } })], events: [{ name: 'e1' }, { name: 'e2' }, { name: 'e3' }] }));
    expect(span.attributes.arr).toEqual(['1', '2']);
    expect(span.events.map((e) => e.name)).toEqual(['e1', 'e2']);
    expect(span.attributes['tokentrace.sanitized']).toEqual(['array_items_dropped:2', 'events_dropped:1']);
  });

  it('drops containers nested deeper than the limit', () => {
    const deep = { arrayValue: { values: [{ arrayValue: { values: [{ kvlistValue: { values: [kv('x', str('y'))] } }, str('kept')] } }] } };
    const { span } = convert(request({ attributes: [kv('deep', deep), kv('map', { kvlistValue: { values: [kv('inner', { kvlistValue: { values: [kv('z', str('1'))] } })] } })] }));
    expect(span.attributes.deep).toEqual([[null, 'kept']]);
    expect(span.attributes.map).toEqual({ inner: { z: '1' } });
    expect(span.attributes['tokentrace.sanitized']).toEqual(['nested_values_dropped:1']);
  });

  it('marks every span of a resource whose attributes were changed, and no span of a clean one', () => {
    const req = {
      resourceSpans: [
        { resource: { attributes: [kv('service.name', str('\ud800'))] }, scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN, name: 'a' }, { traceId: TRACE, spanId: SPAN, name: 'b' }] }] },
        { resource: { attributes: [kv('service.name', str('ok'))] }, scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN, name: 'c' }] }] },
      ],
    } as OtlpTraceRequest;
    const conversion = toSpanRecords(req, 'p', new SpanSanitizer(DEFAULT_SPAN_LIMITS));
    expect(conversion.spans.map((s) => s.attributes['tokentrace.sanitized'])).toEqual([['invalid_utf16_replaced:1'], ['invalid_utf16_replaced:1'], undefined]);
    expect(conversion.sanitized).toBe(2);
  });

  it('keeps `__proto__` as an ordinary attribute', () => {
    const { span } = convert(request({ attributes: [kv('__proto__', { kvlistValue: { values: [kv('polluted', str('yes'))] } })] }), DEFAULT_SPAN_LIMITS);
    expect(Object.getPrototypeOf(span.attributes)).toBe(Object.prototype);
    expect(Object.keys(span.attributes)).toEqual(['__proto__']);
    expect(JSON.stringify(span.attributes)).toBe('{"__proto__":{"polluted":"yes"}}');
  });

  it('writes the mark as sorted action:count entries', () => {
    expect(sanitizedMark({ values_truncated: 2, attributes_dropped: 5 })).toEqual(['attributes_dropped:5', 'values_truncated:2']);
  });
});

describe('span limits', () => {
  it('resolves over the defaults and names a bad key', () => {
    expect(resolveSpanLimits({ maxEventCount: 10 })).toEqual({ ...DEFAULT_SPAN_LIMITS, maxEventCount: 10 });
    expect(() => resolveSpanLimits({ maxAttributeCount: 0 })).toThrow(ConfigError);
    expect(() => resolveSpanLimits({ maxArrayLength: 1.5 })).toThrow(/invalid maxArrayLength: expected an integer ≥ 1, got 1.5/);
    expect(() => resolveSpanLimits({ maxNestingDepth: 5000 })).toThrow(/invalid maxNestingDepth: expected an integer from 1 to 1000/);
  });
});

describe('nested value pruning', () => {
  function nested(depth: number): Record<string, unknown> {
    let value: Record<string, unknown> = { stringValue: 'leaf' };
    for (let i = 0; i < depth; i++) value = { arrayValue: { values: [value] } };
    return value;
  }

  function levels(value: unknown): number {
    let n = 0;
    while (Array.isArray(value)) {
      value = value[0];
      n++;
    }
    return n;
  }

  it('empties AnyValues past the cap in protobuf, leaving every other byte as it was', () => {
    const req = request({ attributes: [kv('deep', nested(6)), kv('flat', str('kept'))], events: [{ name: 'e', attributes: [kv('x', nested(6))] }] }, { attributes: [kv('r', nested(6))] });
    const bytes = ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(req as Record<string, unknown>)).finish();
    const decoded = ExportTraceServiceRequest.decode(pruneNestedProtobuf(bytes, 3));
    const { span } = convert(decoded, DEFAULT_SPAN_LIMITS);
    expect(levels(span.attributes.deep)).toBe(3); // the values at depths 1 to 3 are arrays; depth 4's AnyValue is emptied
    expect(span.attributes.flat).toBe('kept');
    expect(levels(span.events[0]!.attributes.x)).toBe(3);
    expect(levels(span.resourceAttributes.r)).toBe(3);
    expect(span.name).toBe('span');
    expect(pruneNestedProtobuf(bytes, 100)).toEqual(Buffer.from(bytes));
  });

  it('does the same for a parsed OTLP/JSON request', () => {
    const parsed = { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 's', attributes: [kv('deep', nested(6))] }] }] }] };
    pruneNestedJson(parsed, 3);
    type Nested = { arrayValue: { values: Nested[] } };
    const value = parsed.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes[0]!.value as unknown as Nested;
    expect(value.arrayValue.values[0]!.arrayValue.values[0]!.arrayValue.values[0]).toEqual({});
  });

  it('refuses bytes that are not protobuf', () => {
    expect(() => pruneNestedProtobuf(Buffer.from([0x0a, 0x05, 0x01]), 3)).toThrow(RangeError);
    expect(() => pruneNestedProtobuf(Buffer.from([0x0b]), 3)).toThrow(/wire type/);
  });
});
