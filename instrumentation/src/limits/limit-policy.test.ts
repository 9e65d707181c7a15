import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { MemoryCounterStore } from './counter-store.js';
import { resolveLimitsConfig } from './limit-config.js';
import { parseLimitPolicy } from './limit-policy.js';
import { windowAt } from './limit-window.js';
import { Limiter } from './limiter.js';

describe("Helicone's policy grammar", () => {
  it('quota;w=seconds;u=unit;s=segment, defaults request and global', () => {
    expect(parseLimitPolicy('1000;w=3600')).toMatchObject({ quota: 1000, window: { seconds: 3600 }, unit: 'request', segment: { kind: 'global' }, text: '1000;w=3600;u=request' });
    expect(parseLimitPolicy('10;w=1000;u=cents;s=user')).toMatchObject({ unit: 'cents', segment: { kind: 'user' } });
    expect(parseLimitPolicy(' 300 ; w=1800 ; s=Organization ')).toMatchObject({ segment: { kind: 'property', name: 'organization' }, text: '300;w=1800;u=request;s=organization' });
  });

  it('refuses what Helicone refuses: no window, a window under 60 s, another unit, a bad quota', () => {
    for (const bad of ['100', '100;w=59', '100;w=60;u=tokens', 'x;w=60', '100;w=60;q=1', '100;w=60;s=']) expect(() => parseLimitPolicy(bad), bad).toThrow();
  });
});

describe('windows', () => {
  it('w seconds aligned to the epoch; UTC day and month', () => {
    const t = Date.UTC(2026, 1, 14, 10, 30, 15);
    expect(windowAt({ seconds: 60 }, t)).toEqual({ start: Date.UTC(2026, 1, 14, 10, 30), end: Date.UTC(2026, 1, 14, 10, 31), resetAt: Date.UTC(2026, 1, 14, 10, 31) });
    expect(windowAt('day', t)).toMatchObject({ start: Date.UTC(2026, 1, 14), end: Date.UTC(2026, 1, 15) });
    expect(windowAt('month', t)).toMatchObject({ start: Date.UTC(2026, 1, 1), end: Date.UTC(2026, 2, 1) });
    // Rolling: 60 buckets of 1 s; the counter can next go down at the next bucket.
    expect(windowAt({ seconds: 60, rolling: true }, t)).toEqual({ start: 0, end: t + 60_000, resetAt: t + 1000, rolling: { bucket: Math.floor(t / 1000), buckets: 60 } });
  });
});

describe('budgets in the configuration', () => {
  it('usd becomes cents; invalid budgets name their key', () => {
    const config = resolveLimitsConfig({ budgets: [{ usd: 25, window: 'month', per: 'user', match: { properties: { Tier: 'free' } } }] }, {});
    expect(config.policies[0]).toMatchObject({ quota: 2500, unit: 'cents', window: 'month', segment: { kind: 'user' }, match: { properties: { tier: 'free' } } });
    expect(() => resolveLimitsConfig({ budgets: [{ usd: 1, requests: 2, window: 'day' }] }, {})).toThrow(ConfigError);
    expect(() => resolveLimitsConfig({ budgets: [{ requests: 2, window: { seconds: 10 } }] }, {})).toThrow(/limits.budgets\[0\].window/);
    expect(() => resolveLimitsConfig({ policies: ['5;w=1'] }, {})).toThrow(/limits.policies\[0\]/);
  });
});

describe('the limiter', () => {
  it('a refusal by one policy refunds what the others charged for that call', async () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 30);
    const store = new MemoryCounterStore(() => now);
    const config = resolveLimitsConfig({ now: () => now, policies: ['10;w=60', '1;w=60;s=user'] }, {});
    const limiter = new Limiter(config, () => store);
    const check = (userId: string) => limiter.check({ tracking: { userId }, estimateCents: async () => 0 });
    expect((await check('a')).decision).toBe('allowed');
    const refused = await check('a');
    expect(refused.decision).toBe('limited');
    expect(refused.report).toMatchObject({ quota: 1, remaining: 0, retryAfterSeconds: 30, segment: 'user:a' });
    // The global counter holds 1 (a's first call), not 2: b has 9 left after its call.
    const b = await check('b');
    expect(b.decision).toBe('allowed');
    expect(b.report?.policyText).toBe('1;w=60;u=request;s=user'); // the tightest policy is reported
    expect((await limiter.check({ tracking: {}, estimateCents: async () => 0 })).report).toMatchObject({ quota: 10, remaining: 7 });
  });

  it('cost: an estimate first, then the actual cost', async () => {
    const now = Date.UTC(2026, 0, 1);
    const store = new MemoryCounterStore(() => now);
    const limiter = new Limiter(resolveLimitsConfig({ now: () => now, policies: ['10;w=3600;u=cents'] }, {}), () => store);
    const first = await limiter.check({ tracking: {}, estimateCents: async () => 1 });
    expect(first.report?.remaining).toBe(9);
    await limiter.settle(first, 6);
    expect((await limiter.check({ tracking: {}, estimateCents: async () => 1 })).report?.remaining).toBe(3);
    // 7 used: an estimate of 4 no longer fits.
    expect((await limiter.check({ tracking: {}, estimateCents: async () => 4 })).decision).toBe('limited');
  });
});

describe('rolling windows', () => {
  it('count the last w seconds, to 1/60 of w: a call leaves the count once it is w old', async () => {
    let now = Date.UTC(2026, 0, 1, 0, 0, 0);
    const store = new MemoryCounterStore(() => now);
    const config = resolveLimitsConfig({ now: () => now, budgets: [{ requests: 2, window: { seconds: 60, rolling: true } }] }, {});
    const limiter = new Limiter(config, () => store);
    const check = async (atSeconds: number) => {
      now = Date.UTC(2026, 0, 1) + atSeconds * 1000;
      return (await limiter.check({ tracking: {}, estimateCents: async () => 0 })).decision;
    };
    expect([await check(0), await check(30), await check(45)]).toEqual(['allowed', 'allowed', 'limited']);
    expect(await check(59)).toBe('limited'); // a fixed 60 s window would have reset at 60: a rolling one waits for the call at 0 to age out
    expect(await check(60)).toBe('allowed'); // the call at 0 left the window
    expect(await check(61)).toBe('limited'); // 30 and 60 remain
  });
});
