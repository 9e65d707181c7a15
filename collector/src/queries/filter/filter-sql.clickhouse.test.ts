// Compiled filters against a real ClickHouse (Debian's 18.16 here), started by the test with its
// own data dir on random ports: every filter must select exactly the expected spans, hostile
// strings must match nothing or only the row that literally holds them, and the table survives.
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient, ensureSchema, type SpanRow } from '@tokentrace/processors';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FilterExpression } from './filter-expression.js';
import { parseFilter } from './filter-parser.js';
import { compileFilter } from './filter-sql.js';

const DB = 'tt_filter';
let root: string;
/** The embedded engine, on a folder of this test file. */
let embedded: { url: string; dataDir: string };
let client: ClickHouseClient;

const T0 = Date.UTC(2026, 10, 23, 10); // 2026-11-23T10:00:00Z

function span(id: string, fields: Partial<SpanRow> & { startMs?: number; properties?: Record<string, string> }): SpanRow {
  const { startMs = T0, properties = {}, ...rest } = fields;
  const keys = Object.keys(properties).sort();
  return {
    project_id: 'p', date: new Date(startMs).toISOString().slice(0, 10), start_time: Math.floor(startMs / 1000), start_time_ns: (BigInt(startMs) * 1_000_000n).toString(),
    duration_ns: '500000000', trace_id: 't'.repeat(31) + id.slice(-1), span_id: id, parent_span_id: '', service_name: 'api', environment: 'prod', name: `span ${id}`,
    kind: 'client', status_code: 'ok', status_message: '', scope_name: 'test', scope_version: '1', is_model_call: 1, provider: 'openai', operation: 'chat',
    request_model: 'gpt-4o', response_model: '', input_tokens: null, output_tokens: null, cache_read_tokens: null, cache_creation_tokens: null, reasoning_tokens: null,
    cost_input_usd: null, cost_output_usd: null, cost_cache_read_usd: null, cost_cache_write_usd: null, cost_total_usd: null, cost_status: '', priced_model: '',
    ttft_seconds: null, user_id: '', session_id: '', session_name: '', session_path: '', session_parent_path: '', session_depth: 0, prompt_id: '', error_type: '',
    property_keys: keys, property_values: keys.map((k) => properties[k]), attributes: '{}', resource_attributes: '{}', events: '[]', version: 1,
    ...rest,
  };
}

const SPANS: SpanRow[] = [
  span('s01', { response_model: 'gpt-4o-2024-08-06', user_id: 'alice', cost_total_usd: 0.02, input_tokens: 100, output_tokens: 50, ttft_seconds: 0.2, duration_ns: '1500000000', properties: { feature: 'chat' } }),
  span('s02', { request_model: 'gpt-4o-mini', user_id: 'bob', cost_total_usd: 0.005, input_tokens: 10, status_code: 'error', error_type: 'rate_limit', properties: { Feature: 'Chat', tier: 'pro' } }),
  span('s03', { provider: 'anthropic', request_model: 'claude-3-5-sonnet', user_id: 'test', status_code: 'unset', name: "x' OR 1=1 --" }),
  span('s04', { request_model: 'claude-3-5-sonnet', provider: 'anthropic', user_id: "'); DROP TABLE spans; --", cost_total_usd: 0.001, input_tokens: 1, output_tokens: 1 }),
  span('s05', { name: "C:\\path\\'quote", session_id: 'sess-1', session_name: 'research', session_path: '/research/search-2' }),
  span('s06', { properties: { 'user tier': "a') OR ('1" }, prompt_id: 'p-12' }),
  span('s07', { name: '日本語 🎉', user_id: 'nul\0byte', service_name: 'worker', environment: 'dev' }),
  span('s08', { is_model_call: 0, request_model: '', provider: '', operation: '', name: 'agent run', kind: 'internal' }),
  span('s09', { cost_total_usd: 0.01, input_tokens: 0, output_tokens: 0, startMs: T0 + 250, ttft_seconds: 0.5 }),
  span('s10', { response_model: 'gpt-4o-2024-08-06', cost_total_usd: 1.5, input_tokens: 5000, output_tokens: 2000, reasoning_tokens: 100, startMs: T0 + 86_400_000 }),
];
/** Another tenant's span that every filter would match: a filter escaping its parentheses would show it. */
const OTHER_PROJECT = span('q01', { project_id: 'q', name: "x' OR 1=1 --", user_id: "'); DROP TABLE spans; --", cost_total_usd: 5, properties: { feature: 'chat' } });
const ALL = SPANS.map((s) => s.span_id);
const except = (...ids: string[]) => ALL.filter((id) => !ids.includes(id));

