/**
 * examples/cost-by-tier as the demo runs it: the app exports to a real tokentrace collector (with
 * its own ClickHouse), once as `production` and once as `staging`, and report.js reads the costs
 * back through the collector's query API: top 5 users by cost, cost by environment, feature, tier.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from '../../collector/src/collector.js';
import { testCollectorConfig } from '../../collector/src/config/testing/test-collector-config.js';
import type { AnalyticsResult, AnalyticsRow } from '../../collector/src/queries/query-model.js';
import { fetchCostReport } from '../cost-by-tier/cost-report.js';
import { runExample } from '../shared/run-example.js';

const run = promisify(execFile);

/** What fetchCostReport (plain JS) resolves with, in the query API's types. */
interface CostReport {
  topUsers: Array<AnalyticsRow & { tier: string }>;
  byEnvironment: AnalyticsResult;
  byFeature: AnalyticsResult;
  byTier: AnalyticsResult;
}
const costReport = async (url: string) => (await fetchCostReport({ url })) as CostReport;
let collector: Collector;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tt-examples-cost-'));
  const config = testCollectorConfig(dir);
  collector = await Collector.start(config, { log: () => undefined });
}, 60_000);
afterAll(async () => {
  await collector?.shutdown();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const tierOf = (userId: string) => {
  const i = Number(userId.slice('user-'.length)) - 1;
  return i % 10 === 9 ? 'enterprise' : i % 3 === 2 ? 'pro' : 'free';
};
/** The LLM calls the app printed for a tier, feature or in total; 0 when it printed no such line (a tier without users). */
const printedCalls = (stdout: string, label: string) => Number(new RegExp(`\\[cost-by-tier\\] ${label}:? .*?(\\d+) LLM calls`).exec(stdout)?.[1] ?? 0);

describe('examples/cost-by-tier/report.js', () => {
  it('reports top users and cost by environment, feature and tier from the collector', { timeout: 60_000 }, async () => {
    const otlpEndpoint = collector.http.url;
    const production = await runExample('cost-by-tier', { otlpEndpoint, providers: 'emulator', environment: 'production' });
    const staging = await runExample('cost-by-tier', { otlpEndpoint, providers: 'emulator', environment: 'staging', env: { SIMULATED_USERS: '6', SIMULATED_SEED: '99' } });
    expect([production.code, staging.code]).toEqual([0, 0]);
    const prodCalls = printedCalls(production.stdout, '50 users made');
    const stagingCalls = printedCalls(staging.stdout, '6 users made');
    expect(prodCalls).toBeGreaterThan(100);

    // The collector batches and stores asynchronously: wait until every call is queryable in every
    // breakdown (the report runs its queries at once, so one may see a batch another did not yet).
    const complete = (r: Awaited<ReturnType<typeof costReport>>) =>
      [r.byEnvironment, r.byFeature, r.byTier].every((breakdown) => breakdown.totals.requests >= prodCalls + stagingCalls);
    let report = await costReport(otlpEndpoint);
    for (let i = 0; i < 100 && !complete(report); i++) {
      await new Promise((r) => setTimeout(r, 100));
      report = await costReport(otlpEndpoint);
    }
    expect(report.byEnvironment.totals.requests).toBe(prodCalls + stagingCalls);
    const rows = (result: AnalyticsResult) => Object.fromEntries(result.rows.map((r) => [r.group, r.requests]));
    expect(rows(report.byEnvironment)).toEqual({ production: prodCalls, staging: stagingCalls });
    const featureCalls = (label: string) => printedCalls(production.stdout, label) + printedCalls(staging.stdout, label);
    expect(rows(report.byFeature)).toEqual({ chat: featureCalls('chat'), summarize: featureCalls('summarize'), search: featureCalls('search') });
    expect(rows(report.byTier)).toEqual({ free: featureCalls('free'), pro: featureCalls('pro'), enterprise: featureCalls('enterprise') });

    // Every model the plans use is priced, so the costs add up across each breakdown.
    const total = report.byEnvironment.totals.costUsd;
    expect(total).toBeGreaterThan(0);
    for (const result of [report.byEnvironment, report.byFeature, report.byTier]) {
      expect(result.rows.reduce((sum, r) => sum + r.costUsd, 0)).toBeCloseTo(total, 9);
    }
    expect(report.topUsers).toHaveLength(5);
    const costs = report.topUsers.map((u) => u.costUsd);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
    for (const user of report.topUsers) expect(user.tier).toBe(tierOf(user.group!));
    // Enterprise users run the dearest models and make the most requests: they lead the ranking.
    expect(report.topUsers[0].tier).toBe('enterprise');

    // The script prints the same figures.
    const script = fileURLToPath(new URL('../cost-by-tier/report.js', import.meta.url));
    const { stdout } = await run(process.execPath, [script], { env: { ...process.env, TOKENTRACE_URL: otlpEndpoint } });
    expect(stdout).toContain(`over ${prodCalls + stagingCalls} LLM calls`);
    expect(stdout).toMatch(new RegExp(`^  ${report.topUsers[0].group} +enterprise +${report.topUsers[0].requests} +\\$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^  staging +${stagingCalls} +\\$`, 'm'));
    expect(stdout).toMatch(/^Cost by feature\n {2}feature +calls +cost +share\n/m);
  });
});
