/**
 * Issue 10, end to end: a real collector with its own ClickHouse takes valid OTLP traffic with
 * every kind of poison span interleaved (content ClickHouse would refuse, sizes and depths past
 * the limits, extreme timestamps, invalid ids), over OTLP/HTTP protobuf, OTLP/HTTP JSON and
 * OTLP/gRPC. Every valid span must be stored within seconds; each poison span is stored
 * sanitized (and marked), rejected with partial_success (invalid ids) or set aside and counted;
 * storage stays healthy and the spool empty.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, credentials, type ServiceError } from '@grpc/grpc-js';
import { createClickHouseClient } from '@tokentrace/processors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from './collector.js';
import { testCollectorConfig } from './config/testing/test-collector-config.js';
import { ExportTraceServiceResponse } from './receivers/otlp-proto.js';
import { deepProtobufRequest, RAW_SPAN_START_NS, rawSpan, requestWith, toProtobuf } from './receivers/testing/otlp-bodies.js';

const VALID_TRACE = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1';
const POISON_TRACE = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2';

let dir: string;
let collector: Collector;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tt-poison-'));
  const config = testCollectorConfig(dir, { grpc: true });
  // Kept forever: a span that says it started in 1970 is stored as sent, and the default
  // retention (400 days) would drop its day at the next merge.
  config.clickhouse.retentionDays = 0;
  collector = await Collector.start(config, { log: () => undefined });
}, 60_000);

afterAll(async () => {
  await collector?.shutdown();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

// ---------------------------------------------------------------- traffic

let validCount = 0;
const validIds: string[] = [];

function validSpans(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, () => {
    const id = (0x1000 + ++validCount).toString(16).padStart(16, '0');
    validIds.push(id);
    return rawSpan(VALID_TRACE, id, `valid ${validCount}`);
  });
}

let poisonCount = 0;
function poisonId(): string {
  return (0xf000 + ++poisonCount).toString(16).padStart(16, '0');
}

interface Answer {
  status: number;
  rejectedSpans: number;
}

async function postHttp(body: Uint8Array, encoding: 'protobuf' | 'json'): Promise<Answer> {
  const response = await fetch(`${collector.http.url}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': encoding === 'json' ? 'application/json' : 'application/x-protobuf' },
    body: Buffer.from(body),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 200) return { status: response.status, rejectedSpans: 0 };
  const decoded = encoding === 'json' ? (JSON.parse(Buffer.from(bytes).toString()) as { partialSuccess?: { rejectedSpans?: string } }) : ExportTraceServiceResponse.decode(bytes);
  return { status: 200, rejectedSpans: Number(decoded.partialSuccess?.rejectedSpans ?? 0) };
}

async function postGrpc(body: Uint8Array): Promise<Answer> {
  const client = new Client(`127.0.0.1:${collector.grpc!.port}`, credentials.createInsecure());
  try {
    const reply = await new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(
        '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from(body),
        (err: ServiceError | null, value?: Buffer) => (err ? reject(err) : resolve(value!)),
      ),
    );
    return { status: 200, rejectedSpans: Number(ExportTraceServiceResponse.decode(reply).partialSuccess?.rejectedSpans ?? 0) };
  } finally {
    client.close();
  }
}

/** A request of valid spans around the poison ones, in one resource (or in `resource`'s). */
function around(poison: Record<string, unknown>[], resource?: Record<string, unknown>): Record<string, unknown> {
  const before = validSpans(5);
  const after = validSpans(5);
  if (!resource) return requestWith([...before, ...poison, ...after]);
  const request = requestWith([...before, ...after]) as { resourceSpans: unknown[] };
  request.resourceSpans.push({ resource, scopeSpans: [{ scope: { name: 'raw' }, spans: poison }] });
  return request;
}

/** Replaces the first occurrence of `marker` in `body` with bytes that are not UTF-8. */
function withInvalidUtf8(body: Uint8Array, marker: string): Buffer {
  const bytes = Buffer.from(body);
  const at = bytes.indexOf(marker);
  expect(at).toBeGreaterThanOrEqual(0);
  bytes.set([0xff, 0xc0, 0xed, 0xa0], at); // never UTF-8; the last two a lone surrogate in CESU-8
  return bytes;
}

const str = (stringValue: string) => ({ stringValue });

interface PoisonCase {
  name: string;
  send(): Promise<Answer>;
  /** Span ids stored sanitized, and what their mark must mention. */
  sanitized: Record<string, string>;
  /** Span ids stored unchanged. */
  unchanged?: string[];
  rejected?: number;
}

