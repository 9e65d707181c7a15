/**
 * GET /api/v1/forecast end to end (issue 13 §3): over HTTP, on the real embedded engine holding
 * generated traffic (test/src/traffic) for two projects, beside the query API as the collector
 * mounts them. Answers are validated against the OpenAPI description; each key sees its own
 * project only; bad parameters are 400s naming the parameter.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTraffic, TrafficGenerator } from '@tokentrace/test';
import { forecastMonth } from '../insights/forecast/forecast-month.js';
import type { MonthForecast } from '../insights/forecast/forecast-types.js';
import { startQueryStore, type QueryStore } from '../queries/testing/query-store.js';
import { createApiKeyAuthenticator } from '../receivers/api-key-auth.js';
import { forecastPaths } from './forecast-openapi.js';
import { createForecastRouter } from './forecast-routes.js';
import { openApiDocument } from './openapi.js';
import { createQueryRouter } from './query-router.js';
import { routesOf, schemaErrors } from './testing/schema-check.js';

const NOW = new Date(Date.UTC(2026, 11, 6, 12));
const KEYS = { 'key-acme': 'acme', 'key-beta': 'beta' };
let store: QueryStore;
let server: Server;
let base: string;
let forecastRouter: ReturnType<typeof createForecastRouter>;
const logged: string[] = [];
let acmeDecember = 0;
let betaDecember = 0;

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  const acme = new TrafficGenerator({ seed: 31, days: 34, requestsPerHour: 20, events: false, agentSpans: false, project: 'acme' });
  const beta = new TrafficGenerator({ seed: 32, days: 34, requestsPerHour: 60, agentSpans: false, project: 'beta' });
  const december = (t: TrafficGenerator) => t.all().filter((r) => r.genAi?.isModelCall && Number(r.startTimeUnixNano / 1_000_000n) >= Date.UTC(2026, 11, 1)).reduce((s, r) => s + (r.cost?.totalUsd ?? 0), 0);
  acmeDecember = december(new TrafficGenerator({ seed: 31, days: 34, requestsPerHour: 20, events: false, agentSpans: false, project: 'acme' }));
  betaDecember = december(new TrafficGenerator({ seed: 32, days: 34, requestsPerHour: 60, agentSpans: false, project: 'beta' }));
  await loadTraffic({ client: store.client, database: store.database }, acme);
  await loadTraffic({ client: store.client, database: store.database }, beta);
  const authenticate = createApiKeyAuthenticator(new Map(Object.entries(KEYS)));
  const app = express();
  forecastRouter = createForecastRouter({ store: { client: store.client, database: store.database }, authenticate, log: (m) => logged.push(m), now: () => NOW, defaults: { billingDay: 1, budgetUsd: 0 } });
  // As the collector mounts them: the forecast first, the query API (with its 404 for the rest) after.
  app.use('/api/v1', forecastRouter);
  app.use('/api/v1', createQueryRouter({ api: store.service, authenticate, log: (m) => logged.push(m) }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
}, 180_000);
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await store?.stop();
});

async function get(path: string, key?: string): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${base}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

function conforms(body: unknown): void {
  expect(schemaErrors(body, { $ref: '#/components/schemas/MonthForecast' }, openApiDocument)).toEqual([]);
}

describe('GET /api/v1/forecast', () => {
  it('answers the caller\'s project forecast, as described, the same as forecastMonth', async () => {
    const { status, body, headers } = await get('/forecast', 'key-acme');
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    conforms(body);
    const f = body as MonthForecast;
    expect(f).toMatchObject({ projectId: 'acme', billingDay: 1, by: null, groups: [], budget: null, generatedAt: NOW.toISOString() });
    expect(f.total.current.spentUsd).toBeCloseTo(acmeDecember, 9);
    expect(f.total.current.forecastUsd).toBeGreaterThan(f.total.current.spentUsd);
    expect(f).toEqual(await forecastMonth({ client: store.client, database: store.database }, 'acme', { now: NOW }));
  });

  it('groups by a property and by model, with a budget and a billing day', async () => {
    const { status, body } = await get('/forecast?by=property.Feature&budget=50&billingDay=15&limit=3', 'key-acme');
    expect(status).toBe(200);
    conforms(body);
    const f = body as MonthForecast;
    expect(f.by).toBe('property:Feature');
    expect(f.groups.map((g) => g.group)).toEqual(['chat', 'codegen', 'summarize', '(other)']);
    expect(f.total.current).toMatchObject({ start: '2026-11-15', end: '2026-12-15' });
    expect(f.budget).toMatchObject({ budgetUsd: 50 });
    expect(f.summary).toContain('$50.00 budget');
    const byModel = await get('/forecast?by=model&budget=$1,000,000', 'key-acme');
    expect(byModel.status).toBe(200);
    conforms(byModel.body);
    expect(byModel.body.groups[0].group).toBe('claude-sonnet-4');
    expect(byModel.body.budget).toMatchObject({ budgetUsd: 1_000_000, projectedToExceed: false, runsOutOn: null });
    const filtered = await get(`/forecast?filter=${encodeURIComponent('property.Feature = "chat"')}`, 'key-acme');
    const december = await get('/forecast?by=property.Feature', 'key-acme');
    expect(filtered.body.total.current.spentUsd).toBeCloseTo(december.body.groups.find((g: { group: string }) => g.group === 'chat').current.spentUsd, 9);
  });

  it('each key sees its own project only', async () => {
    const acme = await get('/forecast', 'key-acme');
    const beta = await get('/forecast', 'key-beta');
    expect(beta.body.projectId).toBe('beta');
    expect(beta.body.total.current.spentUsd).toBeCloseTo(betaDecember, 9);
    expect(acme.body.total.current.spentUsd).toBeCloseTo(acmeDecember, 9);
    expect(betaDecember).toBeGreaterThan(2 * acmeDecember);
  });

  it('refuses what it cannot answer, naming the parameter', async () => {
    expect((await get('/forecast')).status).toBe(401);
    expect((await get('/forecast', 'wrong-key')).status).toBe(401);
    for (const [query, path] of [['billingDay=31', 'billingDay'], ['billingDay=x', 'billingDay'], ['budget=-5', 'budget'], ['budget=lots', 'budget'], ['by=bogus', 'by'], ['limit=51', 'limit'], ['groupBy=model', 'groupBy']]) {
      const { status, body } = await get(`/forecast?${query}`, 'key-acme');
      expect(status, query).toBe(400);
      expect(body.error, query).toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY', path });
    }
    const badFilter = await get(`/forecast?filter=${encodeURIComponent('model = ')}`, 'key-acme');
    expect(badFilter.body.error).toMatchObject({ code: 'TOKENTRACE_INVALID_FILTER', position: 8 });
    expect(logged).toEqual([]);
  });

  it('leaves the rest of the API as it was: public description, analytics, 404s', async () => {
    const doc = await fetch(`${base}/openapi.json`);
    expect(doc.status).toBe(200);
    expect(((await doc.json()) as typeof openApiDocument).paths['/forecast']).toBeDefined();
    expect((await get('/analytics?since=3d', 'key-acme')).status).toBe(200);
    expect((await get('/nothing-here', 'key-acme')).status).toBe(404);
    expect(routesOf(forecastRouter as never)).toEqual(Object.keys(forecastPaths).map((p) => `GET ${p}`));
  });
});
