/**
 * The alert pages of the dashboard in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against the real alerts and query APIs on the embedded engine: the list with
 * each rule's state, the editor creating a rule (a refusal shown at its field), testing it (a
 * real HTTP receiver gets the test notification), the history. No console errors, no failed
 * requests. Screenshots go to test-artifacts/dashboard/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertApiServer, type AlertApiServer } from '../alerts/testing/alert-api-server.js';
import { startHttpReceiver, type HttpReceiver } from '../alerts/testing/alert-receivers.js';
import { modelCalls } from '../alerts/testing/alert-spans.js';
import { startQueryStore, type QueryStore } from '../queries/testing/query-store.js';

const API_KEY = 'alerts-dashboard-key';
const PROJECT = 'proj-dash';
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/dashboard/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

let store: QueryStore;
let server: AlertApiServer;
let receiver: HttpReceiver;
let profileDir: string;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];
/** HTTP errors a step provokes on purpose. */
let allowed: Array<{ status: number; path: string }> = [];

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  // Billing periods from the 15th: the list words a calendar_month window as the notifications do.
  server = await startAlertApiServer(store, { [API_KEY]: PROJECT }, { dashboard: true, billingDay: 15 });
  receiver = await startHttpReceiver();
  const now = Date.now();
  await store.insert(modelCalls(30, now - 40 * 60_000, now - 60_000, { project: PROJECT, costUsd: 0.2, user: 'u-heavy' }));
  await store.insert(modelCalls(10, now - 40 * 60_000, now - 60_000, { project: PROJECT, costUsd: 0.01, user: 'u-light' }));
  // A rule that fired and is still firing, for the list's state and history.
  await server.alerts.createRule(PROJECT, { id: 'spend-by-user', name: 'Spend per user', metric: 'cost', window: '1h', groupBy: 'user', condition: { type: 'threshold', op: 'above', value: 1 }, channels: [{ type: 'webhook', url: `${receiver.url}/hook`, secret: 'whsec-dashboard-0123456' }] });
  await server.alerts.evaluateNow();
  await server.alerts.engine.idle();

  mkdirSync(ARTIFACTS, { recursive: true });
  profileDir = mkdtempSync(join(tmpdir(), 'tokentrace-chromium-alerts-'));
  context = await chromium.launchPersistentContext(profileDir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, viewport: { width: 1400, height: 900 }, timezoneId: 'UTC', locale: 'en-US' });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (res.status() >= 400 && !allowed.some((a) => a.status === res.status() && url.pathname === a.path)) problems.push(`HTTP ${res.status()} ${res.url()}`);
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    const resource = msg.location().url ? new URL(msg.location().url).pathname : '';
    if (!allowed.some((a) => msg.text().includes(`status of ${a.status}`) && resource === a.path)) problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  await page.goto(`${server.url}/dashboard/`);
  await page.evaluate((key) => localStorage.setItem('tokentrace.apiKey', key), API_KEY);
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  await server?.close();
  await receiver?.close();
  await store?.stop();
});

async function open(hash: string): Promise<void> {
  await page.evaluate((h) => {
    document.body.dataset.state = 'pending';
    location.hash = h;
  }, hash);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 20_000 });
  expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
}

