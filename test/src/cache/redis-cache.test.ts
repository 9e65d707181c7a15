/**
 * The response cache on a real Redis (test/src/redis/): entries with the call's max-age as TTL,
 * shared by two `node --import register` processes, and fail open when Redis dies mid-run: the
 * calls still succeed, uncached, and their spans say why.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans } from '../harness/span-assertions.js';
import { OtlpReceiver } from '../otlp-receiver.js';
import { startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';
import { startRedisServer, type RedisServer } from '../redis/redis-server.js';

const run = promisify(execFile);
const harness = setupTracing({});
let openai: ProviderEmulator;
let redis: RedisServer;
let receiver: OtlpReceiver;
let prompt = 0;
const fresh = () => `redis question ${++prompt} ${Date.now()}`;
const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-test-redis', 'Helicone-Cache-Enabled': 'true' };

beforeAll(async () => {
  [openai, redis, receiver] = await Promise.all([startOpenAIEmulator(), startRedisServer(), OtlpReceiver.start()]);
  configure({ store: 'redis', redisUrl: redis.url });
});
afterAll(async () => {
  await harness.shutdown();
  await Promise.all([openai.close(), redis.stop(), receiver.close()]);
});
beforeEach(() => {
  harness.reset();
  openai.reset();
  receiver.reset();
});

function configure(cache: object): void {
  harness.instrumentation.setConfig({ endpoints: [{ baseUrl: openai.url, provider: 'openai' }], cache });
}

async function chat(content: string, extra: Record<string, string> = {}) {
  const res = await fetch(`${openai.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { ...headers, ...extra },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }),
  });
  return { status: res.status, cache: res.headers.get('helicone-cache'), text: await res.text() };
}

describe('Redis store', () => {
  it('keeps an answer under its max-age as TTL and serves it', async () => {
    const content = fresh();
    expect((await chat(content, { 'Cache-Control': 'max-age=90' })).cache).toBe('MISS');
    // The SET is on its way when the app has the answer: wait for Redis to have it.
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      let keys: string[] = [];
      for (let i = 0; i < 200 && keys.length === 0; i++) {
        keys = await client.keys('tokentrace:cache:*');
        if (keys.length === 0) await new Promise((r) => setTimeout(r, 10));
      }
      expect(keys).toHaveLength(1);
      const ttl = await client.pTTL(keys[0]!);
      expect(ttl).toBeGreaterThan(80_000);
      expect(ttl).toBeLessThanOrEqual(90_000);
    } finally {
      client.destroy();
    }
    const hit = await chat(content, { 'Cache-Control': 'max-age=90' });
    expect(hit.cache).toBe('HIT');
    expect(openai.requests).toHaveLength(1);
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 2);
    expect(genAiSpans(spans).map((s) => s.attributes['tokentrace.cache.store'])).toEqual(['redis', 'redis']);
  });

  it('two processes sharing one Redis see each other\'s entries', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      ...receiver.env(),
      OTEL_SERVICE_NAME: 'cache-app',
      TOKENTRACE_ENDPOINTS: `openai=${openai.url}`,
      TOKENTRACE_CACHE_REDIS_URL: redis.url,
      APP_OPENAI_BASE_URL: openai.baseUrl,
      APP_PROMPT: fresh(),
    };
    const app = fileURLToPath(new URL('../../fixtures/cache-app.mjs', import.meta.url));
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    const runApp = async () => JSON.parse((await run(process.execPath, ['--import', '@tokentrace/instrumentation/register', app], { env, cwd })).stdout);
    const first = await runApp();
    const second = await runApp();
    expect(first.cache).toBe('MISS');
    expect(second).toEqual({ ...first, cache: 'HIT' });
    expect(openai.requests).toHaveLength(1);
    const statuses = receiver.spans.filter((s) => s.name === 'chat gpt-4o-mini').map((s) => s.attributes['tokentrace.cache.status']);
    expect(statuses.sort()).toEqual(['hit', 'miss']);
  });

  it('answers larger than maxEntryBytes are not stored', async () => {
    configure({ store: 'redis', redisUrl: redis.url, maxEntryBytes: 200 });
    try {
      const content = fresh();
      await chat(content);
      await harness.waitForSpans((s) => genAiSpans(s).length === 1);
      expect((await chat(content)).cache).toBe('MISS');
      expect(openai.requests).toHaveLength(2);
    } finally {
      configure({ store: 'redis', redisUrl: redis.url });
    }
  });

  // Last: it kills the server.
  it('Redis killed mid-run: calls succeed uncached and their spans say why', async () => {
    const content = fresh();
    await chat(content);
    await redis.kill();
    const afterKill = await chat(content);
    expect(afterKill.status).toBe(200);
    expect(afterKill.cache).toBeNull();
    const again = await chat(content);
    expect(again.status).toBe(200);
    expect(openai.requests).toHaveLength(3);
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 3);
    const bypassed = genAiSpans(spans).filter((s) => s.attributes['tokentrace.cache.status'] === 'bypass');
    expect(bypassed).toHaveLength(2);
    for (const span of bypassed) {
      expect(span.attributes['tokentrace.cache.error']).toMatch(/^redis lookup failed: /);
      expect(span.status.code).toBe(0); // the call itself succeeded
    }
  });
});
