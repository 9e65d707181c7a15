/**
 * Alert evaluation cost (issue 13: "evaluation of 100 rules over 10M spans must stay a small
 * fraction of a core: measure it"). `measureAlertEvaluation` writes 100 rules of a realistic mix
 * into a loaded store (thresholds and budgets over nine windows from 5 minutes to 30 days and the
 * calendar day and month, five groupings, four filters, five anomaly rules, and with
 * `forecastRules` five budgets on the month-end forecast, one per grouping), runs evaluation
 * rounds a minute apart as the collector's schedule does (15 of them: one full cycle of the
 * evaluation cadence, under which rules over long windows are due every 15 minutes at most), and
 * reports the CPU per round of this process, which on the embedded engine includes ClickHouse's
 * own threads (chdb runs inside the process): the mean (the share of a core at one round a
 * minute), the largest (a round where every rule is due) and the first (every rule, cold). The
 * rules are removed afterwards.
 *
 * `npm run bench:alerts` runs it on generated traffic (BENCH_SPANS spans, default 2 M; the
 * coordinator's `bench:explain` calls the function on its 10 M), the mix without and with the
 * budgets on the forecast, interleaved (without, with, without, with) on the same store. The
 * first run with them reads the forecasts' daily spend cold; the second finds the complete days in
 * the forecast's 10-minute cache (its first round is then the warm figure).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AlertService, DEFAULT_ALERTS_CONFIG } from '@tokentrace/collector';
import { createClickHouseClient, createClickHouseExporter, DEFAULT_CLICKHOUSE_EXPORTER_CONFIG } from '@tokentrace/processors';
import { loadTraffic, TrafficGenerator } from '@tokentrace/test';

type ClickHouseClient = ReturnType<typeof createClickHouseClient>;

export interface AlertBenchOptions {
  client: ClickHouseClient;
  database: string;
  /** The project whose spans the rules read. */
  projectId: string;
  /** The evaluation time (e.g. the end of the loaded traffic). */
  nowMs: number;
  /** Default 100. */
  rules?: number;
  /** Measured rounds, a minute apart, after the first (every rule due); default 15. */
  rounds?: number;
  /** Five of the rules are budgets on the month-end forecast (default true; false: thresholds in their place). */
  forecastRules?: boolean;
  log?: (line: string) => void;
}

export interface AlertBenchResult {
  rules: number;
  /** ClickHouse scans per round (rules sharing a window share one; anomaly rules one each). */
  scans: number;
  rounds: number;
  /** The first round, every rule due. */
  firstRoundCpuMs: number;
  cpuMsPerRound: { mean: number; median: number; min: number; max: number };
  wallMsPerRound: { median: number; max: number };
  /** Mean CPU per round over a minute: the share of one core. */
  coreShareAtOneRoundPerMinute: number;
}

const WINDOWS = ['5m', '15m', '1h', '6h', '24h', '7d', '30d', 'calendar_day', 'calendar_month'];
const METRICS = ['cost', 'requests', 'errors', 'error_rate', 'tokens_per_request', 'latency_p95', 'ttft_p95', 'input_tokens', 'output_tokens', 'latency_p50'];
const GROUPS = ['', 'model', 'property:Feature', 'prompt_id', 'user'];
const FILTERS = ['', 'property.Feature = "chat"', 'model contains "gpt"', 'environment = "production"'];
const ANOMALY_METRICS = ['tokens_per_request', 'latency_p95', 'error_rate', 'ttft_p95', 'tokens_per_request'];

/**
 * The i-th rule of the mix: every 20th an anomaly rule, every 20th (offset 10) a budget, every
 * 20th (offset 4) with `forecast` a budget on the month-end forecast (one per grouping), else a threshold.
 */
export function benchRule(i: number, forecast = true): Record<string, unknown> {
  const base = { id: `bench-${String(i).padStart(3, '0')}`, window: WINDOWS[i % WINDOWS.length], groupBy: GROUPS[i % GROUPS.length], filter: FILTERS[(i >> 1) % FILTERS.length], channels: [] };
  if (i % 20 === 19) return { ...base, metric: ANOMALY_METRICS[Math.floor(i / 20) % ANOMALY_METRICS.length], window: '1h', condition: { type: 'anomaly' } };
  if (forecast && i % 20 === 4) return { ...base, metric: 'cost', window: 'calendar_month', groupBy: GROUPS[Math.floor(i / 20) % GROUPS.length], condition: { type: 'budget', amount: 1e9, basis: 'forecast' } };
  if (i % 20 === 9) return { ...base, metric: 'cost', window: i % 40 === 9 ? 'calendar_month' : 'calendar_day', condition: { type: 'budget', amount: 1e9 } };
  // Thresholds no traffic reaches: the round measures evaluation, not notification.
  return { ...base, metric: METRICS[i % METRICS.length], condition: { type: 'threshold', op: 'above', value: 1e12 } };
}

let runs = 0;

