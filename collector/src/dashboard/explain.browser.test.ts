/**
 * The dashboard's Explain page in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against the real API on the embedded engine, holding generated traffic with a
 * planted prompt change: the planted change is the first finding, its link opens the request list
 * filtered to it, and the drivers table holds every dimension. Screenshot:
 * test-artifacts/dashboard/explain.png. No console error, no failed request.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTraffic, TrafficGenerator } from '@tokentrace/test';
import express from 'express';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExplainRouter } from '../api/explain-routes.js';
import { createQueryRouter } from '../api/index.js';
import { createExplainer } from '../insights/explain/index.js';
import { startQueryStore, type QueryStore } from '../queries/testing/query-store.js';
import { createApiKeyAuthenticator } from '../receivers/index.js';
import { mountDashboard } from './index.js';

const API_KEY = 'explain-test-key';
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/dashboard/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

const traffic = new TrafficGenerator({ project: 'acme', days: 11, requestsPerHour: 100, agentSpans: false });
const event = traffic.events[0];
let store: QueryStore;
let server: Server;
let base: string;
let profileDir: string;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  await loadTraffic({ client: store.client, database: store.database }, traffic);
  const authenticate = createApiKeyAuthenticator(new Map([[API_KEY, 'acme']]));
  const app = express();
  app.use('/api/v1', createExplainRouter({ explainer: createExplainer(store.client, store.database), authenticate }));
  app.use('/api/v1', createQueryRouter({ api: store.service, authenticate }));
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
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} ${res.url()}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  // The key as the key prompt stores it.
  await page.goto(`${base}/dashboard/`);
  await page.evaluate((key) => localStorage.setItem('tokentrace.apiKey', key), API_KEY);
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await store?.stop();
});

async function open(hash: string): Promise<string> {
  await page.evaluate((h) => {
    document.body.dataset.state = 'pending';
    location.hash = h;
  }, hash);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 30_000 });
  return (await page.evaluate(() => document.body.dataset.state)) as string;
}

describe('Explain page in headless Chromium', () => {
  it('shows the planted change first, links to its requests, and the drivers of every dimension', async () => {
    const from = new Date(event.period.fromMs).toISOString();
    const to = new Date(event.period.toMs).toISOString();
    expect(await open(`#/explain?from=${from}&to=${to}&baseline=previous-week`)).toBe('ready');
    await expect(page.locator('nav a[aria-current]').textContent()).resolves.toBe('Explain');
    const first = page.locator('ol.findings li.finding').first();
    await expect(first.getAttribute('data-group')).resolves.toBe('triage-classifier-v1');
    await expect(first.locator('.sentence').textContent()).resolves.toMatch(/^cost per request for prompt triage-classifier-v1 rose \d+ % at Tue 11-10 14:00 UTC: input tokens per request/);
    const dimensions = await page.locator('table.drivers tbody tr td:first-child').allTextContents();
    expect(dimensions).toEqual(['environment', 'model', 'prompt_id', 'property:feature', 'service', 'user']);
    await expect(page.locator('select[name="baseline"]').inputValue()).resolves.toBe('previous-week');
    await page.screenshot({ path: join(ARTIFACTS, 'explain.png'), fullPage: true });

    await page.evaluate(() => (document.body.dataset.state = 'pending'));
    await first.locator('a.requests-link').click();
    await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 30_000 });
    expect(new URL(page.url()).hash).toMatch(/^#\/requests\?/);
    await expect(page.locator('input[name="filter"]').inputValue()).resolves.toBe('prompt_id = "triage-classifier-v1"');
    expect(problems).toEqual([]);
  });
});