function poisonCases(): PoisonCase[] {
  const cases: PoisonCase[] = [];
  const jsonCase = (name: string, span: (id: string) => Record<string, unknown>, action = 'invalid_utf16_replaced'): void => {
    const id = poisonId();
    cases.push({ name, send: () => postHttp(Buffer.from(JSON.stringify(around([span(id)]))), 'json'), sanitized: { [id]: action } });
  };
  jsonCase('lone surrogate in a span name (JSON)', (id) => rawSpan(POISON_TRACE, id, 'name \ud800 here'));
  jsonCase('lone surrogate in an attribute key (JSON)', (id) => ({ ...rawSpan(POISON_TRACE, id, 'key'), attributes: [{ key: 'key\udc00', value: str('v') }] }));
  jsonCase('lone surrogate in an attribute value (JSON)', (id) => ({ ...rawSpan(POISON_TRACE, id, 'value'), attributes: [{ key: 'k', value: str('v\ud800') }] }));
  jsonCase('lone surrogate in an event (JSON)', (id) => ({
    ...rawSpan(POISON_TRACE, id, 'event'),
    events: [{ name: 'ev\ud800', timeUnixNano: RAW_SPAN_START_NS.toString(), attributes: [{ key: 'x', value: { arrayValue: { values: [str('\udfff')] } } }] }],
  }));
  jsonCase('lone surrogate in a status message (JSON)', (id) => ({ ...rawSpan(POISON_TRACE, id, 'status'), status: { code: 2, message: 'boom \ud800' } }));
  {
    const id = poisonId();
    const resource = { attributes: [{ key: 'service.name', value: str('svc \ud800') }] };
    cases.push({
      name: 'lone surrogate in a resource attribute (JSON)',
      send: () => postHttp(Buffer.from(JSON.stringify(around([rawSpan(POISON_TRACE, id, 'resource')], resource))), 'json'),
      sanitized: { [id]: 'invalid_utf16_replaced' },
    });
  }
  {
    const [a, b] = [poisonId(), poisonId()];
    const body = () => withInvalidUtf8(toProtobuf(around([rawSpan(POISON_TRACE, a, 'utf8 NAMEXXXX'), { ...rawSpan(POISON_TRACE, b, 'utf8 value'), attributes: [{ key: 'k', value: str('VALUEXXX') }] }])), 'NAMEXXXX');
    cases.push({ name: 'invalid UTF-8 in protobuf strings (HTTP)', send: () => postHttp(withInvalidUtf8(body(), 'VALUEXXX'), 'protobuf'), sanitized: { [a]: 'invalid_utf8_replaced', [b]: 'invalid_utf8_replaced' } });
  }
  {
    const id = poisonId();
    cases.push({ name: 'invalid UTF-8 in protobuf strings (gRPC)', send: () => postGrpc(withInvalidUtf8(toProtobuf(around([rawSpan(POISON_TRACE, id, 'grpc NAMEXXXX')])), 'NAMEXXXX')), sanitized: { [id]: 'invalid_utf8_replaced' } });
  }
  {
    const id = poisonId();
    cases.push({
      name: 'a 10 MB attribute value',
      send: () => postHttp(toProtobuf(around([{ ...rawSpan(POISON_TRACE, id, 'huge value'), attributes: [{ key: 'huge', value: str('x'.repeat(10_000_000)) }] }])), 'protobuf'),
      sanitized: { [id]: 'values_truncated' },
    });
  }
  {
    const id = poisonId();
    const attributes = Array.from({ length: 200_000 }, (_, i) => ({ key: `a${i}`, value: { intValue: i } }));
    cases.push({ name: '200,000 attributes on one span', send: () => postHttp(toProtobuf(around([{ ...rawSpan(POISON_TRACE, id, 'many attributes'), attributes }])), 'protobuf'), sanitized: { [id]: 'attributes_dropped' } });
  }
  {
    const [p, j] = [poisonId(), poisonId()];
    const depth = 100_000;
    const deepJson = `{"arrayValue":{"values":[`.repeat(depth) + '{"stringValue":"x"}' + ']}}'.repeat(depth);
    const jsonBody = JSON.stringify(around([{ ...rawSpan(POISON_TRACE, j, 'deep json'), attributes: [{ key: 'deep', value: '@DEEP@' }] }])).replace('"@DEEP@"', deepJson);
    cases.push({
      name: '100,000-deep nested arrays (protobuf and JSON)',
      send: async () => {
        const proto = await postHttp(deepProtobufRequest(depth, POISON_TRACE, p), 'protobuf');
        const json = await postHttp(Buffer.from(jsonBody), 'json');
        return { status: Math.max(proto.status, json.status), rejectedSpans: proto.rejectedSpans + json.rejectedSpans };
      },
      sanitized: { [p]: 'nested_values_dropped', [j]: 'nested_values_dropped' },
    });
  }
  {
    const [zero, max] = [poisonId(), poisonId()];
    const MAX = '18446744073709551615';
    cases.push({
      name: 'timestamps at 0 and 2^64-1',
      send: () =>
        postHttp(
          toProtobuf(around([{ ...rawSpan(POISON_TRACE, zero, 'time zero'), startTimeUnixNano: '0', endTimeUnixNano: MAX }, { ...rawSpan(POISON_TRACE, max, 'time max'), startTimeUnixNano: MAX, endTimeUnixNano: '0' }])),
          'protobuf',
        ),
      sanitized: {},
      unchanged: [zero, max],
    });
  }
  for (const encoding of ['protobuf', 'json'] as const) {
    const bad = [
      rawSpan('abcdef', poisonId(), '3-byte trace id'),
      rawSpan('', poisonId(), 'empty trace id'),
      rawSpan('ab'.repeat(1000), poisonId(), '1000-byte trace id'),
      rawSpan('0'.repeat(32), poisonId(), 'zero trace id'),
      rawSpan(POISON_TRACE, 'abcdef', '3-byte span id'),
      rawSpan(POISON_TRACE, 'cd'.repeat(100), '100-byte span id'),
      rawSpan(POISON_TRACE, '0'.repeat(16), 'zero span id'),
    ];
    const request = around(bad);
    cases.push({ name: `invalid ids (${encoding})`, send: () => postHttp(encoding === 'json' ? Buffer.from(JSON.stringify(request)) : toProtobuf(request), encoding), sanitized: {}, rejected: bad.length });
  }
  return cases;
}

