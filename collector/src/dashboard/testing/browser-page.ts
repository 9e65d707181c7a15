/**
 * A page in Debian's headless `chromium` (playwright-core) for the dashboard's browser tests, with
 * what goes wrong in it collected: page errors, failed requests, HTTP errors and console errors,
 * except the HTTP errors a step provokes on purpose (`allowed`: status and API path). Screenshots
 * go to test-artifacts/dashboard/.
 *
 *   const browser = await startBrowserPage();
 *   browser.reset();                                  // in beforeEach: each test answers for its own page
 *   expect(await browser.open('#/forecast')).toBe('ready');
 *   expect(browser.problems).toEqual([]);
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';

export const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/dashboard/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

export interface BrowserPage {
  page: Page;
  /** What went wrong in the page since the last reset(). */
  problems: string[];
  /** HTTP errors a step provokes on purpose: status and API path. */
  allowed: Array<{ status: number; path: string }>;
  /** Clears problems and allowed errors. */
  reset(): void;
  /** Navigates within the app and waits until the view has rendered (or failed): `ready` or `error`. */
  open(hash: string): Promise<string>;
  /** Waits until `body[data-state]` is `ready` or `error`, and says which. */
  settled(): Promise<string>;
  /** A full-page screenshot, test-artifacts/dashboard/<name>.png. */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startBrowserPage(): Promise<BrowserPage> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const profileDir = mkdtempSync(join(tmpdir(), 'tokentrace-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const browser: BrowserPage = {
    page,
    problems: [],
    allowed: [],
    reset() {
      browser.problems.length = 0;
      browser.allowed = [];
    },
    async open(hash) {
      await page.evaluate((h) => {
        document.body.dataset.state = 'pending';
        location.hash = h;
      }, hash);
      return browser.settled();
    },
    async settled() {
      await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 20_000 });
      return (await page.evaluate(() => document.body.dataset.state)) as string;
    },
    async shot(name) {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    async close() {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
  const isAllowed = (status: number, path: string) => browser.allowed.some((a) => a.status === status && a.path === path);
  page.on('pageerror', (err) => browser.problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => browser.problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on('response', (res) => {
    if (res.status() >= 400 && !isAllowed(res.status(), new URL(res.url()).pathname)) browser.problems.push(`HTTP ${res.status()} ${res.url()}`);
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    // Chromium logs every HTTP error response; the provoked ones are expected.
    const resource = msg.location().url ? new URL(msg.location().url).pathname : '';
    const provoked = browser.allowed.some((a) => msg.text().includes(`status of ${a.status}`) && resource === a.path);
    if (!provoked) browser.problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  return browser;
}
