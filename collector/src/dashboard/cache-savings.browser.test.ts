/**
 * Response-cache savings (issue 14) in the query API and the dashboard, in a real headless
 * Chromium against the real query API on a real ClickHouse: a feature whose answers were served
 * from the cache shows its hit rate and the dollars saved, priced by the collector's pricing
 * processor from the usage of the calls the hits replayed.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PricingProcessor } from '@tokentrace/processors';
import express from 'express';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryRouter } from '../api/index.js';
import { hexId, spanRecord, type SpanSpec } from '../queries/testing/known-spans.js';
import { startQueryStore } from '../queries/testing/query-store.js';
import { createApiKeyAuthenticator } from '../receivers/index.js';
import { mountDashboard } from './index.js';

const API_KEY = 'cache-savings-key';
const PROJECT = 'proj-cache';
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/dashboard/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
// gpt-4o: $2.50 input, $10 output per million tokens; each FAQ answer: 1,000 in, 200 out = $0.0045.
const ANSWER_USD = (1000 * 2.5 + 200 * 10) / 1_000_000;

let store: Awaited<ReturnType<typeof startQueryStore>>;
let server: Server;
let base: string;
let profileDir: string;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

function call(n: number, feature: string, hit: boolean): SpanSpec {
  const gpt4o = { provider: 'openai', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06' };
  return {
    project: PROJECT, traceId: hexId('cac4e', n, 32), spanId: hexId('cac4e', n, 16), name: 'chat gpt-4o',
    startMs: Date.now() - 3_600_000 + n * 1000, durationMs: hit ? 1 : 900, service: 'faq-bot', environment: 'production',
    operation: 'chat', ...gpt4o, user: 'dana', properties: { feature },
    ...(hit
      ? { attributes: { 'tokentrace.cache.status': 'hit', 'tokentrace.cache.original.input_tokens': 1000, 'tokentrace.cache.original.output_tokens': 200 } }
      : { inputTokens: 1000, outputTokens: 200, attributes: { 'tokentrace.cache.status': 'miss' } }),
  };
}

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  // FAQ: one miss, then three hits; chat: one uncached call.
  const spans = [call(1, 'faq', false), call(2, 'faq', true), call(3, 'faq', true), call(4, 'faq', true), call(5, 'chat', false)].map(spanRecord);
  await store.insert(new PricingProcessor().process(spans));
  const app = express();
  app.use('/api/v1', createQueryRouter({ api: store.service, authenticate: createApiKeyAuthenticator(new Map([[API_KEY, PROJECT]])) }));
  mountDashboard(app);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mkdirSync(ARTIFACTS, { recursive: true });
  profileDir = mkdtempSync(join(tmpdir(), 'tokentrace-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, viewport: { width: 1400, height: 900 }, timezoneId: 'UTC', locale: 'en-US' });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await store?.stop();
});

async function api(path: string): Promise<any> {
  const res = await fetch(`${base}/api/v1/${path}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  expect(res.status).toBe(200);
  return res.json();
}

async function settled(): Promise<string> {
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 20_000 });
  return (await page.evaluate(() => document.body.dataset.state)) as string;
}

describe('response-cache savings', () => {
  it('the query API counts the hits at $0 and the dollars they saved, per feature', async () => {
    const byFeature = await api('analytics?since=24h&groupBy=property:feature');
    const faq = byFeature.rows.find((r: { group: string }) => r.group === 'faq');
    expect(faq).toMatchObject({ requests: 4, cacheHits: 3, cacheHitRate: 0.75 });
    expect(faq.costUsd).toBeCloseTo(ANSWER_USD, 12);
    expect(faq.savedUsd).toBeCloseTo(3 * ANSWER_USD, 12);
    expect(byFeature.totals).toMatchObject({ requests: 5, cacheHits: 3, cacheHitRate: 0.6 });
    expect(byFeature.totals.savedUsd).toBeCloseTo(3 * ANSWER_USD, 12);
    const byModel = await api('analytics?since=24h&groupBy=model');
    expect(byModel.rows).toEqual([expect.objectContaining({ group: 'gpt-4o-2024-08-06', cacheHits: 3, requests: 5 })]);
  });

  it('the dashboard overview shows the hit rate and the dollars saved, in total and per feature and model', async () => {
    await page.goto(`${base}/dashboard/#/overview?since=24h&property=feature`);
    expect(await settled()).toBe('error'); // asks for the API key first
    await page.waitForLoadState('networkidle');
    await page.evaluate(() => (document.body.dataset.state = 'pending'));
    await page.fill('input[name="api-key"]', API_KEY);
    await page.click('.key-prompt button[type="submit"]');
    expect(await settled()).toBe('ready');
    const card = page.locator('[data-card="cache"]');
    expect(await card.locator('.card-value').textContent()).toBe('60.0%');
    expect(await card.locator('.card-sub').textContent()).toBe('3 hits, $0.0135 saved');
    const rowOf = async (panelTitle: string, group: string) =>
      page.locator('.panel', { hasText: panelTitle }).locator('tbody tr', { hasText: group }).evaluate((tr) => Array.from(tr.children, (td) => td.textContent));
    const headers = await page.locator('.panel', { hasText: 'Top features' }).locator('thead th').allTextContents();
    const faq = await rowOf('Top features', 'faq');
    expect(faq[headers.indexOf('Cache hits')]).toBe('75.0%');
    expect(faq[headers.indexOf('Saved')]).toBe('$0.0135');
    const model = await rowOf('Top models', 'gpt-4o-2024-08-06');
    expect(model[headers.indexOf('Cache hits')]).toBe('60.0%');
    await page.screenshot({ path: join(ARTIFACTS, 'cache-savings.png'), fullPage: true });
    expect(problems.filter((p) => !p.includes('401'))).toEqual([]);
  });
});
