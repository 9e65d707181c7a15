/**
 * The samples of `npm run bench:instrumentation` and how they are pooled. Each variant runs as
 * BENCH_PROCESSES processes (1 by default; more were no steadier, bench/README.md). A process sums
 * what its blocks measured (ProcessSamples); a variant's figures pool its processes (Pooled):
 * latency and time to first chunk over all calls, CPU µs per call as the median of the processes'
 * own figures (so that one process in another mode does not move it), each process's figure kept
 * to print.
 * `roundPlan` says which process of each variant runs a round's block. Each block's own figures
 * are also kept in round order (BlockFigures) for the ratios to bare taken round by round
 * (`pairedRatio`): a round's blocks run back to back under the same load from the rest of the
 * machine, so a block over bare's block of the same round cancels that load, where the ratio of
 * two pooled figures mixes rounds run under different loads.
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

/** Adds `from` to `into`. */
function merge(into: ProcessSamples, from: ProcessSamples): void {
  into.latency.push(...from.latency);
  into.ttfc.push(...from.ttfc);
  into.total.push(...from.total);
  into.blockCpu.push(...from.blockCpu);
  into.chatCpu += from.chatCpu;
  into.chatCalls += from.chatCalls;
  into.streamCpu += from.streamCpu;
  into.streamCalls += from.streamCalls;
  into.allocated += from.allocated;
  into.gcCount += from.gcCount;
  into.threads = Math.max(into.threads, from.threads);
  for (const [name, us] of Object.entries(from.threadCpu)) into.threadCpu[name] = (into.threadCpu[name] ?? 0) + us;
}

export function addBlock(s: ProcessSamples, r: BlockResult): void {
  const { latency, ttfc, total, chatCpu, streamCpu, extra } = r;
  const blockCpu = [chatCpu / latency.length];
  merge(s, { latency, ttfc, total, chatCpu, chatCalls: latency.length, blockCpu, streamCpu, streamCalls: total.length, ...extra });
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
  for (const s of ran) merge(all, s);
  const processCpu = ran.map((s) => s.chatCpu / s.chatCalls);
  const processStreamCpu = ran.map((s) => s.streamCpu / s.streamCalls);
  return { ...all, cpu: median(processCpu), streamCpuPerCall: median(processStreamCpu), processCpu, processStreamCpu };
}

/**
 * Round `round`'s blocks in order, each on process `round mod processes` of its variant. The order
 * rotates (A B C D, B C D A, C D A B, D A B C, …): over as many rounds as variants each variant runs
 * once at each place, and with 3 or more variants none runs two blocks back to back (the last
 * block of a round is never the first of the next), even with one process per variant. Until
 * 2026-12-07 the order turned (A B C D, D C B A): with one process per variant the variants at
 * either end then ran every other block right after their previous one, on warm caches (in three
 * A/A runs tokentrace's chat CPU ÷ bare's, round by round, had a median of ×1.04–1.08 over the
 * rounds where tokentrace ran twice in a row and ×1.37–1.38 over those where bare did). With 2
 * variants one of them still runs twice in a row in every round but the first; with a number of
 * processes sharing a factor with the number of variants, a process does not see every place.
 */
export function roundPlan<V>(variants: readonly V[], round: number, processes: number): { variant: V; process: number }[] {
  const first = round % variants.length;
  const order = [...variants.slice(first), ...variants.slice(0, first)];
  const process = round % processes;
  return order.map((variant) => ({ variant, process }));
}

/** One block's own figures: what the ratios to bare are taken of, round by round. */
export interface BlockFigures {
  /** Median latency of the block's chat calls, ms. */
  latency: number;
  /** CPU µs per chat call over the block's chat loop. */
  cpu: number;
  /** Median whole-stream time of the block's streams, ms. */
  total: number;
  /** CPU µs per stream over the block's stream loop. */
  streamCpu: number;
}

export function blockFigures(r: BlockResult): BlockFigures {
  return { latency: median(r.latency), cpu: r.chatCpu / r.latency.length, total: median(r.total), streamCpu: r.streamCpu / r.total.length };
}

/**
 * The paired ratio to bare: in each round, a variant's block figure ÷ bare's block figure of the
 * same round (`rounds[i]` and `bareRounds[i]` are round i's blocks), then the median over rounds.
 */
export function pairedRatio(rounds: readonly BlockFigures[], bareRounds: readonly BlockFigures[], figure: (f: BlockFigures) => number): number {
  return median(rounds.map((f, i) => figure(f) / figure(bareRounds[i]!)));
}
