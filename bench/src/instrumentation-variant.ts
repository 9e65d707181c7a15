/**
 * One variant of `npm run bench:instrumentation`, in a process of its own (instrumentations patch
 * modules globally, so the variants cannot share a process). argv[2]: the variant — `bare`,
 * `tokentrace`, `otel` (@opentelemetry/instrumentation-openai under its NodeSDK) or `openllmetry`
 * (@traceloop/node-server-sdk); argv[3] `startup` only sets the variant up and prints
 * `T=<performance.now()>` (the app's first line) and exits. Variants for taking tokentrace's cost
 * apart (issue 12; BENCH_VARIANTS of the parent): `sdk` (tokentrace's SDK from the OTEL_*
 * variables, no instrumentation), `sdk-http` (the same with the undici and http
 * instrumentations), and `tt-<flag>[-<flag>…]`, tokentrace with: `nometrics`
 * (OTEL_METRICS_EXPORTER=none), `notraces` (OTEL_TRACES_EXPORTER=none), `noop` (OTEL_SDK_DISABLED:
 * the API's no-op tracer and meter), `noprop` (OTEL_PROPAGATORS=none: no traceparent sent).
 * Reference variants (floor-capture.ts): `floor`, the least an HTTP-layer capture does (one SDK
 * span per call, nothing parsed), and `floor-nospan`, its dispatcher wrapper alone.
 * `<variant>#<n>` is the same variant under another name: the parent gives it processes of its
 * own and pools them apart (a variant's processes differ by up to ~15 % in CPU per call, which is
 * why the parent runs several of each). `tokentrace#<n>` imports BENCH_TT_<n> instead of
 * @tokentrace/instrumentation when it is set (another build's dist/index.js: two commits side by
 * side in one run). BENCH_WARMUP_CALLS: calls before the blocks (400; see WARMUP_CALLS).
 *
 * Otherwise the servers come in BENCH_SERVERS (JSON: [{openai, openaiBase, otlp}, …], spans go to
 * the first one's OTLP sink), and the parent drives it over stdin, one JSON command per line:
 * `{"cmd":"warmup"}`, `{"cmd":"block","server":i,"calls":n,"streams":m}`, `{"cmd":"exit"}`. Each
 * answer is one stdout line starting with `@@` (other libraries may print to stdout), JSON: for a
 * block, the latency of each call, and the CPU time (user+system, process.cpuUsage) of the chat
 * loop and of the stream loop, each including a flush of the spans they made; for the chat loop
 * also the bytes allocated on the JS heap (GC statistics), the CPU of each thread of the process
 * (/proc, Linux) and the number of threads.
 *
 * Every variant loads the openai SDK with `require` after its set-up, as a CommonJS app would, so
 * that the SDK-patching instrumentations see it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { GCProfiler } from 'node:v8';

/** CPU ticks (1/100 s) per thread name (`main`, `V8Worker`, `libuv-worker`, …), from /proc; empty off Linux. */
function threadTicks(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = tid === String(process.pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, close).replace(/[0-9]+$/, '');
      const fields = stat.slice(close + 2).split(' ');
      out[name] = (out[name] ?? 0) + Number(fields[11]) + Number(fields[12]);
    }
  } catch {
    // not Linux
  }
  return out;
}

type Variant = 'bare' | 'tokentrace' | 'otel' | 'openllmetry' | 'sdk' | 'sdk-http' | 'floor' | 'floor-nospan' | `tt-${string}`;
const NAMED: readonly string[] = ['bare', 'tokentrace', 'otel', 'openllmetry', 'sdk', 'sdk-http', 'floor', 'floor-nospan'];
/**
 * Calls (and a quarter as many streams) before the measured blocks: BENCH_WARMUP_CALLS (400) to
 * the server answering at once, at most 30 to the others (their connections; the code run is the
 * same). 400, not 30 as before 2026-12-07: after 30 calls the processes were far from warm (the
 * first 10 rounds cost 1.6–2× the later ones, bare included), so the blocks measured V8 tiering
 * up each variant's code as much as the per-call cost; bench/README.md has both regimes.
 */
const WARMUP_CALLS = Number(process.env.BENCH_WARMUP_CALLS ?? 400);
/** What each `tt-` flag sets before tokentrace starts. */
const FLAGS: Record<string, [string, string]> = {
  nometrics: ['OTEL_METRICS_EXPORTER', 'none'],
  notraces: ['OTEL_TRACES_EXPORTER', 'none'],
  noop: ['OTEL_SDK_DISABLED', 'true'],
  noprop: ['OTEL_PROPAGATORS', 'none'],
};