// ---------------------------------------------------------------- the test

interface StoredSpan {
  span_id: string;
  name: string;
  /** The stored map: string values as sent, others as their JSON text. */
  attributes: Record<string, string>;
}

async function storedSpans(): Promise<Map<string, StoredSpan>> {
  const client = createClickHouseClient(collector.clickhouse);
  try {
    const result = await client.query({
      query: `SELECT span_id, name, attributes FROM tokentrace.spans FINAL WHERE trace_id IN ('${VALID_TRACE}', '${POISON_TRACE}')`,
      format: 'JSONEachRow',
    });
    return new Map((await result.json<StoredSpan>()).map((row) => [row.span_id, row]));
  } finally {
    await client.close();
  }
}

async function health(): Promise<{ counters: Record<string, number>; storage: { healthy: boolean; spooledBatches: number } }> {
  return (await fetch(`${collector.http.url}/health`)).json() as never;
}

describe('poison spans among valid traffic', () => {
  it('stores every valid span within seconds; poison is sanitized, rejected or set aside; storage stays healthy', async () => {
    // Valid traffic flows the whole time, from a second sender.
    let flowing = true;
    const background = (async () => {
      while (flowing) expect((await postHttp(toProtobuf(requestWith(validSpans(20))), 'protobuf')).status).toBe(200);
    })();

    const cases = poisonCases();
    for (const poison of cases) {
      const answer = await poison.send();
      expect(answer, poison.name).toEqual({ status: 200, rejectedSpans: poison.rejected ?? 0 });
      expect((await health()).storage.healthy, `storage healthy after: ${poison.name}`).toBe(true);
    }
    flowing = false;
    await background;

    const sentAt = Date.now();
    const expected = [...validIds, ...cases.flatMap((c) => [...Object.keys(c.sanitized), ...(c.unchanged ?? [])])];
    let stored = await storedSpans();
    let state = await health();
    while ((expected.some((id) => !stored.has(id)) || state.counters.spans_stored < state.counters.spans_received) && Date.now() - sentAt < 30_000) {
      await new Promise((r) => setTimeout(r, 200));
      [stored, state] = await Promise.all([storedSpans(), health()]);
    }
    const missing = expected.filter((id) => !stored.has(id));
    expect(missing, 'spans not stored 30 s after the last request').toEqual([]);

    for (const poison of cases) {
      for (const [id, action] of Object.entries(poison.sanitized)) {
        const mark = JSON.parse(stored.get(id)!.attributes['tokentrace.sanitized']!) as string[];
        expect(mark.join(' '), `${poison.name}: ${id}`).toContain(`${action}:`);
      }
    }
    expect(stored.get(Object.keys(cases[0]!.sanitized)[0]!)!.name).toBe('name \ufffd here');
    expect(stored.get(validIds[0]!)!.attributes).toEqual({});
    // Nothing with an invalid id was stored.
    expect([...stored.values()].filter((s) => /id$/.test(s.name))).toEqual([]);

    expect(state.storage).toMatchObject({ healthy: true, spooledBatches: 0 });
    expect(state.counters.spans_sanitized).toBe(cases.reduce((n, c) => n + Object.keys(c.sanitized).length, 0));
    expect(state.counters.spans_rejected).toBe(14);
    expect(state.counters.spans_set_aside).toBe(0);
    expect(state.counters.insert_retries).toBe(0);
    expect(state.counters.spans_stored).toBe(state.counters.spans_received);
  }, 120_000);
});
