/**
 * npm run bench:instrumentation — what capturing a call costs an app, tokentrace beside the two
 * peers, measured side by side in one run: the same `openai` SDK workload (the major both peers
 * support, 6.x) against the local OpenAI emulator, in four variants — bare (uninstrumented),
 * tokentrace (as `register` sets it up), @opentelemetry/instrumentation-openai under its NodeSDK,
 * OpenLLMetry (@traceloop/node-server-sdk) — all exporting OTLP/protobuf to the same local sink.
 * Each variant runs in a process of its own (instrumentation-variant.ts: instrumentations patch
 * modules globally; BENCH_PROCESSES of them, 1 by default), pinned to one CPU where `taskset`
 * exists (the servers to the other). The parent runs one block at a time in interleaved rounds,
 * each round one block of every variant back to back, the order rotating (A B C D, B C D A, …;
 * never two blocks of one variant in a row; instrumentation-samples.ts), so that machine noise
 * hits all alike. Two servers: one that answers at once (the absolute cost of the capture; the
 * headline table) and one that answers after SERVER_DELAY_MS (20 ms). Then the start-up cost of
 * each variant, over interleaved process starts.
 * Ratios to bare, two of each, side by side: **paired** (the headline columns and
 * capture_cpu_ratio) — in each round the variant's block ÷ bare's block of that round (CPU µs per
 * call of the block; latency: the block's median), then the median over the rounds — and
 * **pooled**, the variant's figure ÷ bare's (latency: median over all calls; CPU µs per call: the
 * median of the processes' own figures), the only ratio until 2026-12-07. Paired for the same
 * reason as bench:collector's ingest_ratio: a round's blocks run one after the other under the
 * same load from the rest of the machine, while the pooled figures mix blocks run under different
 * loads (a bare block's CPU per call ranged 497–2,756 µs in one run, sd 469 on ~1,100). Measured
 * (A/A, bare,bare#2,bare#3,tokentrace, 24 rounds, 13 runs; bench/README.md): bare#2 and #3 ÷
 * bare, mean distance from ×1.00 paired / pooled: chat CPU 0.051 / 0.043 (×0.88–×1.15 /
 * ×0.92–×1.10: no steadier), streams CPU 0.053 / 0.068, streams latency 0.048 / 0.073; and
 * tokentrace's capture_cpu_ratio from run to run 1.265–1.417 paired (sd 0.045) against
 * 1.281–1.498 pooled (sd 0.077); but in five default runs (the four variants) the other way,
 * 1.192–1.462 paired (sd 0.10) against 1.301–1.428 pooled (sd 0.048). Neither is steadier: what
 * pairing cancels (load shared by a round's blocks) is not most of the noise, each process's own
 * course through its blocks is (bench/README.md); read either as ±0.1 at least.
 * BENCH_PROCESSES > 1 shares the rounds out among a variant's processes (round r on process
 * r mod P); not steadier in A/A runs, and each block runs colder (every process waits through more
 * blocks of the others: bare +5–15 % CPU per call with 12 processes). Then each process's CPU µs
 * per call is printed below the tables, with their spread.
 * Options (environment): BENCH_ROUNDS (24), BENCH_PROCESSES (1 per variant), BENCH_CALLS (40 per
 * round; streams a quarter of it), BENCH_DELAYED_ROUNDS (rounds against the delayed server; 0
 * skips them), BENCH_STARTS (11; 0 skips the start-up), BENCH_SERVER_DELAY_MS (20),
 * BENCH_VARIANTS (comma-separated, bare first; default the four above; instrumentation-variant.ts
 * lists the variants that take tokentrace's cost apart; `name#n` is a row of its own, the same
 * variant in other processes: how far two rows of the same code differ; `tokentrace#n` with
 * BENCH_TT_n set runs another build, instrumentation-variant.ts),
 * BENCH_NODE_FLAGS (given to each variant's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`),
 * BENCH_ECHO=1 (the variants' other stdout lines to stderr), BENCH_WARMUP_CALLS (400 calls to the
 * server answering at once, at most 30 to the delayed one, in each process before the blocks;
 * instrumentation-variant.ts says why).
 * Last lines: tokentrace chat CPU per call ÷ bare's from the pooled figures, then
 * capture_cpu_ratio=<the paired one: median over rounds of tokentrace's chat block CPU per call ÷
 * bare's>, server answering at once.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  addBlock,
  type BlockFigures,
  type BlockResult,
  blockFigures,
  emptySamples,
  type Pooled,
  pairedRatio,
  pool,
  type ProcessSamples,
  roundPlan,
} from './instrumentation-samples.js';
import { median, p99 } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 24);
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 40);
const STREAM_CALLS_PER_ROUND = Math.max(4, Math.floor(CALLS_PER_ROUND / 4));
const STARTS = Number(process.env.BENCH_STARTS ?? 11);
const SERVER_DELAY_MS = Number(process.env.BENCH_SERVER_DELAY_MS ?? 20);
/**
 * Processes per variant; the rounds are shared out among them (instrumentation-samples.ts). 1 by
 * default: 3 were not steadier (bench/README.md) and make every block colder.
 */
