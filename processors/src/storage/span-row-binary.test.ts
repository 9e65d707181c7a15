// Against the real engine (embedded ClickHouse, chdb): the exporter's RowBinary body stores exactly what the JSON
// rows of span-row.ts store, for every column type (String, LowCardinality, DateTime64(9), UInt64, Nullable,
// Enum8, UInt16, Map, Nested), with hostile and unicode strings; and the writer's edge cases.
import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../pipeline/processor.js';
import { createClickHouseClient } from './clickhouse-client.js';
import { insertSpanBatch, spanBatchBody } from './clickhouse-exporter.js';
import { RowBinaryWriter } from './row-binary-writer.js';
import { SpanEncodingError, spanRowBinaryBody, wireType } from './span-row-binary.js';
import { ensureSchema, schemaTables } from './schema.js';
import { SPAN_INSERT_COLUMNS } from './span-table.js';
import { HOSTILE, hostileSpans as spans } from './testing/hostile-spans.js';

let root: string;
let client: ClickHouseClient;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tokentrace-rowbinary-'));
  client = createClickHouseClient({ url: '', dataDir: join(root, 'clickhouse') });
});

afterAll(async () => {
  await client?.close();
  await rm(root, { recursive: true, force: true });
});

async function stored(table: string): Promise<unknown[]> {
  const columns = [...SPAN_INSERT_COLUMNS, 'model'].map((c) => `\`${c}\``).join(', ');
  const query = `SELECT ${columns}, toString(start_time) AS start_text, arrayMap(t -> toString(t), \`events.time\`) AS event_texts FROM ${table} ORDER BY span_id`;
  return (await client.query({ query, format: 'JSONEachRow' })).json();
}

describe('spanRowBinaryBody on the embedded engine', () => {
  it('stores every column exactly as the JSON rows do', async () => {
    // No retention: the rows of 1970 would be dropped with their day.
    await ensureSchema(client, 'tt_rb_json', undefined, undefined, { retentionDays: 0 });
    await ensureSchema(client, 'tt_rb_binary', undefined, undefined, { retentionDays: 0 });
    // The JSON rows go through chdb's raw insert of text, the RowBinary body through a file (embedded-engine.ts).
    await insertSpanBatch(client, schemaTables('tt_rb_json').spans, spanBatchBody(spans(), 42, 'JSONCompactEachRow'));
    await insertSpanBatch(client, schemaTables('tt_rb_binary').spans, spanBatchBody(spans(), 42, 'RowBinary'));
    const json = await stored(schemaTables('tt_rb_json').spans);
    const binary = await stored(schemaTables('tt_rb_binary').spans);
    expect(binary).toHaveLength(3);
    expect(binary).toEqual(json);
    // The attribute keys written the second time come from the encoder's cache of keys: the same bytes.
    expect(spanRowBinaryBody(spans(), 42)).toEqual(spanRowBinaryBody(spans(), 42));
    // Ordered by span_id: '0a0a…', '1', 'b7ad…'.
    const [second, third, first] = binary as Array<Record<string, unknown>>;
    // Spot checks, so that two encodings agreeing on something wrong would still fail.
    expect(first).toMatchObject({
      name: `chat ${HOSTILE}`, status_message: HOSTILE.repeat(20), duration_ns: '1500000007', kind: 'client', status_code: 'error',
      input_tokens: '1201', output_tokens: null, cache_read_tokens: null, reasoning_tokens: String(Number.MAX_SAFE_INTEGER),
      cost_cache_write_usd: null, cost_total_usd: 0.3000000000000001, ttft_seconds: 0.123456789, model: 'gpt-4o-2024-08-06',
      session_id: 's-2', session_depth: 3, resend_count: 65535, service_name: 'svc \u00e9', environment: 'prod', version: '42',
      properties: { plan: 'pro', [HOSTILE.toLowerCase()]: 'x' },
      resource_attributes: { 'service.name': 'svc \u00e9', 'deployment.environment': 'prod', 'host.cores': '8' },
      'events.name': ['gen_ai.content.prompt', 'unset time', 'far future'],
      'events.attributes': [{ prompt: HOSTILE, n: '3' }, {}, { '': '' }],
    });
    expect(first.attributes).toMatchObject({ big: '9223372036854775807', huge: '18446744073709551616', list: '["a",1,true,null]', obj: '{"k":[1,"two"]}', ok: 'false', nil: '', [HOSTILE]: HOSTILE, '\n\n': '\n\n' });
    expect(String(first.start_text).endsWith('08:00:00.000000001')).toBe(true);
    expect(first.event_texts).toEqual([String(first.start_text).replace('08:00:00.000000001', '08:00:01.000000000'), '1970-01-01 00:00:00.000000005', '2099-12-31 23:59:59.000000000']);
    expect(second).toMatchObject({ project_id: 'p123456789', kind: 'unspecified', status_code: 'unset', start_text: '1970-01-01 00:00:00.000000000', duration_ns: '0' });
    expect(Object.keys(second.attributes as object)).toHaveLength(200);
    expect(third).toMatchObject({ name: '\n', start_text: '2099-12-31 23:59:59.000000000', duration_ns: '18446744073709551615', is_model_call: 0 });
  });

  it('refuses a span with a lone surrogate as a DataError naming it, and writes nothing for it', () => {
    const [span] = spans();
    for (const bad of [{ ...span, name: 'a\ud800' }, { ...span, attributes: { 'k\udc00': 'v' } }, { ...span, events: [{ name: 'e', timeUnixNano: 1n, attributes: { k: 'v\ud83d' } }] }]) {
      let err: unknown;
      try {
        spanRowBinaryBody([bad], 1);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SpanEncodingError);
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toContain(`span ${span.spanId} of trace ${span.traceId}`);
    }
  });
});

