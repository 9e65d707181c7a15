/**
 * The forecast as users reach it on a real collector: OTLP/JSON traffic from the generator
 * (test/src/traffic) posted to the collector, which prices and stores it in its own embedded
 * ClickHouse; GET /api/v1/forecast on the same port answers per API key, with the billing day and
 * budget of the collector's `forecast.*` config; the public OpenAPI document lists it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTraffic, TrafficGenerator } from '@tokentrace/test';
import { Collector } from '../collector.js';
import type { CollectorConfig } from '../config/collector-config.js';
import { testCollectorConfig } from '../config/testing/test-collector-config.js';

const DAY_MS = 86_400_000;
let collector: Collector;
let sent = 0;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tt-forecast-e2e-'));
  const config: CollectorConfig = { ...testCollectorConfig(dir), apiKeys: { 'key-fc': 'team-fc', 'key-other': 'team-other' }, forecast: { billingDay: 15, budgetUsd: 10_000 } };
  collector = await Collector.start(config, { log: () => undefined });
  // Three days up to this hour: the retention keeps them, the forecast has a little history.
  const startMs = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * DAY_MS;
  const traffic = new TrafficGenerator({ seed: 61, startMs, days: 3, requestsPerHour: 4, events: false, agentSpans: false, project: 'ignored' });
  await loadTraffic({ url: collector.http.url, headers: { 'x-api-key': 'key-fc' } }, traffic);
  sent = traffic.requests;
}, 120_000);
afterAll(async () => {
  await collector?.shutdown();
}, 60_000);

async function get(path: string, key: string) {
  const response = await fetch(`${collector.http.url}/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: await response.json() };
}

describe('GET /api/v1/forecast on a collector', () => {
  it('forecasts the key\'s project from what the collector stored, with the configured billing day and budget', async () => {
    // The collector stores in batches: wait until every request is queryable.
    let stored = 0;
    for (const until = Date.now() + 60_000; stored < sent && Date.now() < until; ) {
      stored = (await get('/analytics?since=4d', 'key-fc')).body.totals.requests;
      if (stored < sent) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(stored).toBeGreaterThanOrEqual(sent);
    const { status, body } = await get('/forecast', 'key-fc');
    expect(status).toBe(200);
    expect(body).toMatchObject({ projectId: 'team-fc', billingDay: 15, budget: { budgetUsd: 10_000 } });
    expect(body.total.current.spentUsd).toBeGreaterThan(0);
    expect(body.total.model.historyDays).toBeGreaterThanOrEqual(2);
    expect(body.note).toMatch(/complete days? of history/);
    const other = await get('/forecast?budget=5', 'key-other');
    expect(other.body).toMatchObject({ projectId: 'team-other', total: { current: { spentUsd: 0, forecastUsd: 0 } }, budget: { budgetUsd: 5, runsOutOn: null } });
    const doc = await fetch(`${collector.http.url}/api/v1/openapi.json`);
    expect(doc.status).toBe(200);
    expect(Object.keys(((await doc.json()) as { paths: object }).paths)).toContain('/forecast');
  });
});
