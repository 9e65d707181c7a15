/**
 * The samples of `npm run bench:instrumentation` and how they are pooled. Each variant runs as
 * several processes (BENCH_PROCESSES): two processes of the same code differ by up to ~15 % in CPU
 * per call (bimodal, e.g. bare at 330 and 460 µs/call; bench/README.md), more than the differences
 * the targets hinge on, so one process's figure is not the variant's. A process sums what its
 * blocks measured (ProcessSamples); a variant's figures pool its processes (Pooled): latency and
 * time to first chunk over all calls, CPU µs per call as the median of the processes' own figures
 * (so that one process in the other mode does not move it), each process's figure kept to print.
 * `roundPlan` says which process of each variant runs a round's block.
 */
import { median } from './stats.js';

/** What a variant's process answers for one block (instrumentation-variant.ts). */
export interface BlockResult {
  latency: number[];
  ttfc: number[];
  total: number[];
  chatCpu: number;
  streamCpu: number;
  extra: { allocated: number; gcCount: number; threadCpu: Record<string, number>; threads: number };
}

/** One process's blocks, summed. */
export interface ProcessSamples {
  latency: number[];
  ttfc: number[];
  total: number[];
  chatCpu: number;
  chatCalls: number;
  /** CPU µs per call of each block. */
  blockCpu: number[];
  streamCpu: number;
  streamCalls: number;
  allocated: number;
  gcCount: number;
  threadCpu: Record<string, number>;
  threads: number;
}

export const emptySamples = (): ProcessSamples => ({
  latency: [],
  ttfc: [],
  total: [],
  chatCpu: 0,
  chatCalls: 0,
  blockCpu: [],
  streamCpu: 0,
  streamCalls: 0,
  allocated: 0,
  gcCount: 0,
  threadCpu: {},
  threads: 0,
});

export function addBlock(s: ProcessSamples, r: BlockResult): void {
  s.latency.push(...r.latency);
  s.ttfc.push(...r.ttfc);
  s.total.push(...r.total);
  s.chatCpu += r.chatCpu;
  s.blockCpu.push(r.chatCpu / r.latency.length);
  s.chatCalls += r.latency.length;
  s.streamCpu += r.streamCpu;
  s.streamCalls += r.total.length;
  s.allocated += r.extra.allocated;
  s.gcCount += r.extra.gcCount;
  s.threads = Math.max(s.threads, r.extra.threads);
  for (const [name, us] of Object.entries(r.extra.threadCpu)) s.threadCpu[name] = (s.threadCpu[name] ?? 0) + us;
}

/** A variant's figures over all its processes. */
export interface Pooled extends ProcessSamples {
  /** CPU µs per chat call: the median of `processCpu`. */
  cpu: number;
  /** CPU µs per stream: the median of `processStreamCpu`. */
  streamCpuPerCall: number;
  /** CPU µs per chat call of each process that ran a block, in process order. */
  processCpu: number[];
  /** CPU µs per stream of each process that ran a block. */
  processStreamCpu: number[];
}

export function pool(processes: readonly ProcessSamples[]): Pooled {
  const ran = processes.filter((s) => s.chatCalls > 0);
  const all = emptySamples();
  for (const s of ran) {
    all.latency.push(...s.latency);
    all.ttfc.push(...s.ttfc);
    all.total.push(...s.total);
    all.blockCpu.push(...s.blockCpu);
    all.chatCpu += s.chatCpu;
    all.chatCalls += s.chatCalls;
    all.streamCpu += s.streamCpu;
    all.streamCalls += s.streamCalls;
    all.allocated += s.allocated;
    all.gcCount += s.gcCount;
    all.threads = Math.max(all.threads, s.threads);
    for (const [name, us] of Object.entries(s.threadCpu)) all.threadCpu[name] = (all.threadCpu[name] ?? 0) + us;
  }
  const processCpu = ran.map((s) => s.chatCpu / s.chatCalls);
  const processStreamCpu = ran.map((s) => s.streamCpu / s.streamCalls);
  return { ...all, cpu: median(processCpu), streamCpuPerCall: median(processStreamCpu), processCpu, processStreamCpu };
}

/**
 * Round `round`'s blocks in order: A B C D or D C B A (no variant always goes first or last), each
 * on process `round mod processes` of its variant. A variant's process changes every round, so no
 * variant runs two blocks back to back in one process where the order turns (D C B A after
 * A B C D): that second block would run on warm caches, and only for the variant at that end.
 * The order turns every round when the number of processes is odd, and also every
 * `processes` rounds when it is even, so that each process runs as many rounds of each order.
 */
export function roundPlan<V>(variants: readonly V[], round: number, processes: number): { variant: V; process: number }[] {
  const turn = processes % 2 === 0 ? Math.floor(round / processes) : 0;
  const order = (round + turn) % 2 === 0 ? variants : [...variants].reverse();
  const process = round % processes;
  return order.map((variant) => ({ variant, process }));
}
