/**
 * npm run bench:explain — the spend-change explainer (issue 13 §2) on generated traffic with
 * planted events (test/src/traffic), on the embedded engine:
 * 1. loads EXPLAIN_SPANS spans (default 10 M: an agent span and a model call per request) over 60
 *    days as the exporter writes them (loadTraffic: spanBatchBody + insertSpanBatch), waits for the
 *    background merges, then merges each day into one part (what the engine does by itself once a
 *    day is 10 minutes old: query-bench-load.ts);
 * 2. the usage rollup built as the collector's builder builds it (its defaults, the property
 *    `feature` configured), which the explainer then reads through like the collector's (clean days
 *    and hours from the rollup, the rest from spans FINAL: explain-source.ts);
 *    planted events: each explained in its own comparison (2 days after the event against the
 *    same hours a week earlier); found when the first finding is the event's dimension, group and
 *    metric, its hour within ±1 h (steps) and its size within ±10 %;
 * 3. false alarms: findings in comparisons of the last 25 days, where nothing is planted (the
 *    drift has reached its plateau on day 35);
 * 4. latency of a 7-day and a 30-day comparison (each against the previous 7 or 30 days), through
 *    the rollup and from spans FINAL only, interleaved, median of EXPLAIN_RUNS (default 5) after
 *    one warm-up (explain_*_ms: through the rollup).
 * 5. the month-end forecast on the same spans (forecast-bench.ts: latency, backtest coverage of the
 *    80 % interval on stable generated months and on the loaded month with its planted events);
 * 6. alert evaluation of 100 rules over the same spans (alert-eval-bench.ts: CPU per round);
 * 7. the forecast's reads from spans FINAL only beside the same through the rollup.
 * Last lines: planted_found=<found>/<planted>, false_alarms=<n>, forecast_coverage_80=<fraction>,
 * explain_30d_ms=<median>.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExplainer, DEFAULT_ROLLUP_CONFIG, forecastMonth, RollupBuilder, type ExplainResult, type Explainer, type ForecastStore } from '@tokentrace/collector';
import { createClickHouseClient, ensureSchema } from '@tokentrace/processors';
import { loadTraffic, TrafficGenerator, type PlantedEvent } from '@tokentrace/test';
import { measureAlertEvaluation } from './alert-eval-bench.js';
import { measureForecast } from './forecast-bench.js';
import { mergePartitions, partStats, waitForMerges } from './query-bench-load.js';
import { median } from './stats.js';

const SPANS = Number(process.env.EXPLAIN_SPANS ?? 10_000_000);
const RUNS = Number(process.env.EXPLAIN_RUNS ?? 5);
const DAYS = 60;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const PROJECT = 'bench';

function found(event: PlantedEvent, result: ExplainResult): { ok: boolean; text: string } {
  const top = result.findings[0];
  if (!top) return { ok: false, text: 'no finding' };
  const rightSeries = top.dimension === event.dimension.toLowerCase() && top.group === event.group && top.metric === event.metric;
  const size = event.kind === 'output-drift' ? top.periodLevel / top.baselineLevel / event.expectedRatio : top.ratio / event.ratio;
  const onTime = event.kind === 'output-drift' ? top.at === undefined || Date.parse(top.at) >= event.atMs - HOUR : top.at !== undefined && Math.abs(Date.parse(top.at) - event.atMs) <= HOUR;
  return { ok: rightSeries && onTime && size > 0.9 && size < 1.1, text: top.sentence };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tt-bench-explain-'));
  const database = 'tokentrace';
  const client = createClickHouseClient({ url: '', dataDir: join(dir, 'clickhouse'), requestTimeoutMs: 600_000, maxOpenConnections: 4 });
  try {
    await ensureSchema(client, database);
    // The surge user's extra requests (×20 of ≈1.5 % from day 16 on) come on top of the rate.
    const surgeExtra = 1 + 0.015 * 19 * ((DAYS - 16.4) / DAYS);
    const requestsPerHour = SPANS / 2 / (DAYS * 24) / surgeExtra;
    const traffic = new TrafficGenerator({ seed: 1, days: DAYS, requestsPerHour, project: PROJECT });
    console.log(`loading ${SPANS.toLocaleString('en')} spans (${Math.round(requestsPerHour).toLocaleString('en')} model calls an hour on average) over ${DAYS} days into the embedded engine…`);
    let shown = 0;
    const load = await loadTraffic({ client, database }, traffic, {
      batchSpans: 50_000,
      progress: (n) => {
        if (n - shown >= 2_000_000) console.log(`  ${(n / 1e6).toFixed(1)} M spans`), (shown = n);
      },
    });
    console.log(`loaded ${load.spans.toLocaleString('en')} spans (${load.requests.toLocaleString('en')} model calls) in ${load.seconds.toFixed(1)} s, generation included`);
    await waitForMerges(client, database, 5000, 120_000);
    const started = performance.now();
    const merged = await mergePartitions(client, database);
    const parts = await partStats(client, database);
    console.log(`merged ${merged} days into one part each in ${((performance.now() - started) / 1000).toFixed(1)} s: ${parts.parts} parts, ${parts.rows.toLocaleString('en')} rows`);
    const rollup = await buildRollup(client, database);
    const explainer = createExplainer(client, database, false, rollup);
    const spansOnly = createExplainer(client, database);

    console.log(`\nplanted events, each in its own comparison (2 days after it against the same hours a week earlier):`);
    let hits = 0;
    let equal = 0;
    for (const event of traffic.events) {
      const t0 = performance.now();
      const result = await explainer.explain({ projectId: PROJECT, period: event.period, baseline: event.baseline });
      const ms = performance.now() - t0;
      const { ok, text } = found(event, result);
      if (ok) hits++;
      const same = JSON.stringify(result) === JSON.stringify(await spansOnly.explain({ projectId: PROJECT, period: event.period, baseline: event.baseline }));
      if (same) equal++;
      console.log(`  ${ok ? 'found ' : 'MISSED'} ${event.kind} (${event.dimension} ${event.group}, ${event.metric} ×${event.expectedRatio.toFixed(2)}) in ${Math.round(ms)} ms${same ? '' : ' (NOT the answer of spans FINAL only)'}: ${text}`);
    }
    console.log(`  answers through the rollup equal to those of spans FINAL only: ${equal}/${traffic.events.length}`);

    const end = traffic.endMs;
    const stable = [
      { period: { fromMs: end - 7 * DAY, toMs: end }, baseline: { fromMs: end - 14 * DAY, toMs: end - 7 * DAY } },
      { period: { fromMs: end - 12 * DAY, toMs: end }, baseline: { fromMs: end - 24 * DAY, toMs: end - 12 * DAY } },
    ];
    let falseAlarms = 0;
    console.log(`\nstable stretch (days ${DAYS - 24}–${DAYS}, nothing planted):`);
    for (const c of stable) {
      const result = await explainer.explain({ projectId: PROJECT, ...c });
      falseAlarms += result.findings.length;
      console.log(`  ${((c.period.toMs - c.period.fromMs) / DAY).toFixed(0)} d against the previous ${((c.baseline.toMs - c.baseline.fromMs) / DAY).toFixed(0)} d: ${result.findings.length} findings${result.findings.map((f) => `\n    ${f.sentence}`).join('')}`);
    }

    const comparison = (days: number) => ({ projectId: PROJECT, period: { fromMs: end - days * DAY, toMs: end }, baseline: { fromMs: end - 2 * days * DAY, toMs: end - days * DAY } });
    const timings = new Map<number, number[]>([[7, []], [30, []]]);
    const spansTimings = new Map<number, number[]>([[7, []], [30, []]]);
    const time = async (e: Explainer, days: number) => {
      const t0 = performance.now();
      await e.explain(comparison(days));
      return performance.now() - t0;
    };
    for (const days of timings.keys()) await time(explainer, days), await time(spansOnly, days);
    for (let run = 0; run < RUNS; run++) {
      for (const days of timings.keys()) {
        timings.get(days)!.push(await time(explainer, days));
        spansTimings.get(days)!.push(await time(spansOnly, days));
      }
    }
    const stats = (samples: number[]) => `${median(samples).toFixed(1)} ms (min ${Math.min(...samples).toFixed(1)}, max ${Math.max(...samples).toFixed(1)})`;
    console.log(`\nlatency, ${(SPANS / 1e6).toFixed(1)} M spans, days merged, through the rollup and from spans FINAL only, interleaved, median of ${RUNS} (1 warm-up):`);
    for (const [days, samples] of timings) {
      const spans = spansTimings.get(days)!;
      console.log(`  ${days}-day comparison (against the previous ${days} days): through the rollup ${stats(samples)}; spans FINAL only ${stats(spans)} (×${(median(spans) / median(samples)).toFixed(1)})`);
    }

    console.log('\nmonth-end forecast on the same spans:');
    const forecast = await measureForecast({ client, database, projectId: PROJECT, now: new Date(end), rollup });
    for (const line of forecast.lines.filter((l) => !l.startsWith('forecast_coverage_80='))) console.log(`  ${line}`);

    console.log('\nalert evaluation, 100 rules over the same spans:');
    const alerts = await measureAlertEvaluation({ client, database, projectId: PROJECT, nowMs: end });
    console.log(`  first round (all due) ${alerts.firstRoundCpuMs.toFixed(0)} ms CPU; over ${alerts.rounds} rounds a minute apart: CPU per round mean ${alerts.cpuMsPerRound.mean.toFixed(0)} ms, median ${alerts.cpuMsPerRound.median.toFixed(0)}, max ${alerts.cpuMsPerRound.max.toFixed(0)} (${(alerts.coreShareAtOneRoundPerMinute * 100).toFixed(2)} % of a core)`);
    console.log(`alert_eval_cpu_ms_per_round=${alerts.cpuMsPerRound.mean.toFixed(0)}`);

    await forecastThroughRollup(client, database, end, rollup);
    console.log(`explain_7d_ms=${Math.round(median(timings.get(7)!))}`);
    console.log(`planted_found=${hits}/${traffic.events.length}`);
    console.log(`false_alarms=${falseAlarms}`);
    console.log(`forecast_coverage_80=${forecast.stable.coverage80.toFixed(3)}`);
    console.log(`explain_30d_ms=${Math.round(median(timings.get(30)!))}`);
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The usage rollup (migration 9) built as the collector's builder builds it (its defaults, the
 * property `feature` configured; first the grace after the last insert); what readers through it get.
 */
