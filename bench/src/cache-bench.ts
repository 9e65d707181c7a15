/**
 * npm run bench:cache — what the response cache (instrumentation/src/cache/) costs and saves per
 * call, in one process: a cache hit from the in-memory store and from a real Redis
 * (test/src/redis/, redis-server on loopback), against a miss to a local provider that answers after
 * 20 ms (through the cache: lookup, provider, store) and the same call with caching off. Calls are
 * raw fetch of an OpenAI chat completion, read to the end. Blocks of each variant alternate
 * (gate-bench-harness.ts), BENCH_ROUNDS rounds (default 10) of BENCH_BLOCK calls (default 50).
 * Then the overhead of a rate-limit check per call (limit-bench.ts: the limits gate's admit, in
 * memory and on Redis). Ends with `cache_hit_p50_ms=<in-memory>`, `redis_hit_p50_ms=<n>` and
 * `limit_check_us=<in-memory median>`.
 */
import { startRedisServer } from '@tokentrace/test';
import { instrument, interleave, printResults, startSlowProvider, type Variant } from './gate-bench-harness.js';
import { formatLimitBench, runLimitBench } from './limit-bench.js';

const PROVIDER_DELAY_MS = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const BLOCK = Number(process.env.BENCH_BLOCK ?? 50);

async function main(): Promise<void> {
  const provider = await startSlowProvider(PROVIDER_DELAY_MS);
  const redis = await startRedisServer();
  const endpoints = [{ baseUrl: provider.baseUrl, provider: 'openai' }];
  const instrumentation = instrument({ endpoints });
  const url = `${provider.baseUrl}/chat/completions`;
  const call = async (content: string, headers: Record<string, string>) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', ...headers },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`status ${res.status}`);
  };
  const cached = { 'Helicone-Cache-Enabled': 'true' };
  const useStore = async (cache: object) => {
    instrumentation.setConfig({ endpoints, cache });
    await call('What does a cache hit cost?', cached); // miss, stored: the block's calls are hits
    await call('What does a cache hit cost?', cached);
  };
  let missNo = 0;
  const variants: Variant[] = [
    { name: 'hit, in-memory store', setup: () => useStore({}), run: () => call('What does a cache hit cost?', cached) },
    { name: 'hit, Redis store', setup: () => useStore({ store: 'redis', redisUrl: redis.url }), run: () => call('What does a cache hit cost?', cached) },
    { name: `miss, in-memory store (provider ${PROVIDER_DELAY_MS} ms)`, setup: () => useStore({}), run: () => call(`miss ${missNo++}`, cached) },
    { name: `no cache (provider ${PROVIDER_DELAY_MS} ms)`, run: (i) => call(`uncached ${i}`, {}) },
  ];
  try {
    console.log(`bench:cache — ${ROUNDS} rounds × ${BLOCK} calls per variant, interleaved; raw fetch, OpenAI chat completion`);
    const before = provider.calls;
    const results = await interleave(variants, ROUNDS, BLOCK);
    printResults(results);
    const [memory, viaRedis, miss, none] = results;
    const providerCalls = provider.calls - before;
    console.log(`  provider calls: ${providerCalls} (misses, uncached calls and warm-ups; hits never reach it)`);
    console.log(`  ratios (p50): miss / in-memory hit ${(miss!.p50 / memory!.p50).toFixed(0)}×, miss / Redis hit ${(miss!.p50 / viaRedis!.p50).toFixed(0)}×, miss / no cache ${(miss!.p50 / none!.p50).toFixed(3)}`);
    instrumentation.disable();
    await provider.close();
    await redis.stop();
    const limits = await runLimitBench();
    for (const line of formatLimitBench(limits)) console.log(line);
    console.log(`cache_hit_p50_ms=${memory!.p50.toFixed(3)}`);
    console.log(`redis_hit_p50_ms=${viaRedis!.p50.toFixed(3)}`);
    console.log(`limit_check_us=${limits.memory.medianUs.toFixed(1)}`);
  } finally {
    instrumentation.disable();
    await provider.close().catch(() => undefined);
    await redis.stop().catch(() => undefined);
  }
}

await main();