describe('wireType (the check of the encoder against span-table.ts when it loads)', () => {
  it('sees through what does not change the bytes, and nothing else', () => {
    expect(wireType('Map(LowCardinality(String), String)')).toBe('Map(String, String)');
    expect(wireType("Array(DateTime64(9, 'UTC'))")).toBe('Array(DateTime64(9))');
    expect(wireType("Enum8('unset' = 0, 'ok' = 1)")).toBe('Enum8');
    expect(wireType('LowCardinality(Nullable(String))')).toBe('Nullable(String)'); // a null flag: not what String writes
    expect(wireType("DateTime64(6, 'UTC')")).not.toBe('DateTime64(9)');
  });
});

describe('RowBinaryWriter', () => {
  it('writes LEB128 lengths and counts, widening a count kept in one byte', () => {
    const w = new RowBinaryWriter(1);
    w.string('a'.repeat(300));
    const mark = w.beginCount();
    w.uint8(7);
    w.endCount(mark, 300);
    const body = w.done();
    expect([...body.subarray(0, 2)]).toEqual([0xac, 0x02]); // 300
    expect(body.subarray(2, 302).toString()).toBe('a'.repeat(300));
    expect([...body.subarray(302)]).toEqual([0xac, 0x02, 7]);
  });

  it("writes a safe integer's text as the String of String(value) would be written", () => {
    for (const value of [0, -0, 7, -7, 10, 99, 100, 443, -1000, 1_201, 123_456_789, 1e15, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
      const digits = new RowBinaryWriter(1);
      digits.safeIntegerText(value);
      const text = new RowBinaryWriter(1);
      text.string(String(value));
      expect(digits.done()).toEqual(text.done());
    }
  });

  it('writes UTF-8 of short and long strings, and refuses lone surrogates without writing', () => {
    const w = new RowBinaryWriter(1);
    expect(w.string('\u00e9\ud83d\ude00')).toBe(true);
    expect(w.string('x\ud800')).toBe(false);
    expect(w.string('\u4e2d'.repeat(50))).toBe(true);
    const body = w.done();
    expect(body[0]).toBe(6);
    expect(body.subarray(1, 7).toString()).toBe('\u00e9\ud83d\ude00');
    expect([...body.subarray(7, 9)]).toEqual([0x96, 0x01]); // 150 bytes
    expect(body.subarray(9).toString()).toBe('\u4e2d'.repeat(50));
  });

  it('writes every string as its LEB128 UTF-8 length and bytes, around each length the writer treats apart', () => {
    // The loop below 16 units, the encoder above; one- and two-byte prefixes; long strings measured first.
    const lengths = [0, 1, 15, 16, 17, 42, 43, 127, 128, 129, 5000];
    const values = lengths.flatMap((n) => ['a'.repeat(n), '\u00e9'.repeat(n), `${'b'.repeat(n)}\ud83d\ude00`, `\u4e2d${'c'.repeat(n)}`]);
    const w = new RowBinaryWriter(1);
    for (const v of values) expect(w.string(v)).toBe(true);
    for (const v of ['\ud800'.padStart(20, 'x'), `${'y'.repeat(200)}\udc00`]) expect(w.string(v)).toBe(false);
    const expected = Buffer.concat(values.map((v) => {
      const bytes = Buffer.from(v, 'utf8');
      const prefix: number[] = [];
      let n = bytes.length;
      while (n >= 0x80) {
        prefix.push((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      prefix.push(n);
      return Buffer.concat([Buffer.from(prefix), bytes]);
    }));
    expect(w.done().equals(expected)).toBe(true);
  });
});