const PROCESSES = Math.max(1, Number(process.env.BENCH_PROCESSES ?? 1));

const DEFAULT_VARIANTS = ['bare', 'tokentrace', 'otel', 'openllmetry'];
const VARIANTS = (process.env.BENCH_VARIANTS?.split(',') ?? DEFAULT_VARIANTS) as Variant[];
type Variant = 'bare' | 'tokentrace' | 'otel' | 'openllmetry';
const LABEL: Record<string, string> = {
  bare: 'bare',
  tokentrace: 'tokentrace',
  otel: '@opentelemetry/instrumentation-openai',
  openllmetry: 'OpenLLMetry',
};
const label = (v: string) => LABEL[v] ?? v;

/** Clients on the last CPU, servers on the others, where taskset exists and there are 2+ CPUs. */
const TASKSET = (() => {
  if (availableParallelism() < 2) return undefined;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return { client: String(availableParallelism() - 1), servers: `0-${availableParallelism() - 2}` };
  } catch {
    return undefined;
  }
})();
const pinned = (cpus: string | undefined, args: string[]): [string, string[]] =>
  cpus === undefined ? [process.execPath, args] : ['taskset', ['-c', cpus, process.execPath, ...args]];

interface Servers {
  openai: string;
  openaiBase: string;
  otlp: string;
  stop(): void;
}

/** The emulator and the OTLP sink run in their own process (see emulator-process.ts). */
async function startServers(delayMs: number): Promise<Servers> {
  const script = fileURLToPath(new URL('./emulator-process.js', import.meta.url));
  const [cmd, args] = pinned(TASKSET?.servers, [script, String(delayMs)]);
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { ...JSON.parse(line), stop: () => child.stdin!.end() };
}

/** A variant's process, driven one command at a time. */
class Runner {
  private readonly answers: AsyncIterator<string>;
  private constructor(readonly child: ChildProcess, lines: Interface, variant: string) {
    const echo = process.env.BENCH_ECHO === '1';
    this.answers = (async function* () {
      for await (const line of lines) {
        if (line.startsWith('@@')) yield line.slice(2);
        else if (echo) process.stderr.write(`[${variant}] ${line}\n`);
      }
    })();
  }

  static async start(variant: Variant, index: number, servers: readonly Servers[]): Promise<Runner> {
    const script = fileURLToPath(new URL('./instrumentation-variant.js', import.meta.url));
    const flags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
    const [cmd, args] = pinned(TASKSET?.client, [...flags, script, variant]);
    const env = { ...process.env, BENCH_SERVERS: JSON.stringify(servers.map(({ openai, openaiBase, otlp }) => ({ openai, openaiBase, otlp }))) };
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'], env });
    const runner = new Runner(child, createInterface({ input: child.stdout! }), `${variant}/${index}`);
    await runner.next();
    return runner;
  }

  private async next(): Promise<unknown> {
    const { value, done } = await this.answers.next();
    if (done) throw new Error('a variant process exited early');
    return JSON.parse(value);
  }

  async send(cmd: object): Promise<unknown> {
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    return this.next();
  }

  async stop(): Promise<void> {
    const exited = once(this.child, 'exit');
    this.child.stdin!.write('{"cmd":"exit"}\n');
    await exited;
  }
}

/** A variant's figures pooled over its processes, and its blocks' own figures in round order. */
type Measured = Pooled & { rounds: BlockFigures[] };

/** Runs `rounds` rounds of blocks against server `server`; what each process of each variant measured. */
async function measure(runners: Record<Variant, Runner[]>, server: number, rounds: number): Promise<Record<Variant, Measured>> {
  const samples = Object.fromEntries(VARIANTS.map((v) => [v, runners[v].map(emptySamples)])) as Record<Variant, ProcessSamples[]>;
  const blocks = Object.fromEntries(VARIANTS.map((v) => [v, [] as BlockFigures[]])) as Record<Variant, BlockFigures[]>;
  for (let round = 0; round < rounds; round++) {
    for (const { variant, process } of roundPlan(VARIANTS, round, PROCESSES)) {
      const r = (await runners[variant][process].send({ cmd: 'block', server, calls: CALLS_PER_ROUND, streams: STREAM_CALLS_PER_ROUND })) as BlockResult;
      addBlock(samples[variant][process], r);
      blocks[variant].push(blockFigures(r));
    }
  }
  return Object.fromEntries(VARIANTS.map((v) => [v, { ...pool(samples[v]), rounds: blocks[v] }])) as Record<Variant, Measured>;
}

