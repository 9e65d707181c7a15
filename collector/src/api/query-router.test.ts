/**
 * The query API over real HTTP, on the real QueryService and a real ClickHouse holding the known
 * dataset: every endpoint's figures, auth exactly like ingest, project isolation, the 400/404
 * answers, and every answer checked against the OpenAPI description.
 */
import { createClickHouseClient, DEFAULT_CLICKHOUSE_EXPORTER_CONFIG } from '@tokentrace/processors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsResult, RequestDetail, RequestPage, SpanTree } from '../queries/query-model.js';
import { QueryService } from '../queries/query-service.js';
import { KNOWN_EXPECTED, KNOWN_IDS, PROJECT_A, PROJECT_B } from '../queries/testing/known-dataset.js';
import { startQueryStore } from '../queries/testing/query-store.js';
import { createExplainer } from '../insights/explain/index.js';
import { createExplainRouter } from './explain-routes.js';
import { openApiDocument } from './openapi.js';
import { startQueryApiServer, type QueryApiServer } from './testing/query-api-server.js';
import { routesOf, schemaErrors } from './testing/schema-check.js';
import { forecastPaths } from './forecast-openapi.js';

type Store = Awaited<ReturnType<typeof startQueryStore>>;
let store: Store;
let api: QueryApiServer;
const KEYS = { 'key-a': PROJECT_A, 'key-b': PROJECT_B };

beforeAll(async () => {
  store = await startQueryStore();
  api = await startQueryApiServer(store.service, KEYS);
}, 120_000);
afterAll(async () => {
  await api?.close();
  await store?.stop();
}, 60_000);

interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

async function call<T = unknown>(path: string, options: { key?: string | null; method?: 'GET' | 'POST'; body?: unknown; base?: string } = {}): Promise<Answer<T>> {
  const key = options.key === undefined ? 'key-a' : options.key;
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${options.base ?? api.url}/api/v1${path}`, {
    method: options.method ?? (options.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

/** A 200 whose body conforms to the named schema of the OpenAPI description. */
async function ok<T>(path: string, schema: string, options: Parameters<typeof call>[1] = {}): Promise<T> {
  const answer = await call<T>(path, options);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(schemaErrors(answer.body, { $ref: `#/components/schemas/${schema}` }, openApiDocument)).toEqual([]);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  return answer.body;
}

async function error(path: string, status: number, options: Parameters<typeof call>[1] = {}) {
  const answer = await call<{ error: { code: string; message: string; position?: number; path?: string } }>(path, options);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(schemaErrors(answer.body, { $ref: '#/components/schemas/Error' }, openApiDocument)).toEqual([]);
  return answer.body.error;
}

const q = encodeURIComponent;

describe('query API: trees', () => {
  it('serves the trace tree with the known totals, per project', async () => {
    const tree = await ok<SpanTree>(`/traces/${KNOWN_IDS.t1}`, 'SpanTree');
    const { spans, modelCalls, errors, inputTokens, outputTokens } = KNOWN_EXPECTED.t1;
    expect(tree.totals).toMatchObject({ spans, modelCalls, errors, inputTokens, outputTokens });
    expect(tree.totals.costUsd).toBeCloseTo(KNOWN_EXPECTED.t1.costUsd, 9);
    expect(tree.roots.map((r) => r.spanId)).toEqual([KNOWN_IDS.t1Spans.workflow]);
    // The same trace id in project B is B's own single span, with B's cost.
    const b = await ok<SpanTree>(`/traces/${KNOWN_IDS.t1.toUpperCase()}`, 'SpanTree', { key: 'key-b' });
    expect(b.totals).toMatchObject({ spans: 1, modelCalls: 1 });
    expect(b.totals.costUsd).toBeCloseTo(1, 9);
  });

  it('serves the session tree', async () => {
    const tree = await ok<SpanTree>(`/sessions/${q(KNOWN_IDS.researchSession)}`, 'SpanTree');
    expect(tree.kind).toBe('session');
    expect(tree.traceIds).toHaveLength(KNOWN_EXPECTED.researchSession.traceCount);
    expect(tree.totals).toMatchObject({ spans: KNOWN_EXPECTED.researchSession.spans, modelCalls: KNOWN_EXPECTED.researchSession.modelCalls });
    expect(tree.totals.costUsd).toBeCloseTo(KNOWN_EXPECTED.researchSession.costUsd, 9);
  });

  it('answers 404 for what the project does not have, 400 for a malformed id', async () => {
    expect((await error(`/traces/${'0'.repeat(32)}`, 404)).code).toBe('TOKENTRACE_NOT_FOUND');
    expect((await error(`/sessions/${q('no such / session')}`, 404)).code).toBe('TOKENTRACE_NOT_FOUND');
    expect(await error(`/requests/${KNOWN_IDS.t1}/${KNOWN_IDS.t1Spans.gpt4o}`, 404, { key: 'key-b' })).toMatchObject({ code: 'TOKENTRACE_NOT_FOUND' });
    expect(await error('/traces/not-a-trace-id', 400)).toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY', path: 'traceId' });
    expect(await error('/nothing/here', 404)).toMatchObject({ code: 'TOKENTRACE_NOT_FOUND' });
    expect(await error('/requests/query', 404)).toMatchObject({ code: 'TOKENTRACE_NOT_FOUND' }); // GET of a POST route
  });
});

