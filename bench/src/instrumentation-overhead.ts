/**
 * npm run bench:instrumentation — what tokentrace costs an app, measured side by side in one run:
 * the same `openai` SDK workload against the local OpenAI emulator, uninstrumented and
 * instrumented (tokentrace plus the undici/http instrumentations and a batching OTLP/protobuf
 * exporter, as `register` sets them up), in interleaved rounds so that machine noise hits both
 * alike. Two servers: one that answers at once, which shows the instrumentation's absolute cost
 * per call, and one that answers after SERVER_DELAY_MS (20 ms, still faster than any hosted model
 * answers), whose ratio is the headline figure. Then the start-up cost of
 * `--import @tokentrace/instrumentation/register`, over interleaved process starts.
 * Last line: overhead_ratio=<instrumented median / bare median>, non-streaming, delayed server.
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
const SERVER_DELAY_MS = Number(process.env.BENCH_SERVER_DELAY_MS ?? 20);

type Mode = 'bare' | 'instrumented';

interface Servers {
  openai: string;
  openaiBase: string;
  otlp: string;
  stop(): void;
}

/** The emulator and the OTLP sink run in their own process (see emulator-process.ts). */
async function startServers(delayMs: number): Promise<Servers> {
  const script = fileURLToPath(new URL('./emulator-process.js', import.meta.url));
  const child = spawn(process.execPath, [script, String(delayMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { ...JSON.parse(line), stop: () => child.stdin!.end() };
}

interface Samples {
  latency: Record<Mode, number[]>;
  streamTtfc: Record<Mode, number[]>;
  streamTotal: Record<Mode, number[]>;
}

async function main(): Promise<void> {
  const [immediate, delayed] = await Promise.all([startServers(0), startServers(SERVER_DELAY_MS)]);
  // Exactly what `--import @tokentrace/instrumentation/register` sets up: the env-configured SDK
  // (batching OTLP/protobuf export of spans and metrics) and the three instrumentations.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = immediate.otlp;
  process.env.OTEL_METRIC_EXPORT_INTERVAL = '1000';
  const tokentrace = startTokentrace({
    endpoints: [immediate, delayed].map((s) => ({ baseUrl: s.openai, provider: 'openai' })),
  });
  const instrumentations = tokentrace.instrumentations;
  const setMode = (mode: Mode) => {
    if (mode === 'instrumented') for (const i of instrumentations) i.enable();
    else for (const i of [...instrumentations].reverse()) i.disable();
  };

  const atOnce = await measure(immediate, setMode, Math.max(4, Math.floor(ROUNDS / 2)));
  const realistic = await measure(delayed, setMode, ROUNDS);
  await tokentrace.shutdown();
  immediate.stop();
  delayed.stop();

  report('server answering at once (absolute cost of the instrumentation)', atOnce);
  const extra = median(atOnce.latency.instrumented) - median(atOnce.latency.bare);
  console.log(`  added per non-streaming call: ${(extra * 1000).toFixed(0)} µs (median); ratio at 0 ms ${(median(atOnce.latency.instrumented) / median(atOnce.latency.bare)).toFixed(4)}`);
  report(`server answering after ${SERVER_DELAY_MS} ms`, realistic);

  const startup = measureStartup();
  console.log(`start-up (process start to the app's first line), ${STARTS} interleaved starts each: node median ${startup.bare.toFixed(1)} ms; with --import register median ${startup.instrumented.toFixed(1)} ms`);
  console.log(`register_startup_cost_ms=${(startup.instrumented - startup.bare).toFixed(1)} (target: <= 300)`);
  console.log(`overhead_ratio=${(median(realistic.latency.instrumented) / median(realistic.latency.bare)).toFixed(4)}`);
}

async function measure(servers: Servers, setMode: (mode: Mode) => void, rounds: number): Promise<Samples> {
  const client = new OpenAI({ apiKey: 'sk-bench', baseURL: servers.openaiBase, maxRetries: 0 });
  const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Say something.' }] };
  const samples: Samples = { latency: { bare: [], instrumented: [] }, streamTtfc: { bare: [], instrumented: [] }, streamTotal: { bare: [], instrumented: [] } };

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

  // Warm-up in both modes (JIT, connection pool), not recorded.
  for (const mode of ['instrumented', 'bare'] as Mode[]) {
    setMode(mode);
    for (let i = 0; i < 20; i++) await oneCall();
    for (let i = 0; i < 5; i++) await oneStream();
  }
  for (let round = 0; round < rounds; round++) {
    // Alternate which mode goes first so that drift does not favour one.
    const order: Mode[] = round % 2 === 0 ? ['bare', 'instrumented'] : ['instrumented', 'bare'];
    for (const mode of order) {
      setMode(mode);
      for (let i = 0; i < CALLS_PER_ROUND; i++) samples.latency[mode].push(await oneCall());
      for (let i = 0; i < STREAM_CALLS_PER_ROUND; i++) {
        const { ttfc, total } = await oneStream();
        samples.streamTtfc[mode].push(ttfc);
        samples.streamTotal[mode].push(total);
      }
    }
  }
  setMode('bare');
  return samples;
}

function report(title: string, s: Samples): void {
  console.log(`openai SDK chat.completions, ${title}:`);
  console.log(`  non-streaming, ${s.latency.bare.length} calls per mode:`);
  for (const mode of ['bare', 'instrumented'] as Mode[]) {
    console.log(`    ${mode.padEnd(12)} median ${ms(median(s.latency[mode]))}  p99 ${ms(p99(s.latency[mode]))}`);
  }
  console.log(`  streaming, ${s.streamTtfc.bare.length} calls per mode (time to first chunk seen by the app; whole stream):`);
  for (const mode of ['bare', 'instrumented'] as Mode[]) {
    console.log(`    ${mode.padEnd(12)} ttfc median ${ms(median(s.streamTtfc[mode]))}  p99 ${ms(p99(s.streamTtfc[mode]))}  total median ${ms(median(s.streamTotal[mode]))}`);
  }
  console.log(`  streaming ttfc_delta_median=${(median(s.streamTtfc.instrumented) - median(s.streamTtfc.bare)).toFixed(3)} ms (target: within 1 ms)`);
}

/**
 * Time from process start to the first line of the app (the child prints performance.now(), whose
 * origin is the process start), plain and with the register entry, alternated.
 */
function measureStartup(): { bare: number; instrumented: number } {
  const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'none' };
  const app = ['-e', 'process.stdout.write(String(performance.now()))'];
  const time = (args: string[]) => Number(execFileSync(process.execPath, [...args, ...app], { env, encoding: 'utf8' }));
  const bare: number[] = [];
  const instrumented: number[] = [];
  time(['--import', '@tokentrace/instrumentation/register']); // fills the OS file cache
  for (let i = 0; i < STARTS; i++) {
    bare.push(time([]));
    instrumented.push(time(['--import', '@tokentrace/instrumentation/register']));
  }
  return { bare: median(bare), instrumented: median(instrumented) };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
