// Runs an example the way users run their apps, `node --import @tokentrace/instrumentation/register
// app.js`, exporting OTLP to the endpoint it is given: the in-repo OTLP receiver (tests) or a
// tokentrace collector (the demo). Providers whose API key is not set are replaced by local
// emulators speaking their wire format, scripted for the example (emulator-scripts.js); the app
// is pointed at them through DEMO_*_BASE_URL and tokentrace through TOKENTRACE_ENDPOINTS.
//
// As a command: node examples/shared/run-example.js <example> [--otlp URL] [--environment NAME]
// Without --otlp it starts an OTLP receiver and prints the spans the app exported as a tree.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startOtlpReceiver, startProviderEmulators } from '@tokentrace/test';
import { renderSpanTree } from '../quickstart/span-tree.js';
import { EMULATOR_SCRIPTS } from './emulator-scripts.js';

/** The examples, the providers each calls, and what must be loaded before tokentrace. */
export const EXAMPLES = {
  'healthcare-triage': { providers: ['openai', 'anthropic'] },
  'research-agents': { providers: ['openai', 'anthropic', 'gemini'] },
  'cost-by-tier': { providers: ['openai', 'anthropic', 'gemini'] },
  // The app's own OpenTelemetry setup is loaded first; its exporter goes to OTLP_BACKEND_URL.
  'own-otel-sdk': { providers: ['openai'], preload: ['./tracing.js'], backendUrlVar: 'OTLP_BACKEND_URL' },
};

const PROVIDERS = {
  openai: { keyVar: 'OPENAI_API_KEY', urlVar: 'DEMO_OPENAI_BASE_URL', fakeKey: 'sk-demo-emulator', endpoint: 'openai' },
  anthropic: { keyVar: 'ANTHROPIC_API_KEY', urlVar: 'DEMO_ANTHROPIC_BASE_URL', fakeKey: 'sk-ant-demo-emulator', endpoint: 'anthropic' },
  gemini: { keyVar: 'GEMINI_API_KEY', urlVar: 'DEMO_GEMINI_BASE_URL', fakeKey: 'demo-emulator-key', endpoint: 'gcp.gemini' },
};

/** Stands in for an emulator when the real provider is called: its script lines are dropped. */
const NOT_EMULATED = { enqueue() {}, pendingReplies: 0 };

/**
 * Runs examples/<name>/app.js and resolves with its exit code and output.
 * @param {keyof typeof EXAMPLES} name
 * @param {object} options
 * @param {string} options.otlpEndpoint OTEL_EXPORTER_OTLP_ENDPOINT, e.g. a receiver's url or http://127.0.0.1:4318
 * @param {'http/json'|'http/protobuf'} [options.otlpProtocol] default http/json (the in-repo receiver decodes only JSON)
 * @param {string} [options.serviceName] OTEL_SERVICE_NAME, default `<name>-example`
 * @param {string} [options.environment] deployment.environment.name and APP_ENV, default `development`
 * @param {'auto'|'emulator'} [options.providers] auto: real providers whose key is set; emulator: never real
 * @param {import('@tokentrace/test').ProviderEmulators} [options.emulators] already started emulators (kept open)
 * @param {Record<string,string>} [options.env] extra environment for the app, applied last
 * @param {string[]} [options.args] arguments for the app
 * @param {boolean} [options.echo] also print the app's output as it comes
 * @param {number} [options.timeoutMs] kill the app after this long, default 120 000
 */
