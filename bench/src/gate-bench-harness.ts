/**
 * Shared parts of the request-gate benchmarks (npm run bench:cache; the limit checks reuse it): a
 * local provider that answers an OpenAI chat completion after a fixed delay, tokentrace's
 * instrumentation in this process with a tracer that records spans and exports none, and
 * interleaved timing: rounds of one block per variant, so that a noisy moment on the shared
 * machine hits every variant alike.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { TokentraceInstrumentation, type TokentraceInstrumentationConfig } from '@tokentrace/instrumentation';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { median, p99 } from './stats.js';

export interface SlowProvider {
  /** OpenAI base URL (`…/v1`). */
  baseUrl: string;
  /** Requests that reached it. */
  calls: number;
  close(): Promise<void>;
}

/** An OpenAI-compatible chat endpoint answering after `delayMs`. */
export async function startSlowProvider(delayMs: number): Promise<SlowProvider> {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      setTimeout(() => {
        const body = JSON.stringify({
          id: `chatcmpl-${calls}`,
          object: 'chat.completion',
          created: 1_700_000_000,
          model: 'gpt-4o-mini-2024-07-18',
          choices: [{ index: 0, message: { role: 'assistant', content: 'A cached answer is free.' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 120, completion_tokens: 8, total_tokens: 128 },
        });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      }, delayMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get calls() {
      return calls;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** tokentrace's instrumentation in this process; spans are recorded, not exported. */
export function instrument(config: TokentraceInstrumentationConfig): TokentraceInstrumentation {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new TracerProvider();
  trace.setGlobalTracerProvider(provider);
  const instrumentation = new TokentraceInstrumentation(config);
  instrumentation.setTracerProvider(provider);
  instrumentation.setMeterProvider(metrics.getMeterProvider());
  return instrumentation;
}

export interface Variant {
  name: string;
  /** Runs before each block (e.g. a config change and a warm-up call). */
  setup?(): Promise<void>;
  /** One timed operation; `i` counts across blocks. */
  run(i: number): Promise<void>;
}

export interface VariantResult {
  name: string;
  samples: number[];
  p50: number;
  p99: number;
}

/** `rounds` rounds of one block of `perBlock` operations per variant, in order; times in ms. */
export async function interleave(variants: readonly Variant[], rounds: number, perBlock: number): Promise<VariantResult[]> {
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  let i = 0;
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      await variant.setup?.();
      const into = samples.get(variant.name)!;
      for (let n = 0; n < perBlock; n++) {
        const started = performance.now();
        await variant.run(i++);
        into.push(performance.now() - started);
      }
    }
  }
  return variants.map((v) => {
    const s = samples.get(v.name)!;
    return { name: v.name, samples: s, p50: median(s), p99: p99(s) };
  });
}

export function printResults(results: readonly VariantResult[], unit: 'ms' | 'us' = 'ms'): void {
  const scale = unit === 'us' ? 1000 : 1;
  const width = Math.max(...results.map((r) => r.name.length));
  for (const r of results) {
    console.log(`  ${r.name.padEnd(width)}  p50 ${(r.p50 * scale).toFixed(3)} ${unit}  p99 ${(r.p99 * scale).toFixed(3)} ${unit}  (n=${r.samples.length})`);
  }
}
