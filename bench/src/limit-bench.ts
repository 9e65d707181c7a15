/**
 * Issue 14 benchmark: what the limit check adds to one LLM call, in-process (the limits gate's
 * `admit`: the policy from the call's header, the atomic charge, the decision on the span and the
 * Helicone-RateLimit-* headers), with the counters in memory and in a real Redis on loopback.
 * Blocks of each store are interleaved so that the load of other processes on the machine falls
 * on both alike. `runLimitBench()` is what `npm run bench:cache` calls; run on its own this file
 * prints the figures and ends with `limit_check_us=<in-memory median>`.
 */
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { startRedisServer, type RedisServer } from '@tokentrace/test';
import { fileURLToPath } from 'node:url';
import { median, p99 } from './stats.js';

/** The few members of the instrumentation's internal gate this benchmark drives. */
interface LimitsGateLike {
  admit(request: object): Promise<unknown>;
  close(): Promise<void>;
}
interface LimitsModule {
  LimitsGate: new (config: object) => LimitsGateLike;
}
interface ConfigModule {
  resolveLimitsConfig(option: object, env: NodeJS.ProcessEnv): object;
}

export interface LimitCheckFigures {
  medianUs: number;
  p99Us: number;
  samples: number;
}

export interface LimitBenchResult {
  memory: LimitCheckFigures;
  redis?: LimitCheckFigures;
}

export interface LimitBenchOptions {
  /** Checks per block; default 2000. */
  blockSize?: number;
  /** Blocks per store; default 10. */
  blocks?: number;
  /** Also measure Redis (needs redis-server); default true. */
  redis?: boolean;
}

const instrumentationDist = new URL('../../instrumentation/dist/', import.meta.url);

export async function runLimitBench(options: LimitBenchOptions = {}): Promise<LimitBenchResult> {
  const blockSize = options.blockSize ?? 2000;
  const blocks = options.blocks ?? 10;
  // Internal modules, by path: the package exports only the public API.
  const { LimitsGate } = (await import(new URL('limits/limits-gate.js', instrumentationDist).href)) as LimitsModule;
  const { resolveLimitsConfig } = (await import(new URL('limits/limit-config.js', instrumentationDist).href)) as ConfigModule;

  let server: RedisServer | undefined;
  const gates: Array<[keyof LimitBenchResult, LimitsGateLike]> = [['memory', new LimitsGate(resolveLimitsConfig({}, {}))]];
  if (options.redis !== false) {
    server = await startRedisServer();
    gates.push(['redis', new LimitsGate(resolveLimitsConfig({ redis: { url: server.url, timeoutMs: 2000 } }, {}))]);
  }
  const samples: Record<string, number[]> = { memory: [], redis: [] };
  const span = trace.wrapSpanContext({ traceId: '0'.repeat(31) + '1', spanId: '0'.repeat(15) + '1', traceFlags: 1 });
  const endpoint = { provider: 'openai', api: 'openai.chat_completions', operation: 'chat', serverAddress: 'api.openai.com', serverPort: 443, detection: 'host' };
  const body = Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }));
  let n = 0;
  const request = () => ({
    endpoint,
    method: 'POST',
    protocol: 'https:',
    path: '/v1/chat/completions',
    header: () => undefined,
    controls: { 'ratelimit-policy': '1000000000;w=3600;s=user' },
    // 100 users: 100 counters per store, as an app with many users has.
    tracking: { userId: `user-${n++ % 100}`, rateLimitPolicies: ['1000000000;w=3600;s=user'] },
    body,
    span,
    context: trace.setSpan(ROOT_CONTEXT, span),
  });

  try {
    // Warm-up: JIT, the Redis connection and its script.
    for (const [, gate] of gates) for (let i = 0; i < 500; i++) await gate.admit(request());
    for (let b = 0; b < blocks; b++) {
      for (const [name, gate] of gates) {
        const out = samples[name]!;
        for (let i = 0; i < blockSize; i++) {
          const r = request();
          const start = performance.now();
          await gate.admit(r);
          out.push((performance.now() - start) * 1000);
        }
      }
    }
  } finally {
    for (const [, gate] of gates) await gate.close();
    await server?.stop();
  }
  const figures = (s: number[]): LimitCheckFigures => ({ medianUs: median(s), p99Us: p99(s), samples: s.length });
  return { memory: figures(samples.memory!), ...(samples.redis!.length > 0 && { redis: figures(samples.redis!) }) };
}

/** The lines this benchmark prints (also used by bench:cache). */
export function formatLimitBench(result: LimitBenchResult): string[] {
  const line = (name: string, f: LimitCheckFigures) => `limit check, ${name.padEnd(9)} median ${f.medianUs.toFixed(1)} µs   p99 ${f.p99Us.toFixed(1)} µs   (${f.samples} checks)`;
  const lines = [line('in-memory', result.memory)];
  if (result.redis) {
    lines.push(line('Redis', result.redis));
    lines.push(`Redis / in-memory median: ${(result.redis.medianUs / result.memory.medianUs).toFixed(1)}x`);
  }
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runLimitBench();
  for (const line of formatLimitBench(result)) console.log(line);
  console.log(`limit_check_us=${result.memory.medianUs.toFixed(1)}`);
}
