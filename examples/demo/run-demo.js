// `npm run demo`: the whole product on this machine, end to end. Starts the tokentrace collector
// (which stores in its embedded ClickHouse under .data/demo/), runs the examples the way users run their
// apps (`node --import @tokentrace/instrumentation/register app.js`, exporting OTLP/protobuf to the
// collector), waits until every span is stored, prints span trees and cost tables with the
// `tokentrace` CLI. Then (issue 13) it loads a generated month with planted events (demo-month.js),
// prints `tokentrace explain` for one planted event's comparison and `tokentrace forecast` with a
// budget, creates an alert rule whose signed webhook goes to a receiver on loopback
// (webhook-receiver.js), and shows what the receiver got when the rule fires. It leaves the
// collector and its dashboard running at the printed URL.
//
// `--once` (or CI=true) checks that the expected spans arrived, priced, that the explainer named
// the planted event, that the forecast was printed and that exactly one firing notification
// arrived, signed; then stops everything and exits 0 — or exits 1 saying what is missing.
//
// Without OPENAI_API_KEY / ANTHROPIC_API_KEY / GEMINI_API_KEY the examples call local provider
// emulators that speak the providers' wire formats, and say so.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runExample } from '../shared/run-example.js';
import { checkDemo, checkInsights } from './demo-checks.js';
import { DEMO_MONTH, iso, loadDemoMonth } from './demo-month.js';
import { startWebhookReceiver } from './webhook-receiver.js';
import { TrafficGenerator } from '@tokentrace/test';

const { values } = parseArgs({ options: { once: { type: 'boolean' }, port: { type: 'string' } } });
const once_ = values.once || process.env.CI === 'true';
const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = fileURLToPath(new URL('../../collector/dist/cli/tokentrace.js', import.meta.url));
// A checking run starts from empty storage so that its counts are its own; a normal run keeps
// its data in .data/demo/ between runs, as a local install would.
const dataDir = once_ ? mkdtempSync(join(tmpdir(), 'tokentrace-demo-')) : `${root}.data/demo`;
mkdirSync(dataDir, { recursive: true });

// The OTLP default ports when they are free; `--port 0` (tests) takes free ones.
const askedPort = values.port ?? process.env.TOKENTRACE_DEMO_PORT;
const httpPort = askedPort === undefined ? ((await isFree(4318)) ? 4318 : await freePort()) : Number(askedPort) || (await freePort());
const grpcPort = askedPort === undefined && (await isFree(4317)) ? 4317 : await freePort();
const url = `http://127.0.0.1:${httpPort}`;

// Alert rounds every 10 s (the default is a minute) so that the demo's rule fires within seconds.
const configFile = join(dataDir, 'collector.json');
writeFileSync(configFile, `${JSON.stringify({ alerts: { intervalMs: 10_000 } }, null, 2)}\n`);

