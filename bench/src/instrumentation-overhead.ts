/**
 * npm run bench:instrumentation — what tokentrace costs an app, measured side by side in one run:
 * the same `openai` SDK workload against the local OpenAI emulator, uninstrumented and
 * instrumented (tokentrace plus the undici/http instrumentations and a batching OTLP/protobuf
 * exporter, as `register` sets them up), in interleaved rounds so that machine noise hits both
 * alike. Then the start-up cost of `--import @tokentrace/instrumentation/register`, over several
 * interleaved process starts. Last line: overhead_ratio=<instrumented median / bare median>.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startTokentrace } from '@tokentrace/instrumentation';
import OpenAI from 'openai';
import { median, ms, p99 } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 24);
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 40);
const STREAM_CALLS_PER_ROUND = Math.max(4, Math.floor(CALLS_PER_ROUND / 4));
const STARTS = Number(process.env.BENCH_STARTS ?? 11);

type Mode = 'bare' | 'instrumented';

interface Servers {
  openai: string;
  openaiBase: string;
  otlp: string;
  stop(): void;
}

/** The emulator and the OTLP sink run in their own process (see emulator-process.ts). */
async function startServers(): Promise<Servers> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./emulator-process.js', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { ...JSON.parse(line), stop: () => child.stdin!.end() };
}

async function main(): Promise<void> {
  const servers = await startServers();
  // Exactly what `--import @tokentrace/instrumentation/register` sets up: the env-configured SDK
  // (batching OTLP/protobuf export of spans and metrics) and the three instrumentations.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = servers.otlp;
  process.env.OTEL_METRIC_EXPORT_INTERVAL = '1000';
  const tokentrace = startTokentrace({ endpoints: [{ baseUrl: servers.openai, provider: 'openai' }] });
  const instrumentations = tokentrace.instrumentations;
  const setMode = (mode: Mode) => {
    if (mode === 'instrumented') for (const i of instrumentations) i.enable();
    else for (const i of [...instrumentations].reverse()) i.disable();
  };

  const client = new OpenAI({ apiKey: 'sk-bench', baseURL: servers.openaiBase, maxRetries: 0 });
  const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Say something.' }] };
  const latency: Record<Mode, number[]> = { bare: [], instrumented: [] };
  const streamTtfc: Record<Mode, number[]> = { bare: [], instrumented: [] };
  const streamTotal: Record<Mode, number[]> = { bare: [], instrumented: [] };

  const oneCall = async () => {
    const t0 = performance.now();
    await client.chat.completions.create(request);
    return performance.now() - t0;
  };
  const oneStream = async () => {
    const t0 = performance.now();
    const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    let first: number | undefined;
    for await (const _ of stream) first ??= performance.now();
    return { ttfc: (first ?? performance.now()) - t0, total: performance.now() - t0 };
  };

  // Warm-up in both modes (JIT, connection pool, tokenizer-free paths), not recorded.
  for (const mode of ['instrumented', 'bare'] as Mode[]) {
    setMode(mode);
    for (let i = 0; i < 30; i++) await oneCall();
    for (let i = 0; i < 5; i++) await oneStream();
  }

  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which mode goes first so that drift does not favour one.
    const order: Mode[] = round % 2 === 0 ? ['bare', 'instrumented'] : ['instrumented', 'bare'];
    for (const mode of order) {
      setMode(mode);
      for (let i = 0; i < CALLS_PER_ROUND; i++) latency[mode].push(await oneCall());
      for (let i = 0; i < STREAM_CALLS_PER_ROUND; i++) {
        const { ttfc, total } = await oneStream();
        streamTtfc[mode].push(ttfc);
        streamTotal[mode].push(total);
      }
    }
  }
  setMode('bare');

  console.log(`openai SDK chat.completions against the local emulator; ${ROUNDS} interleaved rounds`);
  console.log(`non-streaming, ${latency.bare.length} calls per mode:`);
  for (const mode of ['bare', 'instrumented'] as Mode[]) {
    console.log(`  ${mode.padEnd(12)} median ${ms(median(latency[mode]))}  p99 ${ms(p99(latency[mode]))}`);
  }
  console.log(`streaming, ${streamTtfc.bare.length} calls per mode (time to first chunk seen by the app / whole stream):`);
  for (const mode of ['bare', 'instrumented'] as Mode[]) {
    console.log(`  ${mode.padEnd(12)} ttfc median ${ms(median(streamTtfc[mode]))}  p99 ${ms(p99(streamTtfc[mode]))}  total median ${ms(median(streamTotal[mode]))}`);
  }
  const ttfcDelta = median(streamTtfc.instrumented) - median(streamTtfc.bare);
  console.log(`  streaming ttfc_delta_median=${ttfcDelta.toFixed(3)} ms (target: within 1 ms)`);
  await tokentrace.shutdown();
  servers.stop();

  const startup = measureStartup();
  console.log(`start-up, ${STARTS} interleaved process starts each: node -e 0 median ${startup.bare.toFixed(1)} ms; with --import register median ${startup.instrumented.toFixed(1)} ms`);
  console.log(`register_startup_cost_ms=${(startup.instrumented - startup.bare).toFixed(1)} (target: <= 300)`);
  console.log(`overhead_ratio=${(median(latency.instrumented) / median(latency.bare)).toFixed(4)}`);
}

/** Wall time of whole process starts, plain and with the register entry, alternated. */
function measureStartup(): { bare: number; instrumented: number } {
  const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_METRICS_EXPORTER: 'otlp' };
  const time = (args: string[]) => {
    const t0 = performance.now();
    execFileSync(process.execPath, args, { env, stdio: 'ignore' });
    return performance.now() - t0;
  };
  const bare: number[] = [];
  const instrumented: number[] = [];
  time(['--import', '@tokentrace/instrumentation/register', '-e', '0']); // fills the OS file cache
  for (let i = 0; i < STARTS; i++) {
    bare.push(time(['-e', '0']));
    instrumented.push(time(['--import', '@tokentrace/instrumentation/register', '-e', '0']));
  }
  return { bare: median(bare), instrumented: median(instrumented) };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