interface ServerUrls {
  openai: string;
  openaiBase: string;
  otlp: string;
}

interface Setup {
  /** Exports the spans made so far (the CPU this costs belongs to the measured loop). */
  flush(): Promise<void>;
}

/** Flushes a global provider of the API: the registered one behind the API's proxy, if any. */
async function forceFlushOf(provider: unknown): Promise<void> {
  const p = provider as { getDelegate?: () => unknown };
  await ((p.getDelegate?.() ?? p) as { forceFlush?: () => Promise<void> }).forceFlush?.();
}

async function globalProviderFlush(): Promise<void> {
  await forceFlushOf((await import('@opentelemetry/api')).trace.getTracerProvider());
}

/**
 * One metric export before the blocks, in every variant: an exporter's first use (tokentrace
 * loads its OTLP exporters then, the peers at start) belongs to the set-up, not to a block.
 */
async function globalMeterFlush(): Promise<void> {
  await forceFlushOf((await import('@opentelemetry/api')).metrics.getMeterProvider());
}

/** Each variant as its documentation sets it up, exporting OTLP/protobuf to `otlp`. */
async function setUp(variant: Variant, servers: readonly ServerUrls[], otlp: string): Promise<Setup> {
  switch (variant) {
    case 'bare':
      return { flush: async () => {} };
    case 'tokentrace':
    default: {
      // What `--import @tokentrace/instrumentation/register` sets up, with the emulators' endpoints.
      for (const flag of variant.split('-').slice(1)) {
        const [name, value] = FLAGS[flag] ?? [];
        if (!name) throw new Error(`unknown flag ${flag} in ${variant}`);
        process.env[name] = value;
      }
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp;
      process.env.OTEL_METRIC_EXPORT_INTERVAL = '1000';
      const otherBuild = process.env[`BENCH_TT_${process.argv[2].split('#')[1]}`];
      const { startTokentrace } = (await import(otherBuild ?? '@tokentrace/instrumentation')) as typeof import('@tokentrace/instrumentation');
      startTokentrace({ endpoints: servers.map((s) => ({ baseUrl: s.openai, provider: 'openai' })) });
      return { flush: globalProviderFlush };
    }
    case 'sdk':
    case 'sdk-http':
    case 'floor':
    case 'floor-nospan': {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp;
      process.env.OTEL_METRIC_EXPORT_INTERVAL = '1000';
      // Not part of the package's API: the built file, from this repository.
      const { startEnvSdk } = (await import('../../instrumentation/dist/sdk/env-sdk.js' as string)) as { startEnvSdk(): unknown };
      startEnvSdk();
      if (variant === 'sdk-http') {
        const [{ registerInstrumentations }, { UndiciInstrumentation }, { HttpInstrumentation }] = await Promise.all([
          import('@opentelemetry/instrumentation'),
          import('@opentelemetry/instrumentation-undici'),
          import('@opentelemetry/instrumentation-http'),
        ]);
        registerInstrumentations({ instrumentations: [new UndiciInstrumentation(), new HttpInstrumentation()] });
      }
      if (variant.startsWith('floor')) (await import('./floor-capture.js')).installFloorCapture(variant === 'floor');
      return { flush: globalProviderFlush };
    }
    case 'otel': {
      const [{ NodeSDK }, { OpenAIInstrumentation }, { OTLPTraceExporter }, { OTLPMetricExporter }, { PeriodicExportingMetricReader }] = await Promise.all([
        import('@opentelemetry/sdk-node'),
        import('@opentelemetry/instrumentation-openai'),
        import('@opentelemetry/exporter-trace-otlp-proto'),
        import('@opentelemetry/exporter-metrics-otlp-proto'),
        import('@opentelemetry/sdk-metrics'),
      ]);
      process.env.OTEL_LOGS_EXPORTER ??= 'none';
      const sdk = new NodeSDK({
        serviceName: 'bench',
        traceExporter: new OTLPTraceExporter({ url: `${otlp}/v1/traces` }),
        metricReaders: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${otlp}/v1/metrics` }), exportIntervalMillis: 1000 })],
        instrumentations: [new OpenAIInstrumentation()],
      } as ConstructorParameters<typeof NodeSDK>[0]);
      sdk.start();
      return { flush: globalProviderFlush };
    }
    case 'openllmetry': {
      const traceloop = await import('@traceloop/node-server-sdk');
      traceloop.initialize({ appName: 'bench', baseUrl: otlp, apiKey: 'bench', traceloopSyncEnabled: false, silenceInitializationMessage: true });
      return { flush: () => traceloop.forceFlush() };
    }
  }
}

interface OpenAIClient {
  chat: { completions: { create(body: unknown): Promise<unknown> } };
}

function threadCount(): number {
  try {
    return readdirSync('/proc/self/task').length;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  // `name#n`: the same variant under another name (pooled apart by the parent).
  const variant = process.argv[2].replace(/#.*$/, '') as Variant;
  if (!NAMED.includes(variant) && !variant.startsWith('tt-')) throw new Error(`unknown variant ${process.argv[2]}`);
  if (process.argv[3] === 'startup') {
    const otlp = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:9';
    // tokentrace's start-up is measured with `--import …/register`, as apps load it.
    if (variant !== 'tokentrace') await setUp(variant, [], otlp);
    process.stdout.write(`\nT=${performance.now()}\n`, () => process.exit(0));
    return;
  }
  const servers = JSON.parse(process.env.BENCH_SERVERS ?? '[]') as ServerUrls[];
  const setup = await setUp(variant, servers, servers[0].otlp);
  const require = createRequire(import.meta.url);
  const OpenAI = require('openai') as new (options: object) => OpenAIClient;
  const clients = servers.map((s) => new OpenAI({ apiKey: 'sk-bench', baseURL: s.openaiBase, maxRetries: 0 }));
  const request = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say something.' }] };

  const oneCall = async (client: OpenAIClient) => {
    const t0 = performance.now();
    await client.chat.completions.create(request);
    return performance.now() - t0;
  };
  const oneStream = async (client: OpenAIClient) => {
    const t0 = performance.now();
    const stream = (await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } })) as AsyncIterable<unknown>;
    let first: number | undefined;
    for await (const _ of stream) first ??= performance.now();
    return { ttfc: (first ?? performance.now()) - t0, total: performance.now() - t0 };
  };
  const cpuMicros = (since: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(since);
    return d.user + d.system;
  };
  const answer = (value: unknown) => process.stdout.write(`@@${JSON.stringify(value)}\n`);

  answer({ ready: true });
  for await (const line of createInterface({ input: process.stdin })) {
    const cmd = JSON.parse(line) as { cmd: string; server?: number; calls?: number; streams?: number };
    if (cmd.cmd === 'exit') break;
    if (cmd.cmd === 'warmup') {
      // JIT and the connection pool, on every server; not recorded.
      for (const [i, client] of clients.entries()) {
        const calls = i === 0 ? WARMUP_CALLS : Math.min(WARMUP_CALLS, 30);
        for (let c = 0; c < calls; c++) await oneCall(client);
        for (let c = 0; c < Math.ceil(calls / 4); c++) await oneStream(client);
      }
      await setup.flush();
      await globalMeterFlush();
      answer({ ok: true });
      continue;
    }
    const client = clients[cmd.server ?? 0];
    const latency: number[] = [];
    const ttfc: number[] = [];
    const total: number[] = [];
    const ticks0 = threadTicks();
    const gc = new GCProfiler();
    gc.start();
    const heap0 = process.memoryUsage().heapUsed;
    let cpu = process.cpuUsage();
    for (let i = 0; i < (cmd.calls ?? 0); i++) latency.push(await oneCall(client));
    await setup.flush();
    const chatCpu = cpuMicros(cpu);
    const heap1 = process.memoryUsage().heapUsed;
    const gcStats = gc.stop()?.statistics ?? [];
    let allocated = 0;
    let prev = heap0;
    for (const g of gcStats) {
      allocated += g.beforeGC.heapStatistics.usedHeapSize - prev;
      prev = g.afterGC.heapStatistics.usedHeapSize;
    }
    allocated += heap1 - prev;
    const ticks1 = threadTicks();
    const threadCpu: Record<string, number> = {};
    for (const [name, t] of Object.entries(ticks1)) threadCpu[name] = (t - (ticks0[name] ?? 0)) * 10_000;
    const extra = { allocated, gcCount: gcStats.length, threadCpu, threads: threadCount() };
    cpu = process.cpuUsage();
    for (let i = 0; i < (cmd.streams ?? 0); i++) {
      const s = await oneStream(client);
      ttfc.push(s.ttfc);
      total.push(s.total);
    }
    await setup.flush();
    const streamCpu = cpuMicros(cpu);
    answer({ latency, ttfc, total, chatCpu, streamCpu, extra });
  }
  await setup.flush();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