describe('the alert pages', () => {
  it('list the rules with their state and the latest notifications', async () => {
    await open('#/alerts');
    const rows = await page.locator('table.alert-rules tbody tr').allInnerTexts();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^Spend per user\tfiring \(1\)\tcost\tlast 1h\tabove \$1\.00\tuser\t—\twebhook$/);
    const history = await page.locator('table.alert-history tbody tr').allInnerTexts();
    expect(history).toHaveLength(1);
    expect(history[0]).toContain('Cost over the last 1h for user u-heavy is $6.00, above $1.00 (30 requests).');
    expect(history[0]).toContain('1/1 delivered');
    expect(await page.locator('nav a[aria-current]').innerText()).toBe('Alerts');
    await page.screenshot({ path: join(ARTIFACTS, 'alerts-list.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('create a rule in the editor (a refusal shown at its field), test it, and show its history', async () => {
    await open('#/alerts/new');
    await page.fill('[data-field="name"]', 'Error rate by model');
    await page.selectOption('[data-field="metric"]', 'error_rate');
    await page.fill('[data-field="condition.value"]', '0.05');
    await page.fill('[data-field="groupBy"]', 'model');
    await page.fill('[data-field="channels[webhook].url"]', `${receiver.url}/editor`);
    await page.fill('[data-field="channels[webhook].secret"]', 'short');
    allowed = [{ status: 400, path: '/api/v1/alerts/rules' }];
    await page.click('button[type="submit"]');
    await page.waitForSelector('.editor-message .notice.error');
    expect(await page.locator('.editor-message').innerText()).toMatch(/channels\[0\]\.secret: expected a secret of at least 16 characters/);
    expect(await page.getAttribute('[data-field="channels[webhook].secret"]', 'aria-invalid')).toBe('true');
    await page.screenshot({ path: join(ARTIFACTS, 'alert-editor-refused.png'), fullPage: true });

    allowed = [];
    await page.fill('[data-field="channels[webhook].secret"]', 'whsec-editor-0123456789');
    await page.fill('[data-field="minRequests"]', '5');
    await page.click('button[type="submit"]');
    await page.waitForFunction(() => /^#\/alerts\/rule-[0-9a-f]{12}$/.test(location.hash) && document.body.dataset.state === 'ready');
    const id = (await page.evaluate(() => location.hash)).split('/').pop()!;
    expect(await server.alerts.getRule(PROJECT, id)).toMatchObject({ name: 'Error rate by model', metric: 'error_rate', groupBy: 'model', minRequests: 5, condition: { type: 'threshold', op: 'above', value: 0.05 } });
    expect(await page.inputValue('[data-field="channels[webhook].secret"]')).toBe('(hidden)');

    await page.click('text=Test now');
    await page.waitForSelector('.test-result');
    expect(await page.locator('.test-result').innerText()).toMatch(/gpt-4o-mini: 0\.0% over 40 requests/);
    expect(await page.locator('.test-result strong').innerText()).toBe('Test: error rate over the last 1h for model gpt-4o-mini is 0 % (40 requests); the alert fires above 5 %.');
    expect(receiver.at('/editor').map((r) => JSON.parse(r.body).event)).toEqual(['test']);
    await open('#/alerts'); // the same hash again would not navigate
    await open(`#/alerts/${id}`);
    expect(await page.locator('table.alert-history tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/\ttest\t.*1\/1 delivered/)]);
    await page.screenshot({ path: join(ARTIFACTS, 'alert-editor.png'), fullPage: true });

    // Saved again as shown, the hidden secret is kept.
    await page.fill('[data-field="name"]', 'Error rate per model');
    await page.click('button[type="submit"]');
    await page.waitForSelector('.editor-message .notice.info');
    expect((await server.alerts.getRule(PROJECT, id)).channels[0]).toMatchObject({ secret: 'whsec-editor-0123456789' });
    expect(problems).toEqual([]);
  });

  it('create a budget on the month-end forecast in the editor (its window refused first), and test it', async () => {
    await open('#/alerts/new');
    await page.fill('[data-field="name"]', 'Projected to exceed');
    await page.selectOption('[data-field="condition.type"]', 'budget');
    await page.fill('[data-field="condition.amount"]', '1000000');
    await page.fill('[data-field="condition.levels"]', '80, 100');
    await page.selectOption('[data-field="condition.basis"]', 'forecast');
    await page.selectOption('[data-field="condition.forecastBound"]', 'high80');
    allowed = [{ status: 400, path: '/api/v1/alerts/rules' }];
    await page.click('button[type="submit"]'); // the window is still 1h
    await page.waitForSelector('.editor-message .notice.error');
    expect(await page.locator('.editor-message').innerText()).toMatch(/window: expected calendar_month for a budget on the forecast/);
    expect(await page.getAttribute('[data-field="window"]', 'aria-invalid')).toBe('true');

    allowed = [];
    await page.selectOption('[data-field="window"]', 'calendar_month');
    await page.click('button[type="submit"]');
    await page.waitForFunction(() => /^#\/alerts\/rule-[0-9a-f]{12}$/.test(location.hash) && document.body.dataset.state === 'ready');
    const id = (await page.evaluate(() => location.hash)).split('/').pop()!;
    expect((await server.alerts.getRule(PROJECT, id)).condition).toEqual({
      type: 'budget',
      amount: 1_000_000,
      basis: 'forecast',
      forecastBound: 'high80',
      levels: [{ percent: 80, severity: 'info' }, { percent: 100, severity: 'critical' }],
    });
    // Shown again as saved.
    expect(await page.inputValue('[data-field="condition.levels"]')).toBe('80, 100');
    expect(await page.inputValue('[data-field="condition.basis"]')).toBe('forecast');
    expect(await page.inputValue('[data-field="condition.forecastBound"]')).toBe('high80');

    await page.click('text=Test now');
    await page.waitForSelector('.test-result');
    expect(await page.locator('.test-result strong').innerText()).toMatch(/^Test: Forecast for the billing period to \d{4}-\d\d-15 \$[\d,.]+ \(80 %: \$[\d,.]+–\$[\d,.]+\): its 80 % high end is under the first level \(80 %\) of the \$1,000,000 budget; \$[\d,.]+ spent so far\.$/);
    await page.screenshot({ path: join(ARTIFACTS, 'alert-editor-forecast.png'), fullPage: true });
    await open('#/alerts');
    const row = (await page.locator('table.alert-rules tbody tr').allInnerTexts()).find((r) => r.startsWith('Projected to exceed'));
    expect(row).toMatch(/\tthis billing period \(from the 15th, UTC\)\tbudget \$1,000,000\.00 on the forecast's 80 % high end \(80% \/ 100%\)\t/);
    expect(problems).toEqual([]);
  });
});