const f3 = (n: number) => n.toFixed(3);
const x = (n: number) => `×${n.toFixed(2)}`;

/** What the ratio columns say, printed once at the top. */
const RATIO_NOTE =
  "ratios to bare: paired = median over the rounds of the variant's block ÷ bare's block of the same round (the block's median latency, its CPU µs per call); " +
  "pooled = the variant's figure in the table ÷ bare's (the only ratios before 2026-12-07)";
/** The ratio columns of a headline table: paired (round by round, the headline) and pooled. */
const RATIO_HEADER = `paired: ${'latency÷bare'.padStart(12)}  ${'CPU÷bare'.padStart(8)}  │ pooled: ${'latency÷bare'.padStart(12)}  ${'CPU÷bare'.padStart(8)}`;
function ratioColumns(s: Measured, bare: Measured, latency: (f: BlockFigures) => number, cpu: (f: BlockFigures) => number, pooledLatency: number, pooledCpu: number): string {
  const paired = [pairedRatio(s.rounds, bare.rounds, latency), pairedRatio(s.rounds, bare.rounds, cpu)];
  return `${x(paired[0]!).padStart(20)}  ${x(paired[1]!).padStart(8)}  │ ${x(pooledLatency).padStart(20)}  ${x(pooledCpu).padStart(8)}`;
}

/** Each process's CPU µs per call, and their spread (largest ÷ smallest). */
function reportProcesses(what: string, figure: (s: Pooled) => number[], all: Record<Variant, Pooled>): void {
  if (PROCESSES === 1) return;
  console.log(`  ${what}, CPU µs per call of each process (the variant's CPU µs is their median; largest÷smallest):`);
  for (const v of VARIANTS) {
    const each = figure(all[v]);
    const spread = Math.max(...each) / Math.min(...each);
    console.log(`    ${label(v).padEnd(38)} ${each.map((n) => n.toFixed(0).padStart(8)).join(' ')}  ${x(spread).padStart(6)}`);
  }
}

function report(title: string, all: Record<Variant, Measured>): void {
  const bare = all.bare;
  const cpu = (s: Pooled) => s.cpu;
  const streamCpu = (s: Pooled) => s.streamCpuPerCall;
  console.log(`openai SDK chat.completions, ${title}:`);
  console.log(`  non-streaming, ${bare.latency.length} calls per variant (latency ms; CPU µs per call, user+system over the loop, span export included${PROCESSES === 1 ? '' : ', median of the processes'}):`);
  console.log(`    ${'variant'.padEnd(38)} ${'median'.padStart(8)} ${'p99'.padStart(8)} ${'CPU µs'.padStart(8)}  ${RATIO_HEADER}`);
  for (const v of VARIANTS) {
    const s = all[v];
    const ratios = ratioColumns(s, bare, (f) => f.latency, (f) => f.cpu, median(s.latency) / median(bare.latency), cpu(s) / cpu(bare));
    console.log(`    ${label(v).padEnd(38)} ${f3(median(s.latency)).padStart(8)} ${f3(p99(s.latency)).padStart(8)} ${cpu(s).toFixed(0).padStart(8)}  ${ratios}`);
  }
  reportProcesses('non-streaming', (s) => s.processCpu, all);
  console.log(`  non-streaming, per call: CPU µs (median of the blocks' means), KB allocated on the JS heap, GCs, CPU µs per thread (/proc, 10 ms ticks), threads:`);
  for (const v of VARIANTS) {
    const s = all[v];
    const n = s.chatCalls;
    const threads = Object.entries(s.threadCpu)
      .filter(([, us]) => us > 0)
      .map(([name, us]) => `${name} ${(us / n).toFixed(0)}`)
      .join(', ');
    console.log(
      `    ${label(v).padEnd(38)} ${median(s.blockCpu).toFixed(0).padStart(6)} ${x(median(s.blockCpu) / median(bare.blockCpu)).padStart(6)} ${(s.allocated / n / 1024).toFixed(1).padStart(6)} KB ${(s.gcCount / n).toFixed(3)} GCs  [${threads}] ${s.threads} threads`,
    );
  }
  console.log(`  streaming, ${bare.total.length} calls per variant (whole stream ms; time to first chunk seen by the app ms, median, and its difference to bare; CPU µs per call):`);
  console.log(`    ${'variant'.padEnd(38)} ${'median'.padStart(8)} ${'p99'.padStart(8)} ${'ttfc'.padStart(8)} ${'ttfc−bare'.padStart(9)} ${'CPU µs'.padStart(8)}  ${RATIO_HEADER}`);
  for (const v of VARIANTS) {
    const s = all[v];
    const ttfcDelta = median(s.ttfc) - median(bare.ttfc);
    const ratios = ratioColumns(s, bare, (f) => f.total, (f) => f.streamCpu, median(s.total) / median(bare.total), streamCpu(s) / streamCpu(bare));
    console.log(
      `    ${label(v).padEnd(38)} ${f3(median(s.total)).padStart(8)} ${f3(p99(s.total)).padStart(8)} ${f3(median(s.ttfc)).padStart(8)} ${`${ttfcDelta >= 0 ? '+' : ''}${f3(ttfcDelta)}`.padStart(9)} ${streamCpu(s).toFixed(0).padStart(8)}  ${ratios}`,
    );
  }
  reportProcesses('streaming', (s) => s.processStreamCpu, all);
}