async function select(filter: string | FilterExpression): Promise<string[]> {
  const where = compileFilter(typeof filter === 'string' ? parseFilter(filter) : filter);
  const result = await client.query({ query: `SELECT span_id FROM ${DB}.spans FINAL WHERE project_id = 'p' AND (${where}) ORDER BY span_id`, format: 'JSONEachRow' });
  return (await result.json<{ span_id: string }>()).map((r) => r.span_id);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tokentrace-filter-ch-'));
  embedded = { url: '', dataDir: join(root, 'clickhouse') };
  client = createClickHouseClient(embedded);
  await ensureSchema(client, DB);
  await client.insert({ table: `${DB}.spans`, values: [...SPANS, OTHER_PROJECT], format: 'JSONEachRow' });
});

afterAll(async () => {
  await client?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('compiled filters on ClickHouse', () => {
  it.each<[string, string[]]>([
    ['', ALL],
    ['model = "gpt-4o-2024-08-06"', ['s01', 's10']],
    ['model = "gpt-4o-mini"', ['s02']],
    ['model = "gpt-4o"', ['s05', 's06', 's07', 's09']],
    ['request_model = "gpt-4o" and response_model = ""', ['s05', 's06', 's07', 's09']],
    ['model contains "GPT-4O-M"', ['s02']],
    ['model not contains "gpt"', ['s03', 's04', 's08']],
    ['provider in ("anthropic", "nope")', ['s03', 's04']],
    ['provider not in ("openai")', ['s03', 's04', 's08']],
    ['user = "alice" or user = "bob" and status = "error"', ['s01', 's02']],
    ['(user = "alice" or user = "bob") and status = "error"', ['s02']],
    ['user != "test"', except('s03')],
    ['status = "error"', ['s02']],
    ['status in ("unset", "error")', ['s02', 's03']],
    ['status != "ok"', ['s02', 's03']],
    ['error_type = "rate_limit"', ['s02']],
    ['session = "sess-1" and session_name = "research" and session_path contains "/search"', ['s05']],
    ['prompt_id = "p-12"', ['s06']],
    ['service = "worker" and environment = "dev"', ['s07']],
    ['name = "日本語 🎉"', ['s07']],
    ['name contains "本語"', ['s07']],
    ['model_call = false', ['s08']],
    ['model_call = true', except('s08')],
    [`span_id = "s04" or trace_id = "${'t'.repeat(31)}5"`, ['s04', 's05']],
    // NULL semantics: a span without a cost matches no comparison on cost, but does match `not`.
    ['cost > 0.01', ['s01', 's10']],
    ['cost < 0.01', ['s02', 's04']],
    ['cost >= 0.01', ['s01', 's09', 's10']],
    ['cost <= 0.01', ['s02', 's04', 's09']],
    ['cost = 0.01', ['s09']],
    ['cost != 0.01', ['s01', 's02', 's04', 's10']],
    ['cost in (0.01, 1.5)', ['s09', 's10']],
    ['cost not in (0.01, 1.5)', ['s01', 's02', 's04']],
    ['not cost > 0.01', except('s01', 's10')],
    ['not (cost > 0.01 or cost <= 0.01)', ['s03', 's05', 's06', 's07', 's08']],
    ['input_tokens = 0', ['s09']],
    ['input_tokens > -1', ['s01', 's02', 's04', 's09', 's10']],
    ['output_tokens < 10', ['s04', 's09']],
    ['tokens > 100', ['s01', 's10']],
    ['total_tokens = 10', ['s02']],
    ['total_tokens in (0, 2)', ['s04', 's09']],
    ['reasoning_tokens >= 100', ['s10']],
    ['duration_ms > 1000', ['s01']],
    ['duration_ms = 500', except('s01')],
    ['ttft_ms < 300', ['s01']],
    ['ttft_ms >= 300', ['s09']],
    // Times compare in milliseconds; no offset means UTC.
    ['time > "2026-11-23T10:00:00Z"', ['s09', 's10']],
    ['time = "2026-11-23T10:00:00.250Z"', ['s09']],
    ['time = "2026-11-23T12:00:00.250+02:00"', ['s09']],
    ['time >= "2026-11-24"', ['s10']],
    ['time < "2026-11-23 10:00:00.001"', except('s09', 's10')],
    // Properties: names case-insensitive (stored lower-cased or as sent), values exact.
    ['property.Feature = "chat"', ['s01']],
    ['property.FEATURE = "Chat"', ['s02']],
    ['property.feature contains "CHAT"', ['s01', 's02']],
    ['property.tier != "pro"', except('s02')],
    ['property.tier = ""', except('s02')],
    ['property.missing = ""', ALL],
    ['property.tier in ("pro", "free")', ['s02']],
    ['property."user tier" = "a\') OR (\'1"', ['s06']],
    ['not property.feature = "chat"', except('s01')],
  ])('%s', async (filter, expected) => {
    expect(await select(filter)).toEqual(expected);
  });

  const HOSTILE = [
    "x' OR 1=1 --",
    "x' OR '1'='1",
    "'); DROP TABLE spans; --",
    "C:\\path\\'quote",
    "\\'",
    '\\',
    "'",
    '\\\\',
    'nul\0byte',
    '\0',
    '日本語 🎉',
    '%',
    '_',
    "x' FORMAT JSON --",
    "a') OR ('1",
    `${"\\'".repeat(500)}`,
    'z'.repeat(2000),
  ];

  it.each(HOSTILE.map((s, i) => [i, s]))('keeps hostile string #%i a literal', async (_, value) => {
    const equalName = SPANS.filter((s) => s.name === value).map((s) => s.span_id);
    const equalUser = SPANS.filter((s) => s.user_id === value).map((s) => s.span_id);
    const containsName = SPANS.filter((s) => s.name.toLowerCase().includes(value.toLowerCase())).map((s) => s.span_id);
    const propertyNamed = SPANS.filter((s) => s.property_keys.some((k) => k.toLowerCase() === value.slice(0, 256).toLowerCase())).map((s) => s.span_id);
    expect(await select({ name: { equals: value } })).toEqual(equalName);
    expect(await select({ user: { in: [value, 'nobody'] } })).toEqual(equalUser);
    expect(await select({ user: { 'not-equals': value } })).toEqual(except(...equalUser));
    expect(await select({ name: { contains: value } })).toEqual(containsName);
    expect(await select({ [`property.${value.slice(0, 256)}`]: { 'not-equals': '' } })).toEqual(propertyNamed);
    expect(await select({ 'property.user tier': { equals: value } })).toEqual(SPANS.filter((s) => s.property_values.includes(value)).map((s) => s.span_id));
  });

  it('finds the rows that literally hold hostile text, and the table is still there', async () => {
    expect(await select('name = "x\' OR 1=1 --"')).toEqual(['s03']);
    expect(await select(`user = "'); DROP TABLE spans; --"`)).toEqual(['s04']);
    expect(await select(String.raw`name = "C:\\path\\'quote"`)).toEqual(['s05']);
    expect(await select(String.raw`name contains "\\'"`)).toEqual(['s05']);
    expect(await select(String.raw`user = "nul\0byte"`)).toEqual(['s07']);
    expect(await select({ 'property.user tier': { equals: "a') OR ('1" } })).toEqual(['s06']);
    const count = await client.query({ query: `SELECT count() AS n FROM ${DB}.spans`, format: 'JSONEachRow' });
    expect(await count.json()).toEqual([{ n: String(SPANS.length + 1) }]);
  });

  it('runs a filter at the size limits', async () => {
    const many = { or: Array.from({ length: 200 }, (_, i) => ({ name: { in: [`${'y'.repeat(80)}${i}`, 'span s0' + (i % 10)] } })) };
    expect(compileFilter(many).length).toBeGreaterThan(20_000);
    expect(await select(many)).toEqual(['s01', 's02', 's04', 's06', 's09']);
  });
});
