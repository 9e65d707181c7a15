// GET/POST /api/v1/explain over real HTTP on the embedded engine with generated traffic:
// answers for the caller's project only (auth as ingest), parameters and their refusals, and the
// route mounted beside the query router without shadowing it.
import { loadTraffic, TrafficGenerator } from '@tokentrace/test';
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExplainer, DRIVERS, type ExplainResult } from '../insights/explain/index.js';
import { startQueryStore, type QueryStore } from '../queries/testing/query-store.js';
import { createApiKeyAuthenticator } from '../receivers/api-key-auth.js';
import { createExplainRouter } from './explain-routes.js';
import { createQueryRouter } from './query-router.js';

const DAY = 86_400_000;
let store: QueryStore;
let server: Server;
let url: string;
let traffic: TrafficGenerator;

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  traffic = new TrafficGenerator({ project: 'alpha', days: 14, requestsPerHour: 40, agentSpans: false, events: false });
  await loadTraffic({ client: store.client, database: store.database }, traffic);
  await loadTraffic({ client: store.client, database: store.database }, new TrafficGenerator({ project: 'beta', seed: 5, days: 14, requestsPerHour: 10, agentSpans: false, events: false }));
  const authenticate = createApiKeyAuthenticator(new Map([['key-a', 'alpha'], ['key-b', 'beta']]));
  const app = express();
  app.use('/api/v1', createExplainRouter({ explainer: createExplainer(store.client, store.database), authenticate, log: () => undefined }));
  app.use('/api/v1', createQueryRouter({ api: store.service, authenticate, log: () => undefined }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
}, 120_000);
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await store?.stop();
});

const week2 = () => ({ from: new Date(traffic.startMs + 7 * DAY).toISOString(), to: new Date(traffic.startMs + 14 * DAY).toISOString() });

async function get(query: Record<string, string>, key: string | null = 'key-a') {
  const response = await fetch(`${url}/explain?${new URLSearchParams(query)}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: response.status, body: (await response.json()) as ExplainResult & { error?: { code: string; path?: string } } };
}

describe('/api/v1/explain', () => {
  it('explains the caller\'s project: a week against the previous one', async () => {
    const { status, body } = await get(week2());
    expect(status).toBe(200);
    expect(body.period).toEqual(week2());
    expect(body.baseline).toEqual({ from: new Date(traffic.startMs).toISOString(), to: week2().from });
    expect(body.totals.period.requests).toBeGreaterThan(5000);
    expect(body.findings).toEqual([]);
    for (const d of body.dimensions) expect(DRIVERS.reduce((s, k) => s + d.drivers[k], 0)).toBeCloseTo(body.totals.deltaUsd, 9);
    const beta = await get(week2(), 'key-b');
    expect(beta.body.totals.period.requests).toBeGreaterThan(0);
    expect(beta.body.totals.period.requests).toBeLessThan(body.totals.period.requests / 2);
  });

  it('takes the parameters as a JSON body too, `by` as an array', async () => {
    const response = await fetch(`${url}/explain`, {
      method: 'POST',
      headers: { authorization: 'Bearer key-a', 'content-type': 'application/json' },
      body: JSON.stringify({ ...week2(), baseline: 'previous-week', by: ['model', 'property:Feature'], topSeries: 3 }),
    });
    const body = (await response.json()) as ExplainResult;
    expect(response.status).toBe(200);
    expect(body.dimensions.map((d) => d.dimension)).toEqual(['model', 'property:feature']);
  });

  it('refuses callers without a key and bad parameters, naming the parameter', async () => {
    expect((await get(week2(), null)).status).toBe(401);
    for (const [query, path] of [
      [{ ...week2(), baseline: 'last-year' }, 'baseline'],
      [{ ...week2(), by: 'model,colour' }, 'by'],
      [{ ...week2(), topSeries: '0' }, 'topSeries'],
      [{ ...week2(), colour: 'red' }, 'colour'],
      [{ since: 'forever' }, 'since'],
    ] as const) {
      const { status, body } = await get(query);
      expect(status, path).toBe(400);
      expect(body.error).toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY', path });
    }
  });

  it('leaves the query router\'s routes to it', async () => {
    const response = await fetch(`${url}/users/top?since=30d`, { headers: { authorization: 'Bearer key-a' } });
    expect(response.status).toBe(200);
    expect((await fetch(`${url}/openapi.json`)).status).toBe(200);
  });
});