export async function runExample(name, options) {
  const example = EXAMPLES[name];
  if (!example) throw new Error(`runExample: unknown example "${name}"; known: ${Object.keys(EXAMPLES).join(', ')}`);
  if (!options?.otlpEndpoint) throw new Error('runExample: options.otlpEndpoint is required (an OTLP/HTTP base URL)');
  const mode = options.providers ?? 'auto';
  if (mode !== 'auto' && mode !== 'emulator') throw new Error(`runExample: options.providers must be 'auto' or 'emulator', got ${mode}`);
  const environment = options.environment ?? 'development';

  const env = { ...process.env };
  for (const p of Object.values(PROVIDERS)) delete env[p.urlVar];
  Object.assign(env, {
    OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: options.otlpProtocol ?? 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_SERVICE_NAME: options.serviceName ?? `${name}-example`,
    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=${environment}`,
    APP_ENV: environment,
  });
  if (example.backendUrlVar) env[example.backendUrlVar] = options.otlpEndpoint;

  const emulated = example.providers.filter((p) => mode === 'emulator' || !process.env[PROVIDERS[p].keyVar]);
  const emulators = emulated.length === 0 ? undefined : (options.emulators ?? (await startProviderEmulators()));
  try {
    const scripted = {};
    for (const p of example.providers) scripted[p] = emulated.includes(p) ? emulators[p] : NOT_EMULATED;
    const pendingBefore = Object.values(scripted).reduce((n, e) => n + e.pendingReplies, 0);
    EMULATOR_SCRIPTS[name](scripted);
    for (const p of emulated) {
      env[PROVIDERS[p].keyVar] = PROVIDERS[p].fakeKey;
      env[PROVIDERS[p].urlVar] = emulators.urls[p];
    }
    // The emulators listen on 127.0.0.1, a host tokentrace would not recognise as a provider.
    const endpoints = emulated.map((p) => `${PROVIDERS[p].endpoint}=${emulators[p].url}`);
    if (endpoints.length > 0) env.TOKENTRACE_ENDPOINTS = [env.TOKENTRACE_ENDPOINTS, ...endpoints].filter(Boolean).join(',');
    Object.assign(env, options.env);

    const result = await runNode(name, example, env, options);
    const unusedReplies = Object.values(scripted).reduce((n, e) => n + e.pendingReplies, 0) - pendingBefore;
    const emulatorBanner = emulated.length === 0 ? undefined
      : ['LLM provider EMULATORS (local test doubles, not the real services; no request leaves this machine):', ...emulated.map((p) => emulators[p].describe())].join('\n');
    return { ...result, emulated, unusedReplies, emulatorBanner };
  } finally {
    if (emulators && !options.emulators) await emulators.close();
  }
}

async function runNode(name, example, env, options) {
  const dir = fileURLToPath(new URL(`../${name}/`, import.meta.url));
  const imports = [...(example.preload ?? []), '@tokentrace/instrumentation/register'].flatMap((m) => ['--import', m]);
  const command = ['node', ...imports, 'app.js', ...(options.args ?? [])];
  const child = spawn(process.execPath, [...command.slice(1)], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = [];
  const stderr = [];
  child.stdout.on('data', (d) => { stdout.push(d); if (options.echo) process.stdout.write(d); });
  child.stderr.on('data', (d) => { stderr.push(d); if (options.echo) process.stderr.write(d); });
  const timeoutMs = options.timeoutMs ?? 120_000;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await once(child, 'close');
  clearTimeout(timer);
  return {
    code,
    signal,
    timedOut: signal === 'SIGKILL',
    command: command.join(' '),
    cwd: dir,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
  };
}

const MAX_TREE_SPANS = 80;

/** For runs too large to print as a tree: how many spans of each name. */
function countByName(spans) {
  const counts = Map.groupBy(spans, (s) => s.name);
  return [...counts].sort((a, b) => b[1].length - a[1].length).map(([name, list]) => `${String(list.length).padStart(5)}  ${name}`).join('\n');
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { otlp: { type: 'string' }, environment: { type: 'string' }, service: { type: 'string' } },
  });
  const [name, ...args] = positionals;
  if (!EXAMPLES[name]) {
    console.error(`usage: node examples/shared/run-example.js <${Object.keys(EXAMPLES).join('|')}> [--otlp URL] [--environment NAME] [--service NAME] [app args]`);
    process.exit(2);
  }
  const receiver = values.otlp ? undefined : await startOtlpReceiver();
  try {
    const otlpEndpoint = values.otlp ?? receiver.url;
    const result = await runExample(name, { otlpEndpoint, environment: values.environment, serviceName: values.service, args, echo: true, env: { FORCE_COLOR: '0' } });
    if (result.emulatorBanner) console.log(`\n${result.emulatorBanner}`);
    console.log(`\n$ (cd examples/${name} && ${result.command})  →  exit ${result.code ?? result.signal}, spans exported to ${otlpEndpoint}`);
    if (receiver) console.log(`\nSpans (${receiver.spans.length}):\n\n${receiver.spans.length <= MAX_TREE_SPANS ? renderSpanTree(receiver.spans) : countByName(receiver.spans)}`);
    process.exitCode = result.code === 0 && result.unusedReplies === 0 ? 0 : 1;
  } finally {
    await receiver?.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) await main();