/**
 * Time from process start to the app's first line (the child prints performance.now(), whose
 * origin is the process start), each variant's set-up before it, the variants alternated.
 */
function measureStartup(): Record<Variant, number> {
  const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'none' };
  const script = fileURLToPath(new URL('./instrumentation-variant.js', import.meta.url));
  const time = (v: Variant) => {
    const pre = v === 'tokentrace' ? ['--import', '@tokentrace/instrumentation/register'] : [];
    const [cmd, args] = pinned(TASKSET?.client, [...pre, script, v, 'startup']);
    const out = execFileSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return Number(/^T=(.*)$/m.exec(out)![1]);
  };
  const times = Object.fromEntries(VARIANTS.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
  for (const v of VARIANTS) time(v); // fills the OS file cache
  for (let i = 0; i < STARTS; i++) {
    const order = i % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
    for (const v of order) times[v].push(time(v));
  }
  return Object.fromEntries(VARIANTS.map((v) => [v, median(times[v])])) as Record<Variant, number>;
}

async function main(): Promise<void> {
  const [immediate, delayed] = await Promise.all([startServers(0), startServers(SERVER_DELAY_MS)]);
  const runners = Object.fromEntries(VARIANTS.map((v) => [v, [] as Runner[]])) as Record<Variant, Runner[]>;
  for (let p = 0; p < PROCESSES; p++) for (const v of VARIANTS) runners[v].push(await Runner.start(v, p, [immediate, delayed]));
  for (const r of Object.values(runners).flat()) await r.send({ cmd: 'warmup' });

  const atOnce = await measure(runners, 0, ROUNDS);
  const delayedRounds = Number(process.env.BENCH_DELAYED_ROUNDS ?? Math.max(4, Math.floor(ROUNDS / 2)));
  const realistic = delayedRounds > 0 ? await measure(runners, 1, delayedRounds) : undefined;
  for (const r of Object.values(runners).flat()) await r.stop();
  immediate.stop();
  delayed.stop();

  const openaiVersion = (await import('openai/version')).VERSION;
  console.log(
    `openai ${openaiVersion}; ${ROUNDS} rounds of ${CALLS_PER_ROUND} calls + ${STREAM_CALLS_PER_ROUND} streams per variant at 0 ms, ${delayedRounds} at ${SERVER_DELAY_MS} ms, ` +
      `${PROCESSES === 1 ? 'one process' : `shared out among ${PROCESSES} processes`} per variant; ` +
      (TASKSET ? `clients pinned to CPU ${TASKSET.client}, servers to CPU ${TASKSET.servers}` : 'not pinned (no taskset or 1 CPU)'),
  );
  console.log(RATIO_NOTE);
  report('server answering at once (absolute cost of the capture)', atOnce);
  if (realistic) report(`server answering after ${SERVER_DELAY_MS} ms`, realistic);

  const startup = STARTS > 0 ? measureStartup() : undefined;
  if (startup) {
    console.log(`start-up (process start to the app's first line, variant set up before it), median of ${STARTS} interleaved starts:`);
    for (const v of VARIANTS) {
      const added = v === 'bare' ? '' : ` (+${(startup[v] - startup.bare).toFixed(1)} ms)`;
      console.log(`    ${label(v).padEnd(38)} ${startup[v].toFixed(1).padStart(8)} ms${added}`);
    }
  }
  if (atOnce.tokentrace) {
    console.log(`tokentrace chat CPU µs per call ÷ bare's, pooled (the table's CPU µs): ${(atOnce.tokentrace.cpu / atOnce.bare.cpu).toFixed(4)}`);
    console.log(`capture_cpu_ratio=${pairedRatio(atOnce.tokentrace.rounds, atOnce.bare.rounds, (f) => f.cpu).toFixed(4)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
