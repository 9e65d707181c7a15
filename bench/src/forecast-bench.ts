/**
 * The month-end forecast's figures for `npm run bench:explain` (issue 13: "forecast latency
 * (target < 300 ms)", "forecast_coverage_80=<fraction of backtest days inside the 80 % interval>"):
 * `measureForecast` times forecastMonth on a loaded store (the project, per feature, per model;
 * interleaved rounds, medians) and backtests the forecast over generated months:
 * - stable generated traffic (daily and weekly cycles, no planted event), September–November 2026,
 *   loaded into its own project of the same database: `forecast_coverage_80`, `forecast_mape`;
 * - the loaded project itself (with its planted events: steps of +25 % and +35 % in total spend
 *   that nothing before them announces), over its complete billing periods: `…_planted`.
 *
 * Run alone: `npm run bench:forecast` loads SPAN_COUNT (default 2 000 000) generated spans with
 * the planted events into the embedded engine, merges each day's parts (the steady state), then
 * prints the same lines. Wrap runs in
 * `flock /tmp/bench.lock` (shared machine).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import { backtestStored, forecastMonth, type BacktestResult, type ForecastStore } from '@tokentrace/collector';
import { createClickHouseClient, ensureSchema } from '@tokentrace/processors';
import { loadTraffic, TrafficGenerator } from '@tokentrace/test';
import { mergePartitions, waitForMerges } from './query-bench-load.js';
import { median } from './stats.js';

const DAY_MS = 86_400_000;
const STABLE_PROJECT = 'forecast-bench-stable';

export interface MeasureForecastOptions {
  client: ClickHouseClient;
  database: string;
  /** The loaded project, and the time its data ends (the forecasts' "now"). */
  projectId: string;
  now: Date;
  /** Timed rounds (default 5, after one warm-up round). */
  runs?: number;
  /** Backtest the loaded project too (default true). */
  backtestLoaded?: boolean;
  /** Read clean days through the usage rollup, as the collector does (its `rollup.graceMs`); absent: spans FINAL only. */
  rollup?: { graceMs: number };
}

export interface ForecastMeasurement {
  /** Medians, ms: every day read (`fresh`), and with the complete days cached (only today read). */
  latencyMs: { project: number; byFeature: number; byModel: number };
  warmLatencyMs: { project: number; byFeature: number; byModel: number };
  stable: BacktestResult;
  planted: BacktestResult | null;
  /** The lines to print, `forecast_coverage_80=…` among them. */
  lines: string[];
}

