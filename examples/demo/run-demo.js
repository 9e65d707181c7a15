// `npm run demo`: the whole product on this machine, end to end. Starts the tokentrace collector
// (which stores in its embedded ClickHouse under .data/demo/), runs the examples the way users run their
// apps (`node --import @tokentrace/instrumentation/register app.js`, exporting OTLP/protobuf to the
// collector), waits until every span is stored, prints span trees and cost tables with the
// `tokentrace` CLI, and leaves the collector and its dashboard running at the printed URL.
//
// `--once` (or CI=true) checks that the expected spans arrived, priced, then stops everything and
// exits 0 — or exits 1 saying what is missing.
//
// Without OPENAI_API_KEY / ANTHROPIC_API_KEY / GEMINI_API_KEY the examples call local provider
// emulators that speak the providers' wire formats, and say so.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runExample } from '../shared/run-example.js';
import { checkDemo } from './demo-checks.js';

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

step(`starting the collector on ${url} (embedded ClickHouse, data in ${once_ ? dataDir : '.data/demo'}/clickhouse)`);
const collector = spawn(process.execPath, [cli, 'collector'], {
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

  if (once_) {
    step('checking what arrived');
    const problems = await checkDemo(api, sessionId);
    if (problems.length > 0) throw new Error(`demo check failed:\n  - ${problems.join('\n  - ')}`);
    console.log('demo check passed: every example\'s spans arrived, priced, as trees.');
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

async function api(path) {
  const res = await fetch(`${url}${path}`);
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

async function counters() {
  return (await api('/health')).counters;
}

function runCli(args) {
  return runNodeScript(cli, { TOKENTRACE_URL: url }, args);
}

async function runNodeScript(script, env, args = []) {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${code}`);
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
