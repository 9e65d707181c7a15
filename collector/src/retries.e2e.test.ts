/**
 * A retried call from the app to the query API (issue 12, part 4): the openai SDK under
 * `--import @tokentrace/instrumentation/register` gets a 429, retries by itself, and the collector
 * stores both attempts; the API lists the retry with its attempt number and filters on it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startOpenAIEmulator, type ProviderEmulator } from '@tokentrace/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from './collector.js';
import { testCollectorConfig } from './config/testing/test-collector-config.js';
import type { RequestPage } from './queries/index.js';

const run = promisify(execFile);
const testPackage = fileURLToPath(new URL('../../test/', import.meta.url));

let dir: string;
let collector: Collector;
let emulator: ProviderEmulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tt-retries-'));
  [collector, emulator] = await Promise.all([Collector.start(testCollectorConfig(dir), { log: () => undefined }), startOpenAIEmulator()]);
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  await collector?.shutdown();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function requests(filter: string): Promise<RequestPage> {
  const response = await fetch(`${collector.http.url}/api/v1/requests?since=1h&filter=${encodeURIComponent(filter)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as RequestPage;
}

describe('a call the SDK retried', () => {
  it('is stored as two attempts; the API lists the retry with its attempt number and filters on it', async () => {
    // `retry-after-ms` makes the SDK retry at once instead of after its back-off.
    emulator.enqueue({ status: 429, error: { message: 'Rate limited' }, headers: { 'retry-after-ms': '1' } }, { text: 'Second time lucky.', inputTokens: 9, outputTokens: 4 });
    const env = {
      PATH: process.env.PATH ?? '',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.http.url,
      OTEL_SERVICE_NAME: 'e2e-retry-app',
      OTEL_METRICS_EXPORTER: 'none',
      APP_OPENAI_BASE_URL: emulator.baseUrl,
    };
    const { stdout } = await run(process.execPath, ['--import', '@tokentrace/instrumentation/register', join(testPackage, 'fixtures/esm-openai-retry-app.mjs')], { env, cwd: testPackage });
    expect(JSON.parse(stdout)).toEqual({ text: 'Second time lucky.' });

    // The app exported before it exited; the collector stores within its batch delay.
    let all = await requests('service = "e2e-retry-app"');
    for (let i = 0; i < 100 && all.items.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      all = await requests('service = "e2e-retry-app"');
    }
    const attempts = [...all.items].sort((a, b) => a.startTime.localeCompare(b.startTime));
    expect(attempts.map((r) => [r.resendCount, r.status, r.errorType])).toEqual([
      [0, 'error', '429'],
      [1, 'unset', ''], // a successful call's status is left unset, as OpenTelemetry asks of instrumentations
    ]);
    const retried = await requests('service = "e2e-retry-app" and retries > 0');
    expect(retried.items.map((r) => [r.spanId, r.resendCount])).toEqual([[attempts[1].spanId, 1]]);
  }, 60_000);
});
