/**
 * The forecast page and card in a real headless Chromium (Debian's `chromium`, playwright-core)
 * against the real forecast route on a real ClickHouse holding generated traffic (issue 13: "the
 * dashboard pages (… forecast card) in Chromium with screenshots kept"). The page must show the
 * API's figures as the pages format them, with no console error and no failed request.
 * Screenshots go to test-artifacts/dashboard/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadTraffic, TrafficGenerator } from '@tokentrace/test';
import { startForecastApiServer, type ForecastApiServer } from '../api/testing/forecast-api-server.js';
import { startQueryStore, type QueryStore } from '../queries/testing/query-store.js';
import { mountDashboard } from './index.js';
import { startBrowserPage, type BrowserPage } from './testing/browser-page.js';
// @ts-expect-error plain browser JavaScript without type declarations
import { usd } from '../../dashboard/js/format.js';

const API_KEY = 'forecast-dashboard-key';
const NOW = new Date(Date.UTC(2026, 11, 6, 12));

let store: QueryStore;
let server: ForecastApiServer;
let browser: BrowserPage;
let page: Page;

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  await loadTraffic({ client: store.client, database: store.database }, new TrafficGenerator({ seed: 51, days: 34, requestsPerHour: 20, agentSpans: false, project: 'acme' }));
  server = await startForecastApiServer(store, { [API_KEY]: 'acme' }, NOW, (app) => mountDashboard(app));
  browser = await startBrowserPage();
  page = browser.page;
  // A route without a page makes no API call: the key is stored before any request is made.
  await page.goto(`${server.url}/dashboard/#/no-page`);
  await browser.settled();
  await page.evaluate((key) => localStorage.setItem('tokentrace.apiKey', key), API_KEY);
}, 180_000);

beforeEach(() => browser.reset());

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await store?.stop();
});

const open = (hash: string) => browser.open(hash);

async function api(path: string): Promise<any> {
  const res = await fetch(`${server.url}/api/v1/${path}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  return res.json();
}

describe('forecast page in headless Chromium', () => {
  it('shows the month-end forecast card with the API\'s figures and the budget sentence', async () => {
    const expected = await api('forecast?budget=60');
    expect(await open('#/forecast?budget=60')).toBe('ready');
    const cardText = async (figure: string) => page.locator(`[data-card="forecast"] [data-figure="${figure}"]`).textContent();
    expect(await cardText('forecast')).toBe(usd(expected.total.current.forecastUsd));
    expect(await cardText('interval80')).toBe(`80 %: ${usd(expected.total.current.interval80.lowUsd)}–${usd(expected.total.current.interval80.highUsd)} · 95 %: ${usd(expected.total.current.interval95.lowUsd)}–${usd(expected.total.current.interval95.highUsd)}`);
    expect(await cardText('spent')).toBe(`${usd(expected.total.current.spentUsd)} spent so far (day 6 of 31)`);
    expect(await cardText('budget')).toMatch(/^(At this rate the \$60\.00 budget runs out on Dec \d+ \(\d+ % chance of exceeding it\)|The \$60\.00 budget should last \(\d+ % chance of exceeding it\))\.$/);
    expect(await page.locator('[data-figure="summary"]').textContent()).toBe(expected.summary);
    expect(await page.locator('[data-nav="forecast"]').getAttribute('aria-current')).toBe('');
    await browser.shot('forecast');
    expect(browser.problems).toEqual([]);
  });

  it('groups by feature from the form, with a table per group', async () => {
    expect(await open('#/forecast')).toBe('ready');
    await page.selectOption('select[name="by"]', 'property:feature');
    await page.fill('input[name="budget"]', '40');
    await page.evaluate(() => (document.body.dataset.state = 'pending'));
    await page.click('.forecast-options button[type="submit"]');
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    expect(page.url()).toContain('#/forecast?by=property%3Afeature&budget=40');
    const expected = await api('forecast?by=property:feature&budget=40');
    const rows = await page.locator('.forecast-groups tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent)));
    expect(rows.map((r) => r[0])).toEqual(expected.groups.map((g: { group: string }) => g.group));
    expect(rows.map((r) => r[2])).toEqual(expected.groups.map((g: { current: { forecastUsd: number } }) => usd(g.current.forecastUsd)));
    expect(await page.locator('[data-card="budget"] .card-value').textContent()).toMatch(/^\d+(\.\d)?%$/);
    await browser.shot('forecast-by-feature');
    expect(browser.problems).toEqual([]);
  });

  it('shows the API\'s refusal of a bad billing day in place of the page', async () => {
    browser.allowed = [{ status: 400, path: '/api/v1/forecast' }];
    expect(await open('#/forecast?billingDay=31')).toBe('error');
    expect(await page.locator('.notice.error').textContent()).toContain('billingDay: expected a day of the month from 1 to 28, got "31"');
    expect(browser.problems).toEqual([]);
  });
});
