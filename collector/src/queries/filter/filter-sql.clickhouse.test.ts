// Compiled filters against the real engine (the embedded ClickHouse 26.7 of this process), with
// spans loaded through the production exporter: every filter must select exactly the expected
// spans, hostile strings and property names (sent as query parameters) must match only the rows
// that literally hold them and never fail, and the table survives.
import { projectCondition, QueryParams, READ_SETTINGS, type SpanRecord } from '@tokentrace/processors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_STRINGS } from '../testing/hostile-strings.js';
import { spanRecord, type SpanSpec } from '../testing/known-spans.js';
import { startQueryStore, type QueryStore } from '../testing/query-store.js';
import type { FilterExpression } from './filter-expression.js';
import { parseFilter } from './filter-parser.js';
import { compileFilter } from './filter-sql.js';

let store: QueryStore;

const T0 = Date.UTC(2026, 10, 23, 10); // 2026-11-23T10:00:00Z

/** What a test span differs in from a plain gpt-4o chat call of project `p` at T0 lasting 500 ms. */
interface Fixture {
  project?: string;
  startMs?: number;
  durationMs?: number;
  name?: string;
  service?: string;
  environment?: string;
  operation?: string;
  provider?: string;
  requestModel?: string;
  responseModel?: string;
  user?: string;
  session?: SpanSpec['session'];
  promptId?: string;
  properties?: Record<string, string>;
  error?: string;
  /** OTLP status code; by default `ok` for a model call, `unset` for another span, `error` with `error`. */
  statusCode?: 0 | 1 | 2;
  costUsd?: number;
  inputTokens?: number;
  outputTokens?: number;
  reasoningTokens?: number;
  ttftMs?: number;
}

interface TestSpan {
  id: string;
  fixture: Fixture;
  record: SpanRecord;
}

function span(id: string, f: Fixture): TestSpan {
  const record = spanRecord({
    project: f.project ?? 'p',
    traceId: 't'.repeat(31) + id.slice(-1),
    spanId: id,
    name: f.name ?? `span ${id}`,
    startMs: f.startMs ?? T0,
    durationMs: f.durationMs ?? 500,
    service: f.service ?? 'api',
    environment: f.environment ?? 'prod',
    operation: f.operation ?? 'chat',
    provider: f.provider ?? 'openai',
    requestModel: f.requestModel ?? 'gpt-4o',
    responseModel: f.responseModel,
    user: f.user,
    session: f.session,
    promptId: f.promptId,
    properties: f.properties,
    error: f.error === undefined ? undefined : { type: f.error, message: f.error },
    inputTokens: f.inputTokens,
    outputTokens: f.outputTokens,
    reasoningTokens: f.reasoningTokens,
    ttftMs: f.ttftMs,
    cost: f.costUsd === undefined ? undefined : { totalUsd: f.costUsd, status: 'priced' },
  });
  if (f.statusCode !== undefined) record.statusCode = f.statusCode;
  return { id, fixture: f, record };
}

const SPANS: TestSpan[] = [
  span('s01', { responseModel: 'gpt-4o-2024-08-06', user: 'alice', costUsd: 0.02, inputTokens: 100, outputTokens: 50, ttftMs: 200, durationMs: 1500, properties: { feature: 'chat' } }),
  span('s02', { requestModel: 'gpt-4o-mini', user: 'bob', costUsd: 0.005, inputTokens: 10, error: 'rate_limit', properties: { Feature: 'Chat', tier: 'pro' } }),
  span('s03', { provider: 'anthropic', requestModel: 'claude-3-5-sonnet', user: 'test', statusCode: 0, name: "x' OR 1=1 --" }),
  span('s04', { requestModel: 'claude-3-5-sonnet', provider: 'anthropic', user: "'); DROP TABLE spans; --", costUsd: 0.001, inputTokens: 1, outputTokens: 1 }),
  span('s05', { name: "C:\\path\\'quote", session: { id: 'sess-1', name: 'research', path: '/research/search-2' } }),
  span('s06', { properties: { 'user tier': "a') OR ('1" }, promptId: 'p-12' }),
  span('s07', { name: '日本語 🎉', user: 'nul\0byte', service: 'worker', environment: 'dev' }),
  span('s08', { operation: 'invoke_agent', statusCode: 1, requestModel: '', provider: '', name: 'agent run' }),
  span('s09', { costUsd: 0.01, inputTokens: 0, outputTokens: 0, startMs: T0 + 250, ttftMs: 500 }),
  span('s10', { responseModel: 'gpt-4o-2024-08-06', costUsd: 1.5, inputTokens: 5000, outputTokens: 2000, reasoningTokens: 100, startMs: T0 + 86_400_000 }),
  span('s11', { user: '\\N', name: 'line\nbreak\r\ttab', properties: { "x' OR 1=1 --": 'v1', "A') OR ('1": 'v2', '{p0:String}': 'v3', '\\N': '\\N' } }),
];
/** Another tenant's span that every filter would match: a filter escaping its parentheses would show it. */
const OTHER_PROJECT = span('q01', { project: 'q', name: "x' OR 1=1 --", user: "'); DROP TABLE spans; --", costUsd: 5, properties: { feature: 'chat', "x' OR 1=1 --": 'v1' } });
const ALL = SPANS.map((s) => s.id);
const except = (...ids: string[]) => ALL.filter((id) => !ids.includes(id));
const where = (test: (f: Fixture) => boolean) => SPANS.filter((s) => test(s.fixture)).map((s) => s.id);