describe('query API: requests', () => {
  it('lists the model calls of the range, per project, paging with the cursor', async () => {
    const all = await ok<RequestPage>('/requests?limit=500', 'RequestPage');
    expect(all.items).toHaveLength(KNOWN_EXPECTED.a24h.requests);
    expect(all.nextCursor).toBeNull();
    expect(all.items.reduce((sum, r) => sum + (r.costUsd ?? 0), 0)).toBeCloseTo(KNOWN_EXPECTED.a24h.costUsd, 9);
    expect((await ok<RequestPage>('/requests?limit=500', 'RequestPage', { key: 'key-b' })).items).toHaveLength(KNOWN_EXPECTED.b24h.requests);

    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: RequestPage = await ok<RequestPage>(`/requests?limit=50${cursor ? `&cursor=${q(cursor)}` : ''}`, 'RequestPage');
      for (const r of page.items) seen.add(r.spanId);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect([pages, seen.size]).toEqual([3, KNOWN_EXPECTED.a24h.requests]);
  });

  it('filters with the text form (GET) and the JSON or text form (POST)', async () => {
    const text = await ok<RequestPage>(`/requests?filter=${q('user = "bob" and cost > 0')}`, 'RequestPage');
    expect(text.items.map((r) => r.userId)).toEqual(['bob', 'bob', 'bob']);
    const json = await ok<RequestPage>('/requests/query', 'RequestPage', { body: { since: '24h', filter: { and: [{ user: { equals: 'bob' } }, { cost: { gt: 0 } }] } } });
    expect(json.items.map((r) => r.spanId)).toEqual(text.items.map((r) => r.spanId));
    const posted = await ok<RequestPage>('/requests/query', 'RequestPage', { body: { filter: 'user = "bob"', limit: 2 } });
    expect(posted.items).toHaveLength(2);
    expect(posted.nextCursor).not.toBeNull();
  });

  it('serves one request in full, attributes as stored strings, events from the span', async () => {
    const detail = await ok<RequestDetail>(`/requests/${KNOWN_IDS.t1}/${KNOWN_IDS.t1Spans.gpt4o}`, 'RequestDetail');
    expect(detail).toMatchObject({ responseModel: 'gpt-4o-2024-08-06', inputTokens: 1000, outputTokens: 200, userId: 'alice', properties: { feature: 'research' } });
    expect(detail.costUsd).toBeCloseTo(0.0045, 9);
    // Numbers sent as attributes come back as their JSON text (the schema allows strings only).
    expect(detail.attributes).toMatchObject({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': '1000', 'gen_ai.usage.output_tokens': '200' });
    expect(detail.resourceAttributes).toMatchObject({ 'service.name': 'research-agent' });
    const failed = await ok<RequestDetail>(`/requests/${KNOWN_IDS.t1}/${KNOWN_IDS.t1Spans.failed}`, 'RequestDetail');
    expect(failed.events).toEqual([{ name: 'exception', time: new Date(store.now - 2 * 3_600_000 + 2_300).toISOString(), attributes: { 'exception.type': 'RateLimitError', 'exception.message': 'Rate limit reached' } }]);
  });

  it('runs hostile filter values as values, and keeps a filter inside the caller\'s project', async () => {
    expect((await ok<RequestPage>(`/requests?filter=${q(`user = "bob' OR '1'='1" or user = "\\'); DROP TABLE spans; --"`)}`, 'RequestPage')).items).toEqual([]);
    expect((await ok<RequestPage>(`/requests?limit=500&filter=${q('cost < 1e300 and cost > 5e-324')}`, 'RequestPage')).items).toHaveLength(KNOWN_EXPECTED.a24h.requests - 2); // all but the failed call and the unknown model (no cost)
    expect((await ok<RequestPage>(`/requests?filter=${q('property."x\') OR (\'1" = ""')}&limit=500`, 'RequestPage')).items).toHaveLength(KNOWN_EXPECTED.a24h.requests);
    // Every span this filter matches is in project A: B's key sees none of them, in any endpoint.
    const onlyA = q('user = "bob" or user = "erin" or property.feature = "batch"');
    expect((await ok<RequestPage>(`/requests?filter=${onlyA}`, 'RequestPage', { key: 'key-b' })).items).toEqual([]);
    expect((await ok<AnalyticsResult>(`/analytics?filter=${onlyA}&groupBy=user`, 'AnalyticsResult', { key: 'key-b' })).totals.requests).toBe(0);
    expect((await ok<{ items: unknown[] }>(`/users/top?filter=${onlyA}`, 'TopUsers', { key: 'key-b' })).items).toEqual([]);
    expect((await ok<{ items: unknown[] }>(`/sessions?filter=${onlyA}`, 'SessionNameStatsList', { key: 'key-b' })).items).toEqual([]);
    expect((await ok<AnalyticsResult>(`/analytics?since=24h&filter=${onlyA}`, 'AnalyticsResult')).totals.requests).toBe(103);
  });
});

describe('query API: analytics', () => {
  it('sums the range, groups by model and user, defaults to 7 days', async () => {
    const day = await ok<AnalyticsResult>('/analytics?since=24h&groupBy=model', 'AnalyticsResult');
    expect(day.totals).toMatchObject({ requests: KNOWN_EXPECTED.a24h.requests, errors: KNOWN_EXPECTED.a24h.errors, inputTokens: KNOWN_EXPECTED.a24h.inputTokens });
    expect(day.totals.costUsd).toBeCloseTo(KNOWN_EXPECTED.a24h.costUsd, 9);
    const byModel = Object.fromEntries(day.rows.map((r) => [r.group, r.requests]));
    expect(byModel).toEqual(Object.fromEntries(Object.entries(KNOWN_EXPECTED.a24h.byModel).map(([m, v]) => [m, v.requests])));

    const week = await ok<AnalyticsResult>('/analytics', 'AnalyticsResult');
    expect(week.totals.requests).toBe(KNOWN_EXPECTED.a7d.requests);

    const byUser = await ok<AnalyticsResult>('/analytics/query', 'AnalyticsResult', { body: { since: '24h', groupBy: 'user', bucket: 'day', filter: { user: { 'not-equals': 'nobody' } } } });
    const costs: Record<string, number> = {};
    for (const row of byUser.rows) costs[row.group!] = (costs[row.group!] ?? 0) + row.costUsd;
    for (const [user, cost] of Object.entries(KNOWN_EXPECTED.a24h.byUser)) expect(costs[user]).toBeCloseTo(cost, 9);
    expect(byUser.rows.every((r) => typeof r.bucket === 'string')).toBe(true);

    const b = await ok<AnalyticsResult>('/analytics?since=24h', 'AnalyticsResult', { key: 'key-b' });
    expect(b.totals.requests).toBe(KNOWN_EXPECTED.b24h.requests);
    expect(b.totals.costUsd).toBeCloseTo(KNOWN_EXPECTED.b24h.costUsd, 9);
  });

  it('ranks the top users and the sessions by name', async () => {
    const top = await ok<{ items: AnalyticsResult['rows'] }>('/users/top?since=24h&limit=2', 'TopUsers');
    expect(top.items.map((r) => r.group)).toEqual(['erin', 'alice']);
    expect(top.items[1].costUsd).toBeCloseTo(KNOWN_EXPECTED.a24h.byUser.alice, 9);
    const sessions = await ok<{ items: Array<{ sessionName: string; sessions: number; avgCostUsd: number }> }>('/sessions', 'SessionNameStatsList');
    const byName = Object.fromEntries(sessions.items.map((s) => [s.sessionName, s]));
    for (const [name, expected] of Object.entries(KNOWN_EXPECTED.sessionNames)) {
      expect(byName[name].sessions).toBe(expected.sessions);
      expect(byName[name].avgCostUsd).toBeCloseTo(expected.avgCostUsd, 9);
    }
  });
});

describe('query API: auth and bad input', () => {
  it('authenticates like ingest: 401 without or with an unknown key, either header works', async () => {
    const path = `/traces/${KNOWN_IDS.t1}`;
    const answer = await call(path, { key: null });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    expect((answer.body as { error: { code: string } }).error.code).toBe('TOKENTRACE_UNAUTHENTICATED');
    expect((await call(path, { key: 'key-c' })).status).toBe(401);
    expect((await call('/nothing/here', { key: null })).status).toBe(401);
    const viaHeader = await fetch(`${api.url}/api/v1${path}`, { headers: { 'x-api-key': 'key-b' } });
    expect(((await viaHeader.json()) as SpanTree).totals.spans).toBe(1);
  });

  it('refuses bad parameters with 400 naming the parameter, and bad filters with their position or path', async () => {
    expect(await error('/requests?since=7days', 400)).toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY', path: 'since' });
    expect(await error('/requests?since=1h&from=2026-01-01', 400)).toMatchObject({ path: 'since' });
    expect(await error('/analytics?from=yesterday', 400)).toMatchObject({ path: 'from' });
    expect(await error('/analytics?from=2026-02-01&to=2026-01-01', 400)).toMatchObject({ path: 'from' });
    expect(await error('/requests?limit=0', 400)).toMatchObject({ path: 'limit' });
    expect(await error('/requests?limit=501', 400)).toMatchObject({ path: 'limit' });
    expect(await error('/requests?limit=1&limit=2', 400)).toMatchObject({ path: 'limit' });
    expect(await error('/analytics?groupBy=colour', 400)).toMatchObject({ path: 'groupBy' });
    expect(await error('/analytics?bucket=week', 400)).toMatchObject({ path: 'bucket' });
    expect(await error('/analytics?group_by=model', 400)).toMatchObject({ path: 'group_by' });
    expect(await error('/analytics/query', 400, { body: '{"since": ' })).toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY', path: 'body' });
    expect(await error('/analytics/query', 400, { body: [1] })).toMatchObject({ path: 'body' });
    expect(await error('/requests/query', 400, { body: { limit: 10.5 } })).toMatchObject({ path: 'limit' });

    const text = await error(`/requests?filter=${q('user = "bob" and cost >')}`, 400);
    expect(text.code).toBe('TOKENTRACE_INVALID_FILTER');
    expect(text.position).toBeGreaterThanOrEqual('user = "bob" and cost'.length);
    const field = await error(`/requests?filter=${q('modle = "x"')}`, 400);
    expect(field).toMatchObject({ code: 'TOKENTRACE_INVALID_FILTER', position: 0 });
    const json = await error('/requests/query', 400, { body: { filter: { and: [{ user: { equals: 'bob' } }, { cost: { gt: 'lots' } }] } } });
    expect(json.code).toBe('TOKENTRACE_INVALID_FILTER');
    expect(json.path).toMatch(/^and\[1\]/);
  });

  it('never leaks SQL or stack traces: a failing store is a 500 (or 503 when unreachable) with a fixed message', async () => {
    const broken = await startQueryApiServer(new QueryService({ client: store.client, database: 'tt_no_such_db' }));
    const unreachableClient = createClickHouseClient({ ...DEFAULT_CLICKHOUSE_EXPORTER_CONFIG, url: 'http://127.0.0.1:9', requestTimeoutMs: 2000 });
    const unreachable = await startQueryApiServer(new QueryService({ client: unreachableClient, database: 'tokentrace' }));
    try {
      const failed = await error(`/traces/${KNOWN_IDS.t1}`, 500, { base: broken.url, key: null });
      expect(failed).toEqual({ code: 'TOKENTRACE_INTERNAL', message: 'internal error while running the query' });
      expect(broken.logged.join('\n')).toContain('tt_no_such_db'); // the details stay in the log
      expect(await error(`/traces/${KNOWN_IDS.t1}`, 503, { base: unreachable.url, key: null })).toMatchObject({ code: 'TOKENTRACE_UNAVAILABLE' });
    } finally {
      await Promise.all([broken.close(), unreachable.close(), unreachableClient.close()]);
    }
  });
});

describe('OpenAPI description', () => {
  it('is served without credentials and lists exactly the routes the router serves', async () => {
    const response = await fetch(`${api.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as typeof openApiDocument;
    expect(doc.openapi).toBe('3.1.0');
    // The forecast's and the alerts' routes are their own routers' (forecast-routes.test.ts and
    // alert-routes.test.ts check them); the explainer's (explain-routes.ts) are mounted beside the
    // query router.
    const described = Object.entries(doc.paths)
      .filter(([path]) => !Object.hasOwn(forecastPaths, path) && !path.startsWith('/alerts'))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(described).toEqual([...routesOf(api.router as never), ...routesOf(createExplainRouter({ explainer: createExplainer(store.client, store.database) }) as never)].sort());
    expect(described).toHaveLength(13);
  });

  it('resolves every reference and declares every path parameter', () => {
    const text = JSON.stringify(openApiDocument);
    for (const [, kind, name] of text.matchAll(/"#\/components\/(schemas|parameters|responses)\/([^"]+)"/g)) {
      expect(openApiDocument.components[kind as 'schemas'][name], `${kind}/${name}`).toBeDefined();
    }
    for (const [path, item] of Object.entries(openApiDocument.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const operation of Object.values(item)) {
        const declared = (operation.parameters ?? []).map((p) => ('$ref' in p ? openApiDocument.components.parameters[p.$ref.split('/').pop()!] : p)).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared.sort(), `${path}`).toEqual(names.sort());
      }
    }
  });
});
