/**
 * Issue 14 §2 with a real Redis server (Debian's redis-server, started by the test): counters are
 * shared by processes, and a Redis that dies mid-run makes the limit fail open, the spans saying so.
 * Windows are computed from an injected clock set in the middle of the next hour, so no run
 * straddles a window edge and every counter's expiry (the window's end) lies in the future.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ATTR_TOKENTRACE_RATE_LIMIT_DECISION, ATTR_TOKENTRACE_RATE_LIMIT_ERROR } from '@tokentrace/semconv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans } from '../harness/span-assertions.js';
import { startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';
import { startRedisServer, type RedisServer } from '../redis/redis-server.js';

const run = promisify(execFile);
const HOUR = 3_600_000;
const CLOCK = Math.floor(Date.now() / HOUR) * HOUR + HOUR + HOUR / 2;
const harness = setupTracing({});
let openai: ProviderEmulator;
let redis: RedisServer;

beforeAll(async () => {
  openai = await startOpenAIEmulator();
  redis = await startRedisServer();
});
afterAll(async () => {
  harness.instrumentation.setConfig({}); // closes the Redis client
  await openai.close();
  await redis.stop();
  await harness.shutdown();
});
beforeEach(() => {
  harness.reset();
  openai.reset();
});

async function child(policy: string, calls: number): Promise<number[]> {
  const env = { ...process.env, BASE_URL: openai.url, REDIS_URL: redis.url, POLICY: policy, CALLS: String(calls), CLOCK: String(CLOCK) };
  const { stdout } = await run(process.execPath, [fileURLToPath(new URL('../../fixtures/rate-limited-app.mjs', import.meta.url))], {
    env,
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  return JSON.parse(stdout) as number[];
}

describe('two processes, one Redis', () => {
  it('a quota of 4 per hour is shared: 5 parallel calls in each process, exactly 4 reach the provider', async () => {
    const [a, b] = await Promise.all([child('4;w=3600', 5), child('4;w=3600', 5)]);
    const all = [...a, ...b];
    expect(all.filter((s) => s === 200)).toHaveLength(4);
    expect(all.filter((s) => s === 429)).toHaveLength(6);
    expect(openai.requests).toHaveLength(4);
  });

  it('one process after the other: the second sees what the first used', async () => {
    expect(await child('3;w=3600;s=user', 0)).toEqual([]); // no user: not counted
    expect(await child('3;w=7200', 2)).toEqual([200, 200]);
    expect(await child('3;w=7200', 2)).toEqual(expect.arrayContaining([200, 429]));
    expect(openai.requests).toHaveLength(3);
  });
});

describe('Redis killed mid-run', () => {
  it('calls go out unlimited, each span records fail_open and why', async () => {
    const killable = await startRedisServer();
    harness.instrumentation.setConfig({
      endpoints: [{ baseUrl: openai.url, provider: 'openai' }],
      limits: { redis: { url: killable.url, timeoutMs: 500 }, now: () => CLOCK },
    });
    const post = async () => {
      const res = await fetch(`${openai.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-redis', 'Helicone-RateLimit-Policy': '1;w=3600;s=user', 'Helicone-User-Id': 'u-kill' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      await res.arrayBuffer();
      return res.status;
    };
    try {
      expect(await post()).toBe(200);
      expect(await post()).toBe(429); // Redis counts: the quota of 1 is used
      await killable.kill();
      expect([await post(), await post()]).toEqual([200, 200]);
      expect(openai.requests).toHaveLength(3);
      const spans = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 4));
      const decisions = spans.map((s) => s.attributes[ATTR_TOKENTRACE_RATE_LIMIT_DECISION]);
      expect(decisions.filter((d) => d === 'fail_open')).toHaveLength(2);
      for (const span of spans.filter((s) => s.attributes[ATTR_TOKENTRACE_RATE_LIMIT_DECISION] === 'fail_open')) {
        expect(String(span.attributes[ATTR_TOKENTRACE_RATE_LIMIT_ERROR])).toMatch(/^counter store: /);
      }
    } finally {
      harness.instrumentation.setConfig({});
      await killable.stop();
    }
  });
});

describe('a rolling window in Redis', () => {
  it('counts the last 60 s: a call leaves the count once it is 60 s old', async () => {
    let now = CLOCK;
    harness.instrumentation.setConfig({
      endpoints: [{ baseUrl: openai.url, provider: 'openai' }],
      limits: { redis: { url: redis.url, timeoutMs: 2000 }, now: () => now, project: 'rolling-test', budgets: [{ requests: 2, window: { seconds: 60, rolling: true } }] },
    });
    const post = async (atSeconds: number) => {
      now = CLOCK + atSeconds * 1000;
      const res = await fetch(`${openai.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-redis' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      await res.arrayBuffer();
      return res.status;
    };
    try {
      expect([await post(0), await post(30), await post(45), await post(59), await post(60), await post(61)]).toEqual([200, 200, 429, 429, 200, 429]);
      expect(openai.requests).toHaveLength(3);
    } finally {
      harness.instrumentation.setConfig({});
    }
  });
});