export async function measureForecast(options: MeasureForecastOptions): Promise<ForecastMeasurement> {
  const store: ForecastStore = { client: options.client, database: options.database, rollup: options.rollup };
  const source = options.rollup ? 'through the usage rollup' : 'spans FINAL only';
  const now = options.now;
  const variants = [
    ['project', (fresh: boolean) => forecastMonth(store, options.projectId, { now, budgetUsd: 1000, fresh })],
    ['byFeature', (fresh: boolean) => forecastMonth(store, options.projectId, { now, by: 'property:Feature', fresh })],
    ['byModel', (fresh: boolean) => forecastMonth(store, options.projectId, { now, by: 'model', fresh })],
  ] as const;
  // Round-robin: each variant read fresh (every day from ClickHouse), then again warm (only today).
  const cold: Record<string, number[]> = { project: [], byFeature: [], byModel: [] };
  const warm: Record<string, number[]> = { project: [], byFeature: [], byModel: [] };
  for (let round = 0; round <= (options.runs ?? 5); round++) {
    for (const [name, run] of variants) {
      for (const [fresh, samples] of [[true, cold], [false, warm]] as const) {
        const started = performance.now();
        await run(fresh);
        if (round > 0) samples[name].push(performance.now() - started);
      }
    }
  }
  const medians = (s: Record<string, number[]>) => ({ project: median(s.project), byFeature: median(s.byFeature), byModel: median(s.byModel) });
  const latencyMs = medians(cold);
  const warmLatencyMs = medians(warm);
  const samples = cold;

  const stableTraffic = new TrafficGenerator({ seed: 5, startMs: Date.UTC(2026, 8, 1), days: 91, requestsPerHour: 30, events: false, agentSpans: false, project: STABLE_PROJECT });
  await loadTraffic({ client: options.client, database: options.database }, stableTraffic);
  const stable = await backtestStored(store, STABLE_PROJECT, { fromMs: stableTraffic.startMs, toMs: stableTraffic.endMs, paths: 1000 });

  let planted: BacktestResult | null = null;
  if (options.backtestLoaded !== false) {
    // Billing periods from the loaded data's first whole day, so that a month of it is complete.
    const first = await firstDay(options.client, options.database, options.projectId);
    if (first !== undefined) {
      const billingDay = Math.min(28, new Date(first * DAY_MS).getUTCDate());
      planted = await backtestStored(store, options.projectId, { fromMs: first * DAY_MS, toMs: now.getTime(), billingDay, paths: 1000 });
    }
  }
  const fmt = (r: BacktestResult) => `${r.days} days in ${r.periods} period${r.periods === 1 ? '' : 's'}: coverage 80 % ${r.coverage80.toFixed(3)}, 95 % ${r.coverage95.toFixed(3)}, MAPE ${(r.mape * 100).toFixed(2)} %`;
  const lines = [
    `forecast latency, every day read, ${source} (median of ${samples.project.length}): project + budget ${latencyMs.project.toFixed(1)} ms, by feature ${latencyMs.byFeature.toFixed(1)} ms, by model ${latencyMs.byModel.toFixed(1)} ms`,
    `forecast latency, complete days cached (only today read), ${source}: project + budget ${warmLatencyMs.project.toFixed(1)} ms, by feature ${warmLatencyMs.byFeature.toFixed(1)} ms, by model ${warmLatencyMs.byModel.toFixed(1)} ms (x${(latencyMs.project / warmLatencyMs.project).toFixed(1)} faster for the project)`,
    `forecast backtest, stable generated traffic Sep–Nov 2026 (calendar months): ${fmt(stable)}`,
    planted ? `forecast backtest, loaded traffic with planted events: ${fmt(planted)}` : 'forecast backtest, loaded traffic: no complete billing period',
    `forecast_ms=${latencyMs.project.toFixed(1)}`,
    `forecast_cached_ms=${warmLatencyMs.project.toFixed(1)}`,
    `forecast_mape=${stable.mape.toFixed(4)}`,
    ...(planted ? [`forecast_coverage_80_planted=${planted.coverage80.toFixed(3)}`, `forecast_mape_planted=${planted.mape.toFixed(4)}`] : []),
    `forecast_coverage_80=${stable.coverage80.toFixed(3)}`,
  ];
  return { latencyMs, warmLatencyMs, stable, planted, lines };
}

/** The first whole UTC day of the project's model calls. */
async function firstDay(client: ClickHouseClient, database: string, projectId: string): Promise<number | undefined> {
  const result = await client.query({
    query: `SELECT toUInt64(toUnixTimestamp(min(start_time))) AS s, count() AS n FROM ${database}.spans WHERE project_id = {p:String} AND is_model_call = 1`,
    query_params: { p: projectId },
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ s: string; n: string }>();
  if (!row || Number(row.n) === 0) return undefined;
  // A first day that starts after midnight is not whole: begin with the next one.
  return Math.ceil(Number(row.s) / 86_400);
}

async function main(): Promise<void> {
  const spans = Number(process.env.SPAN_COUNT ?? 2_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'tt-bench-forecast-'));
  const client = createClickHouseClient({ url: '', dataDir: join(dir, 'clickhouse'), requestTimeoutMs: 600_000, maxOpenConnections: 4 });
  const database = 'tokentrace';
  try {
    await ensureSchema(client, database);
    const days = 35;
    // Two spans per request (agent + model call).
    const traffic = new TrafficGenerator({ seed: 1, days, requestsPerHour: Math.max(10, Math.round(spans / 2 / (days * 24))), project: 'default' });
    const load = await loadTraffic({ client, database }, traffic, { batchSpans: 50_000 });
    console.log(`loaded ${load.spans.toLocaleString('en')} generated spans (${load.requests.toLocaleString('en')} model calls, planted events) in ${load.seconds.toFixed(1)} s`);
    // The steady state: the engine merges each day's parts once they are 10 minutes old.
    await waitForMerges(client, database, 5000, 120_000);
    const merging = performance.now();
    await mergePartitions(client, database);
    console.log(`merged each day's partition into one part in ${((performance.now() - merging) / 1000).toFixed(1)} s (what the engine does by itself after 10 minutes)`);
    const result = await measureForecast({ client, database, projectId: 'default', now: new Date(traffic.endMs) });
    for (const line of result.lines) console.log(line);
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