async function buildRollup(client: ReturnType<typeof createClickHouseClient>, database: string): Promise<{ graceMs: number }> {
  const config = { ...DEFAULT_ROLLUP_CONFIG, properties: ['feature'] };
  await new Promise((r) => setTimeout(r, config.graceMs + 1000));
  const builder = new RollupBuilder({ client, database, config });
  const started = performance.now();
  let [hours, days, busy] = [0, 0, 0];
  for (;;) {
    const round = await builder.round();
    [hours, days, busy] = [hours + round.hours, days + round.days, busy + round.busyMs];
    if (round.hours === 0 && round.days === 0) break;
  }
  console.log(`\nusage rollup built (collector defaults, property feature): ${hours} hours and ${days} days in ${((performance.now() - started) / 1000).toFixed(1)} s, busy ${(busy / 1000).toFixed(1)} s (${(busy / Math.max(1, hours)).toFixed(0)} ms per hour)`);
  return { graceMs: config.graceMs };
}

/** The forecast's fresh reads from spans FINAL only beside the same through the rollup, interleaved. */
async function forecastThroughRollup(client: ReturnType<typeof createClickHouseClient>, database: string, end: number, rollup: { graceMs: number }): Promise<void> {
  console.log('\nthe forecast through the usage rollup:');
  const stores = { spans: { client, database }, rollup: { client, database, rollup } };
  const now = new Date(end);
  const variants = [
    ['project', (s: ForecastStore) => forecastMonth(s, PROJECT, { now, fresh: true })],
    ['by feature', (s: ForecastStore) => forecastMonth(s, PROJECT, { now, by: 'property:Feature', fresh: true })],
    ['by model', (s: ForecastStore) => forecastMonth(s, PROJECT, { now, by: 'model', fresh: true })],
  ] as const;
  for (const [name, run] of variants) {
    const times = { spans: [] as number[], rollup: [] as number[] };
    for (let i = 0; i <= RUNS; i++) {
      for (const key of ['spans', 'rollup'] as const) {
        const t = performance.now();
        await run(stores[key]);
        if (i > 0) times[key].push(performance.now() - t);
      }
    }
    console.log(`  forecast ${name}, every day read: spans FINAL only ${median(times.spans).toFixed(1)} ms, through the rollup ${median(times.rollup).toFixed(1)} ms (median of ${RUNS}, interleaved)`);
  }
}

await main();
