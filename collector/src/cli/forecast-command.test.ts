/**
 * `tokentrace forecast` on its output, against the real forecast route over a real ClickHouse
 * holding generated traffic (test/src/traffic): the summary line, the period table per group with
 * a totals row, the budget line, JSON, and a refused parameter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTraffic, TrafficGenerator } from '@tokentrace/test';
import { startForecastApiServer, type ForecastApiServer } from '../api/testing/forecast-api-server.js';
import { startQueryStore, type QueryStore } from '../queries/testing/query-store.js';
import type { CliIo } from './cli-io.js';
import { runForecastCommand } from './forecast-command.js';

const NOW = new Date(Date.UTC(2026, 11, 6, 12));
let store: QueryStore;
let api: ForecastApiServer;

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  await loadTraffic({ client: store.client, database: store.database }, new TrafficGenerator({ seed: 41, days: 34, requestsPerHour: 20, events: false, agentSpans: false, project: 'acme' }));
  api = await startForecastApiServer(store, { 'key-acme': 'acme', 'key-empty': 'empty' }, NOW);
}, 180_000);
afterAll(async () => {
  await api?.close();
  await store?.stop();
});

async function run(args: string[], key = 'key-acme') {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t), isTTY: false }, stderr: { write: (t: string) => (stderr += t) }, env: { TOKENTRACE_URL: api.url, TOKENTRACE_API_KEY: key } };
  const code = await runForecastCommand(args, io);
  return { code, stdout, stderr };
}

describe('tokentrace forecast', () => {
  it('prints the summary and the project\'s periods', async () => {
    const { code, stdout, stderr } = await run([]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Month-end forecast \$[\d.,]+ \(80 %: \$[\d.,]+–\$[\d.,]+\); \$[\d.,]+ spent so far$/);
    expect(lines[2]).toMatch(/^PROJECT +SPENT SINCE 2026-12-01 +FORECAST TO 2027-01-01 +80 % +95 % +NEXT TO 2027-02-01 +NEXT 80 %$/);
    expect(lines[3]).toMatch(/^project +\$[\d.,]+ +\$[\d.,]+ +\$[\d.,]+–\$[\d.,]+ +\$[\d.,]+–\$[\d.,]+ +\$[\d.,]+ +\$[\d.,]+–\$[\d.,]+$/);
    expect(stdout).not.toContain('\x1b');
  });

  it('per feature, with a budget and a billing day', async () => {
    const { code, stdout } = await run(['--by', 'property:Feature', '--budget', '25', '--billing-day', '15']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^Forecast for the billing period to 2026-12-15 .*; (at this rate the \$25.00 budget runs out on the \d+(st|nd|rd|th)|the \$25.00 budget ran out on the \d+(st|nd|rd|th))$/);
    expect(stdout).toMatch(/\nFEATURE +SPENT SINCE 2026-11-15 +FORECAST TO 2026-12-15/);
    for (const feature of ['chat', 'codegen', 'search', 'summarize', 'triage']) expect(stdout).toMatch(new RegExp(`\\n${feature} +\\$`));
    expect(stdout).toMatch(/\ntotal +\$/);
    expect(stdout).toMatch(/\nbudget \$25\.00: \d+ % chance of exceeding it/);
  });

  it('prints the API\'s JSON, notes for a project without spend, and refusals', async () => {
    const json = await run(['--json', '--by', 'model']);
    const body = JSON.parse(json.stdout);
    expect(body).toMatchObject({ projectId: 'acme', by: 'model' });
    const empty = await run([], 'key-empty');
    expect(empty.stdout).toContain('note: no spend recorded before today');
    const bad = await run(['--billing-day', '30']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('tokentrace forecast: billingDay: expected a day of the month from 1 to 28, got "30"\n');
  });
});
