/**
 * One variant of `npm run bench:instrumentation`, in a process of its own (instrumentations patch
 * modules globally, so the variants cannot share a process). argv[2]: the variant — `bare`,
 * `tokentrace`, `otel` (@opentelemetry/instrumentation-openai under its NodeSDK) or `openllmetry`
 * (@traceloop/node-server-sdk); argv[3] `startup` only sets the variant up and prints
 * `T=<performance.now()>` (the app's first line) and exits.
 *
 * Otherwise the servers come in BENCH_SERVERS (JSON: [{openai, openaiBase, otlp}, …], spans go to
 * the first one's OTLP sink), and the parent drives it over stdin, one JSON command per line:
 * `{"cmd":"warmup"}`, `{"cmd":"block","server":i,"calls":n,"streams":m}`, `{"cmd":"exit"}`. Each
 * answer is one stdout line starting with `@@` (other libraries may print to stdout), JSON: for a
 * block, the latency of each call, and the CPU time (user+system, process.cpuUsage) of the chat
 * loop and of the stream loop, each including a flush of the spans they made.
 *
 * Every variant loads the openai SDK with `require` after its set-up, as a CommonJS app would, so
 * that the SDK-patching instrumentations see it.
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

type Variant = 'bare' | 'tokentrace' | 'otel' | 'openllmetry';
const VARIANTS: readonly Variant[] = ['bare', 'tokentrace', 'otel', 'openllmetry'];

interface ServerUrls {
  openai: string;
  openaiBase: string;
  otlp: string;
}

interface Setup {
  /** Exports the spans made so far (the CPU this costs belongs to the measured loop). */
  flush(): Promise<void>;
}

async function globalProviderFlush(): Promise<void> {
  const { trace } = await import('@opentelemetry/api');
  const provider = trace.getTracerProvider() as unknown as { getDelegate?: () => unknown };
  const delegate = (provider.getDelegate?.() ?? provider) as { forceFlush?: () => Promise<void> };
  await delegate.forceFlush?.();
}

/** Each variant as its documentation sets it up, exporting OTLP/protobuf to `otlp`. */
async function setUp(variant: Variant, servers: readonly ServerUrls[], otlp: string): Promise<Setup> {
  switch (variant) {
    case 'bare':
      return { flush: async () => {} };
    case 'tokentrace': {
      // What `--import @tokentrace/instrumentation/register` sets up, with the emulators' endpoints.
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp;
      process.env.OTEL_METRIC_EXPORT_INTERVAL = '1000';
      const { startTokentrace } = await import('@tokentrace/instrumentation');
      startTokentrace({ endpoints: servers.map((s) => ({ baseUrl: s.openai, provider: 'openai' })) });
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

async function main(): Promise<void> {
  const variant = process.argv[2] as Variant;
  if (!VARIANTS.includes(variant)) throw new Error(`unknown variant ${process.argv[2]}`);
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
      for (const client of clients) {
        for (let i = 0; i < 30; i++) await oneCall(client);
        for (let i = 0; i < 8; i++) await oneStream(client);
      }
      await setup.flush();
      answer({ ok: true });
      continue;
    }
    const client = clients[cmd.server ?? 0];
    const latency: number[] = [];
    const ttfc: number[] = [];
    const total: number[] = [];
    let cpu = process.cpuUsage();
    for (let i = 0; i < (cmd.calls ?? 0); i++) latency.push(await oneCall(client));
    await setup.flush();
    const chatCpu = cpuMicros(cpu);
    cpu = process.cpuUsage();
    for (let i = 0; i < (cmd.streams ?? 0); i++) {
      const s = await oneStream(client);
      ttfc.push(s.ttfc);
      total.push(s.total);
    }
    await setup.flush();
    const streamCpu = cpuMicros(cpu);
    answer({ latency, ttfc, total, chatCpu, streamCpu });
  }
  await setup.flush();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