export async function measureAlertEvaluation(options: AlertBenchOptions): Promise<AlertBenchResult> {
  const count = options.rules ?? 100;
  const rounds = options.rounds ?? 15;
  const log = options.log ?? (() => undefined);
  let now = options.nowMs;
  const alerts = new AlertService({
    client: options.client,
    database: options.database,
    config: DEFAULT_ALERTS_CONFIG,
    dashboardBase: 'http://127.0.0.1:4318/dashboard/',
    clock: { now: () => now, setTimeout: () => undefined, clearTimeout: () => undefined },
    log,
  });
  // Ids of their own per run: the rule store's versions follow the (fake) clock, so a deleted id
  // written again at the same time would stay deleted.
  const run = ++runs;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await alerts.createRule(options.projectId, { ...benchRule(i, options.forecastRules ?? true), id: `bench-${run}-${String(i).padStart(3, '0')}` })).id);
  try {
    const c = process.cpuUsage();
    const first = await alerts.evaluateNow(); // every rule due
    const firstUsed = process.cpuUsage(c);
    const firstRoundCpuMs = (firstUsed.user + firstUsed.system) / 1000;
    if (first.failures.length > 0) throw new Error(`evaluation failed: ${first.failures.join('; ')}`);
    log(`first round (every rule due): ${firstRoundCpuMs.toFixed(0)} ms CPU, ${first.scans} window scans`);
    const cpu: number[] = [];
    const wall: number[] = [];
    let scans = first.scans;
    for (let r = 0; r < rounds; r++) {
      now = options.nowMs + (r + 1) * 60_000;
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const report = await alerts.evaluateNow();
      const used = process.cpuUsage(c0);
      wall.push(performance.now() - w0);
      cpu.push((used.user + used.system) / 1000);
      scans = Math.max(scans, report.scans);
      log(`round ${r + 1}: ${report.rules} rules due, ${report.scans} window scans, ${cpu.at(-1)!.toFixed(0)} ms CPU, ${wall.at(-1)!.toFixed(0)} ms wall`);
    }
    const anomalyRules = Array.from({ length: count }, (_, i) => i).filter((i) => i % 20 === 19).length;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const mean = cpu.reduce((a, b) => a + b, 0) / cpu.length;
    return {
      rules: count,
      scans: Math.max(scans, first.scans) + anomalyRules,
      rounds,
      firstRoundCpuMs,
      cpuMsPerRound: { mean, median: median(cpu), min: Math.min(...cpu), max: Math.max(...cpu) },
      wallMsPerRound: { median: median(wall), max: Math.max(...wall) },
      coreShareAtOneRoundPerMinute: mean / 60_000,
    };
  } finally {
    for (const id of ids) await alerts.deleteRule(options.projectId, id);
    await alerts.stop();
  }
}

async function main(): Promise<void> {
  const spans = Number(process.env.BENCH_SPANS ?? 2_000_000);
  const days = 30;
  const dir = mkdtempSync(join(tmpdir(), 'tokentrace-alert-bench-'));
  const connection = { ...DEFAULT_CLICKHOUSE_EXPORTER_CONFIG, url: '', dataDir: join(dir, 'clickhouse') };
  const client = createClickHouseClient(connection);
  const database = 'alert_bench';
  try {
    const exporter = createClickHouseExporter({ ...connection, database, retentionDays: 0 }, { client });
    await exporter.start(); // the schema, alert tables included
    // agentSpans: two spans per request, as instrumented agents send them.
    const traffic = new TrafficGenerator({ seed: 7, days, requestsPerHour: Math.max(1, Math.round(spans / 2 / (days * 24))), project: 'bench' });
    const loaded = await loadTraffic({ client, database }, traffic, { progress: (n) => n % 1_000_000 < 20_000 && console.log(`loaded ${n.toLocaleString('en-US')} spans`) });
    console.log(`loaded ${loaded.spans.toLocaleString('en-US')} spans (${loaded.requests.toLocaleString('en-US')} model calls) over ${days} days in ${loaded.seconds.toFixed(1)} s`);
    await client.command({ query: `OPTIMIZE TABLE ${database}.spans FINAL` });
    const nowMs = traffic.startMs + days * 86_400_000;
    const runs: Array<{ forecast: boolean; result: AlertBenchResult }> = [];
    for (const forecast of [false, true, false, true]) {
      console.log(`-- ${forecast ? 'with' : 'without'} the 5 budgets on the forecast`);
      runs.push({ forecast, result: await measureAlertEvaluation({ client, database, projectId: 'bench', nowMs, forecastRules: forecast, log: console.log }) });
    }
    for (const { forecast, result } of runs) {
      console.log(`${forecast ? 'with' : 'without'} forecast rules: ${result.rules} rules; first round (all due) ${result.firstRoundCpuMs.toFixed(0)} ms CPU; over ${result.rounds} rounds a minute apart: CPU per round mean ${result.cpuMsPerRound.mean.toFixed(0)} ms, median ${result.cpuMsPerRound.median.toFixed(0)}, max ${result.cpuMsPerRound.max.toFixed(0)}; wall median ${result.wallMsPerRound.median.toFixed(0)} ms, max ${result.wallMsPerRound.max.toFixed(0)}`);
    }
    const mean = (forecast: boolean, pick: (r: AlertBenchResult) => number) => {
      const xs = runs.filter((r) => r.forecast === forecast).map((r) => pick(r.result));
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const [without, withForecast] = [mean(false, (r) => r.cpuMsPerRound.mean), mean(true, (r) => r.cpuMsPerRound.mean)];
    console.log(`CPU per round, mean of the two runs: without ${without.toFixed(0)} ms, with ${withForecast.toFixed(0)} ms (×${(withForecast / without).toFixed(2)}); first round (all due): without ${mean(false, (r) => r.firstRoundCpuMs).toFixed(0)} ms, with ${runs[1].result.firstRoundCpuMs.toFixed(0)} ms cold / ${runs[3].result.firstRoundCpuMs.toFixed(0)} ms with the forecast's spend cached`);
    const result = runs[3].result;
    console.log(`alert_eval_cpu_ms_per_round=${result.cpuMsPerRound.mean.toFixed(0)}`);
    console.log(`alert_eval_core_share=${result.coreShareAtOneRoundPerMinute.toFixed(4)}`);
    await exporter.shutdown();
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