/** The span ids of project `p` a filter selects, read with FINAL as the query engine reads. */
async function select(filter: string | FilterExpression): Promise<string[]> {
  const params = new QueryParams();
  const query = `SELECT span_id FROM ${store.database}.spans FINAL
    WHERE ${projectCondition(params, 'p')} AND (${compileFilter(typeof filter === 'string' ? parseFilter(filter) : filter, params)}) ORDER BY span_id`;
  const result = await store.client.query({ query, query_params: params.values, format: 'JSONEachRow', clickhouse_settings: READ_SETTINGS });
  return (await result.json<{ span_id: string }>()).map((r) => r.span_id);
}

beforeAll(async () => {
  store = await startQueryStore({ load: false, database: 'tt_filter' });
  await store.insert([...SPANS, OTHER_PROJECT].map((s) => s.record));
});

afterAll(async () => {
  await store?.stop();
});

describe('compiled filters on ClickHouse', () => {
  it.each<[string, string[]]>([
    ['', ALL],
    ['model = "gpt-4o-2024-08-06"', ['s01', 's10']],
    ['model = "gpt-4o-mini"', ['s02']],
    ['model = "gpt-4o"', ['s05', 's06', 's07', 's09', 's11']],
    ['request_model = "gpt-4o" and response_model = ""', ['s05', 's06', 's07', 's09', 's11']],
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
    ['not (cost > 0.01 or cost <= 0.01)', ['s03', 's05', 's06', 's07', 's08', 's11']],
    // Any finite number: values are parameters, so neither 1e300 nor 5e-324 can break a statement.
    ['cost < 1e300 and cost > 5e-324', ['s01', 's02', 's04', 's09', 's10']],
    ['cost > 1e21 or input_tokens >= 1e38', []],
    ['input_tokens < 9007199254740993', ['s01', 's02', 's04', 's09', 's10']],
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
    // Property names hold anything; they are parameters too.
    [`property."x' OR 1=1 --" = "v1"`, ['s11']],
    [`property."A') OR ('1" != ""`, ['s11']],
    ['property."{p0:String}" = "v3"', ['s11']],
    [String.raw`property."\\N" = "\\N"`, ['s11']],
    [String.raw`user = "\\N"`, ['s11']],
    [String.raw`name = "line\nbreak\r\ttab"`, ['s11']],
  ])('%s', async (filter, expected) => {
    expect(await select(filter)).toEqual(expected);
  });

  it.each(HOSTILE_STRINGS.map((s, i) => [i, s]))('selects exactly the rows holding hostile string #%i, in every position', async (_, value) => {
    const name = value.slice(0, 256);
    const hasProperty = (f: Fixture) => Object.keys(f.properties ?? {}).some((k) => k.toLowerCase() === name.toLowerCase());
    expect(await select({ name: { equals: value } })).toEqual(where((f) => (f.name ?? '') === value));
    expect(await select({ user: { in: [value, 'nobody'] } })).toEqual(where((f) => f.user === value));
    expect(await select({ user: { 'not-equals': value } })).toEqual(where((f) => (f.user ?? '') !== value));
    expect(await select({ name: { contains: value } })).toEqual(where((f) => (f.name ?? '').toLowerCase().includes(value.toLowerCase())));
    expect(await select({ [`property.${name}`]: { 'not-equals': '' } })).toEqual(where(hasProperty));
    expect(await select({ not: { [`property.${name}`]: { equals: '' } } })).toEqual(where(hasProperty));
    expect(await select({ 'property.user tier': { equals: value } })).toEqual(where((f) => f.properties?.['user tier'] === value));
  });

  it('finds the rows that literally hold hostile text, and the table is still there', async () => {
    expect(await select('name = "x\' OR 1=1 --"')).toEqual(['s03']);
    expect(await select(`user = "'); DROP TABLE spans; --"`)).toEqual(['s04']);
    expect(await select(String.raw`name = "C:\\path\\'quote"`)).toEqual(['s05']);
    expect(await select(String.raw`name contains "\\'"`)).toEqual(['s05']);
    expect(await select(String.raw`user = "nul\0byte"`)).toEqual(['s07']);
    expect(await select({ 'property.user tier': { equals: "a') OR ('1" } })).toEqual(['s06']);
    expect(await select({ "property.X' OR 1=1 --": { equals: 'v1' } })).toEqual(['s11']);
    const count = await store.client.query({ query: `SELECT count() AS n FROM ${store.database}.spans`, format: 'JSONEachRow' });
    expect(await count.json()).toEqual([{ n: String(SPANS.length + 1) }]);
  });

  it('runs a filter at the size limits', async () => {
    const many = { or: Array.from({ length: 200 }, (_, i) => ({ name: { in: [`${'y'.repeat(80)}${i}`, 'span s0' + (i % 10)] } })) };
    expect(await select(many)).toEqual(['s01', 's02', 's04', 's06', 's09']);
    // Nearly 20 000 characters of strings (the limit), each value 2 000 long, beside the statement.
    const long = Array.from({ length: 9 }, (_, i) => ({ name: { equals: String(i).repeat(2000) } }));
    expect(await select({ or: [...long, { user: { in: ['alice', ...Array.from({ length: 500 }, (_, i) => `u${i}`)] } }] })).toEqual(['s01']);
  });
});