step(`starting the collector on ${url} (embedded ClickHouse, data in ${once_ ? dataDir : '.data/demo'}/clickhouse)`);
const collector = spawn(process.execPath, [cli, 'collector', '--config', configFile], {
  env: {
    ...process.env,
    TOKENTRACE_COLLECTOR_HTTP_PORT: String(httpPort),
    TOKENTRACE_COLLECTOR_GRPC_PORT: String(grpcPort),
    TOKENTRACE_CLICKHOUSE_DATA_DIR: `${dataDir}/clickhouse`,
    TOKENTRACE_SPOOL_DIR: `${dataDir}/spool`,
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const collectorExit = once(collector, 'exit');
let failed = false;
try {
  await waitFor(async () => (await fetch(`${url}/ready`).catch(() => undefined))?.ok === true, 120_000, collectorExit, 'the collector to be ready');
  const before = await counters();

  const runs = [
    { name: 'healthcare-triage' },
    { name: 'research-agents' },
    { name: 'cost-by-tier', environment: 'production' },
    { name: 'cost-by-tier', environment: 'staging', env: { SIMULATED_USERS: '20', SIMULATED_SEED: '11' } },
    { name: 'own-otel-sdk' },
  ];
  let bannerShown = false;
  for (const run of runs) {
    step(`node --import @tokentrace/instrumentation/register examples/${run.name}/app.js${run.environment ? `   (environment ${run.environment})` : ''}`);
    const result = await runExample(run.name, { otlpEndpoint: url, otlpProtocol: 'http/protobuf', environment: run.environment ?? 'demo', env: run.env, echo: true });
    if (result.emulatorBanner && !bannerShown) {
      console.log(`\n${result.emulatorBanner}`);
      bannerShown = true;
    }
    if (result.code !== 0) throw new Error(`examples/${run.name} exited with ${result.code ?? result.signal}:\n${result.stderr}`);
  }

  step('waiting until the collector has stored every span it received');
  await waitFor(async () => {
    const now = await counters();
    return now.spans_received > before.spans_received && now.spans_stored - before.spans_stored >= now.spans_received - before.spans_received;
  }, 60_000, collectorExit, 'the spans to be stored');

  const research = await api('/api/v1/requests?since=1h&limit=1&filter=' + encodeURIComponent('service = "research-agents-example"'));
  const sessionId = research.items[0]?.sessionId;
  const triage = await api('/api/v1/requests?since=1h&limit=1&filter=' + encodeURIComponent('service = "healthcare-triage-example"'));
  if (sessionId) {
    step(`tokentrace tree --session ${sessionId}   (the research agents' run)`);
    await runCli(['tree', '--session', sessionId]);
  }
  if (triage.items[0]) {
    step(`tokentrace tree ${triage.items[0].traceId}   (one triage call)`);
    await runCli(['tree', triage.items[0].traceId]);
  }
  step('tokentrace cost --by model --since 1h');
  await runCli(['cost', '--by', 'model', '--since', '1h']);
  step('tokentrace cost --by property:feature --since 1h');
  await runCli(['cost', '--by', 'property:feature', '--since', '1h']);
  step('tokentrace top users --since 1h --limit 5');
  await runCli(['top', 'users', '--since', '1h', '--limit', '5']);
  step('node examples/cost-by-tier/report.js   (the same figures, read by a script from the query API)');
  await runNodeScript(fileURLToPath(new URL('../cost-by-tier/report.js', import.meta.url)), { TOKENTRACE_URL: url });

  // The examples' own figures are checked before the generated month adds its last hour.
  const problems = once_ ? await checkDemo(api, sessionId) : [];
  const insights = await showInsights();

  if (once_) {
    step('checking what arrived');
    problems.push(...checkInsights(insights));
    if (problems.length > 0) throw new Error(`demo check failed:\n  - ${problems.join('\n  - ')}`);
    console.log('demo check passed: every example\'s spans arrived, priced, as trees.');
    console.log('demo check passed: the explainer named the planted event, the forecast showed the budget, one signed alert arrived.');
  } else {
    console.log(`\nDashboard: ${url}/dashboard/   (query API: ${url}/api/v1/openapi.json)`);
    console.log('The collector keeps running; press Ctrl+C to stop it (ClickHouse data stays in .data/demo/).');
    process.on('SIGINT', () => collector.kill('SIGTERM'));
    await collectorExit;
  }
} catch (err) {
  failed = true;
  console.error(`\n${err.message}`);
} finally {
  if (collector.exitCode === null) {
    collector.kill('SIGTERM');
    await collectorExit;
  }
  if (once_) rmSync(dataDir, { recursive: true, force: true });
  process.exitCode = failed ? 1 : 0;
}

/**
 * Issue 13 on a generated month: the explainer on one planted event's comparison, the forecast
 * with a budget, and an alert rule firing to a webhook receiver on loopback.
 */
async function showInsights() {
  // A month loaded by an earlier run stays (.data/demo): loading it again would count it twice.
  const marker = join(dataDir, 'demo-month.json');
  let startMs;
  if (existsSync(marker)) {
    ({ startMs } = JSON.parse(readFileSync(marker, 'utf8')));
    step(`the generated month loaded by an earlier run (${iso(startMs)} on) is in .data/demo; delete .data/demo to load a fresh one`);
  } else {
    const before = await counters();
    step(`loading a generated month into the collector: ${DEMO_MONTH.days} days ending now, ${DEMO_MONTH.requestsPerHour} model calls an hour on average, planted events (test/src/traffic, seed ${DEMO_MONTH.seed}), as OTLP/JSON`);
    const { traffic, loaded } = await loadDemoMonth(url, Date.now());
    await waitFor(async () => (await counters()).spans_stored - before.spans_stored >= loaded.spans, 120_000, collectorExit, 'the month to be stored');
    console.log(`${loaded.spans.toLocaleString('en-US')} spans sent in ${loaded.seconds.toFixed(1)} s; planted:`);
    for (const e of traffic.events) console.log(`  ${iso(e.atMs)}  ${e.description}`);
    startMs = traffic.startMs;
    writeFileSync(marker, `${JSON.stringify({ startMs })}\n`);
  }
  // The events' truth comes from the generator's plan alone; no span is generated here.
  const event = new TrafficGenerator({ ...DEMO_MONTH, startMs, agentSpans: false }).events.find((e) => e.kind === 'prompt-input-doubling');
  const { period, baseline } = event;
  const explainArgs = ['explain', '--from', iso(period.fromMs), '--to', iso(period.toMs), '--baseline', `${iso(baseline.fromMs)}..${iso(baseline.toMs)}`];
  step(`tokentrace ${explainArgs.join(' ')}   (planted: ${event.description}, at ${iso(event.atMs)})`);
  const explainOut = await runCli(explainArgs, true);

  // A budget a little under the forecast, so that the run-out day shows.
  const forecast = await api('/api/v1/forecast');
  const budget = roundDown(forecast.total.current.forecastUsd * 0.9);
  step(`tokentrace forecast --budget ${budget}`);
  const forecastOut = await runCli(['forecast', '--budget', String(budget)], true);

  const secret = 'demo-webhook-secret-0123456789';
  const receiver = await startWebhookReceiver(secret);
  try {
    const lastHour = (await api('/api/v1/analytics?since=1h')).totals.costUsd;
    if (!(lastHour > 0)) {
      console.log('\n(no spend in the last hour: the stored month ended earlier, so the demo\'s alert would not fire; delete .data/demo to load a fresh month)');
      return { event, explainOut, forecastOut, received: undefined };
    }
    // A rule left by an earlier run goes first, and the collector forgets its state in the next
    // full round (two rounds: one may have been under way), so that the new one fires afresh.
    if ((await fetch(`${url}/api/v1/alerts/rules/demo-hourly-spend`, { method: 'DELETE' })).ok) {
      const rounds = (await counters()).alert_rounds;
      await waitFor(async () => (await counters()).alert_rounds >= rounds + 2, 60_000, collectorExit, 'the earlier run\'s rule to be forgotten');
    }
    // Half the last hour's spend: the rule fires at the collector's next round.
    const threshold = roundDown(lastHour / 2);
    const createArgs = ['alerts', 'create', '--id', 'demo-hourly-spend', '--name', 'Hourly spend', '--metric', 'cost', '--window', '1h', '--above', String(threshold), '--webhook', receiver.url, '--secret', secret];
    step(`tokentrace ${createArgs.map(shellWord).join(' ')}`);
    await runCli(createArgs);
    await waitFor(async () => receiver.received.length > 0, 60_000, collectorExit, 'the alert\'s webhook notification');
    const roundsAtReceipt = (await counters()).alert_rounds;
    step(`what the webhook receiver on ${receiver.url} got`);
    for (const { notification: n, verified } of receiver.received) {
      console.log(`${n.event} · ${n.title}\n  ${n.message}`);
      for (const f of n.findings ?? []) console.log(`  why: ${f.summary}`);
      if ((n.findings ?? []).length === 0) console.log('  why: (no finding stands out in this hour against the hour before)');
      console.log(`  ${n.dashboardUrl}\n  X-Tokentrace-Signature: ${verified ? 'verified (HMAC-SHA256 with the channel secret)' : 'NOT VERIFIED'}`);
    }
    // "Exactly one": the round after the one that fired brings no repeat (the repeat interval is
    // 4 h). Two rounds counted from the receipt: the firing round may not have been counted yet.
    if (once_) await waitFor(async () => (await counters()).alert_rounds >= roundsAtReceipt + 2, 60_000, collectorExit, 'the next alert round');
    step('tokentrace alerts history');
    await runCli(['alerts', 'history']);
    return { event, explainOut, forecastOut, received: [...receiver.received] };
  } finally {
    await receiver.close();
  }
}

/** Two significant digits, rounded down: 333.7 → 330, 0.2664 → 0.26. */
function roundDown(x) {
  const unit = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Number((Math.floor(x / unit) * unit).toPrecision(2));
}

function shellWord(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

async function api(path) {
  const res = await fetch(`${url}${path}`);
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

async function counters() {
  return (await api('/health')).counters;
}

function runCli(args, capture = false) {
  return runNodeScript(cli, { TOKENTRACE_URL: url }, args, capture);
}

/** Runs a Node script, its output shown as it comes; `capture`: also returns what it printed (then without colours). */
async function runNodeScript(script, env, args = [], capture = false) {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (chunk) => {
    out += chunk;
    process.stdout.write(chunk);
  });
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${code}`);
  return out;
}

function step(text) {
  console.log(`\n$ ${text}`);
}

async function waitFor(check, timeoutMs, exited, what) {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  exited.then(() => (gone = true));
  while (!(await check())) {
    if (gone) throw new Error(`the collector exited while waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function isFree(port) {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}
