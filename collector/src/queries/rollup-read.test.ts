// Analytics through the usage rollup on the real engine: every answer of a QueryService that reads
// clean hours and days from the rollup equals the answer of one that reads spans FINAL only
// (requests, tokens, Decimal costs, percentiles), for every group and bucket kind, with partial
// hours at the range's ends, after a batch re-sent and a span re-priced after the build (the
// hours become dirty and are read from spans until rebuilt), and per project. The builder runs
// with a grace of 0: a build's `built_at` (the engine's clock when it starts) is then after every
// change stored before it, so which hours are clean depends on the order of statements only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanRecord } from '@tokentrace/processors';
import { QueryService } from './query-service.js';
import { queryContext } from './query-context.js';
import type { RollupState } from '@tokentrace/processors';
import { planFromState, planRollupRead } from './rollup-read.js';
import type { AnalyticsQuery, AnalyticsResult, GroupBy, UsageFigures } from './query-model.js';
import { hexId, spanRecord } from './testing/known-spans.js';
import { startQueryStore, type QueryStore } from './testing/query-store.js';
import { RollupBuilder } from '../rollup/rollup-builder.js';
import { DEFAULT_ROLLUP_CONFIG } from '../rollup/rollup-config.js';
import { readDailySpend } from '../insights/forecast/daily-spend.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 13:27:41.5 UTC: ranges ending now end inside an hour. */
const NOW = Date.UTC(2026, 10, 20, 13, 27, 41, 500);
const A = 'rollup-a';
const B = 'rollup-b';
const MODELS = [
  ['openai', 'gpt-4o'],
  ['openai', 'gpt-4o-mini'],
  ['anthropic', 'claude-sonnet-4'],
  ['gcp.gemini', 'gemini-2.0-flash'],
] as const;
const FEATURES = ['chat', 'search', 'summarize', ''];

let store: QueryStore;
let raw: QueryService;
let hybrid: QueryService;
let builder: RollupBuilder;

/** A deterministic pseudo-random sequence (the same data every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** `count` model calls of `project` over the 3 days before NOW; project B gets A's ids and other costs. */
function calls(project: string, count: number, seed: number): SpanRecord[] {
  const r = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const [provider, model] = MODELS[Math.floor(r() * MODELS.length)];
    const cost = Math.round(r() * 1e9) / 1e11 + 1e-15 * i;
    const failed = r() < 0.1;
    return spanRecord({
      project,
      traceId: hexId('7a', i, 32),
      spanId: hexId('5b', i, 16),
      name: `chat ${model}`,
      startMs: NOW - Math.floor(r() * 3 * DAY),
      durationMs: Math.round(Math.exp(3 + r() * 6) * 1000) / 1000,
      ttftMs: r() < 0.7 ? Math.round(r() * 2000 * 1000) / 1000 : undefined,
      service: r() < 0.5 ? 'chat-api' : 'batch',
      environment: r() < 0.8 ? 'production' : 'staging',
      operation: 'chat',
      provider,
      requestModel: model,
      user: `user-${Math.floor(r() * 25)}`,
      session: r() < 0.5 ? { id: `s-${i % 40}`, name: r() < 0.5 ? 'research' : 'support' } : undefined,
      promptId: r() < 0.3 ? 'greeting-v2' : undefined,
      properties: { feature: FEATURES[Math.floor(r() * FEATURES.length)], tier: r() < 0.5 ? 'free' : 'pro' },
      error: failed ? { type: 'rate_limit', message: 'slow down' } : undefined,
      resendCount: r() < 0.05 ? 1 : undefined,
      inputTokens: failed ? undefined : Math.floor(r() * 5000),
      outputTokens: failed ? undefined : Math.floor(r() * 1000),
      cacheReadTokens: r() < 0.2 ? Math.floor(r() * 1000) : undefined,
      cost: failed ? undefined : { inputUsd: cost / 2, outputUsd: cost / 2, totalUsd: cost, status: r() < 0.1 ? 'cache_hit' : 'priced', pricedModel: `${provider}:${model}`, ...(r() < 0.1 ? { savedUsd: cost } : {}) },
    });
  });
}

const GROUPS: Array<GroupBy | undefined> = [undefined, 'model', 'provider', 'user', 'session_name', 'prompt_id', 'service', 'environment', 'property:feature', 'property:Tier'];
const FEW_GROUPS: Array<GroupBy | undefined> = [undefined, 'model', 'user', 'property:feature'];
const BUCKETS = [undefined, 'hour', 'day'] as const;

/** Figures equal; costs up to the last float digit of a Decimal sum converted once (the same Decimal either way). */
function expectSameFigures(actual: UsageFigures, expected: UsageFigures, where: string): void {
  expect({ ...actual, costUsd: actual.costUsd.toPrecision(15), savedUsd: actual.savedUsd.toPrecision(15) }, where).toEqual({
    ...expected,
    costUsd: expected.costUsd.toPrecision(15),
    savedUsd: expected.savedUsd.toPrecision(15),
  });
}

function expectSameResult(actual: AnalyticsResult, expected: AnalyticsResult, where: string): void {
  expectSameFigures(actual.totals, expected.totals, `${where} totals`);
  expect(actual.rows.map((r) => [r.bucket, r.group]), where).toEqual(expected.rows.map((r) => [r.bucket, r.group]));
  actual.rows.forEach((row, i) => expectSameFigures(row, expected.rows[i], `${where} row ${i}`));
}

/** Every group (or `groups`) × bucket over `range`, and filtered ones, from both services. */
async function expectSameAnswers(projectId: string, range: { from: Date; to: Date }, groups = GROUPS): Promise<void> {
  const queries: AnalyticsQuery[] = [];
  for (const groupBy of groups) for (const bucket of BUCKETS) queries.push({ projectId, range, groupBy, bucket, limit: 5 });
  queries.push({ projectId, range, groupBy: 'property:feature', filter: { and: [{ provider: { equals: 'anthropic' } }, { status: { equals: 'ok' } }] } });
  queries.push({ projectId, range, groupBy: 'model', bucket: 'day', filter: { or: [{ status: { 'not-equals': 'ok' } }, { not: { provider: { in: ['openai'] } } }] } });
  queries.push({ projectId, range, groupBy: 'model', filter: { user: { equals: 'user-3' } } }); // not in the rollup: spans only
  for (const q of queries) expectSameResult(await hybrid.analytics(q), await raw.analytics(q), JSON.stringify({ groupBy: q.groupBy, bucket: q.bucket, filter: q.filter }));
  const top = (rows: Awaited<ReturnType<QueryService['topUsers']>>) => rows.map((r) => [r.group, r.requests, r.costUsd.toPrecision(15), r.latencyMs]);
  expect(top(await hybrid.topUsers({ projectId, range, limit: 7 }))).toEqual(top(await raw.topUsers({ projectId, range, limit: 7 })));
}

const ranges = {
  /** Three days and a bit: partial hours at both ends, two whole days. */
  long: { from: new Date(NOW - 3 * DAY - 17 * 60_000), to: new Date(NOW + 1) },
  /** Whole hours only. */
  aligned: { from: new Date(NOW - (NOW % HOUR) - 30 * HOUR), to: new Date(NOW - (NOW % HOUR)) },
  /** Inside one hour: no whole hour, spans only. */
  inside: { from: new Date(NOW - (NOW % HOUR) - HOUR + 60_000), to: new Date(NOW - (NOW % HOUR) - 60_000) },
};

async function plan(projectId: string, range: { from: Date; to: Date }, dim = 'model', bucket?: 'hour' | 'day') {
  const ctx = queryContext(store.client, store.database, false, { graceMs: 0 });
  return planRollupRead(ctx, projectId, { fromMs: range.from.getTime(), toMs: range.to.getTime() }, dim, bucket);
}

beforeAll(async () => {
  store = await startQueryStore({ now: NOW, load: false });
  raw = new QueryService({ client: store.client, database: store.database, rollup: false });
  hybrid = new QueryService({ client: store.client, database: store.database, rollup: { graceMs: 0 } });
  builder = new RollupBuilder({ client: store.client, database: store.database, config: { ...DEFAULT_ROLLUP_CONFIG, graceMs: 0, hoursPerRound: 1000, properties: ['Feature'] } });
  await store.insert(calls(A, 1500, 1));
  await store.insert(calls(B, 300, 2));
});

afterAll(async () => {
  await builder?.stop();
  await store?.stop();
});

// Many statements per test on a shared box: a generous timeout (nothing here waits for time).
describe('analytics through the usage rollup', { timeout: 180_000 }, () => {
  it('reads spans only until the rollup is built, and the answers are those of spans', async () => {
    expect(await plan(A, ranges.long)).toBeUndefined();
    await expectSameAnswers(A, ranges.aligned);
  });

  it('after a build, reads whole days and hours from the rollup and only the partial hours at the ends from spans, with the same answers', async () => {
    const round = await builder.round();
    expect(round.hours).toBeGreaterThan(72); // A's and B's hours of three days
    expect(round.days).toBeGreaterThanOrEqual(4); // the whole days of each project (today's too: nothing changes in it)
    const long = (await plan(A, ranges.long))!;
    const [first, last] = [Math.ceil(ranges.long.from.getTime() / HOUR) * 3600, Math.floor(ranges.long.to.getTime() / HOUR) * 3600];
    expect(long.rawHours).toEqual([first - 3600, last]);
    expect(long.buildIds.length).toBeLessThan(72); // days count once
    // By hour: one build per whole hour that has a span of A (an hour without one needs none).
    const hoursWithCalls = new Set(calls(A, 1500, 1).map((s) => Math.floor(Number(s.startTimeUnixNano / 1_000_000_000n) / 3600) * 3600).filter((h) => h >= first && h < last));
    expect((await plan(A, ranges.long, 'model', 'hour'))!.buildIds.length).toBe(hoursWithCalls.size);
    expect(await plan(A, ranges.inside)).toBeUndefined();
    expect((await builder.round()).hours).toBe(0); // nothing changed since
    await expectSameAnswers(A, ranges.long);
    await expectSameAnswers(A, ranges.aligned, FEW_GROUPS);
    await expectSameAnswers(A, ranges.inside, FEW_GROUPS);
  });

  it("takes the range's last day from its day build when no hour after the range ever had a span, else its hours", async () => {
    const today = Math.floor(NOW / DAY) * 86_400;
    const untilNow = { from: new Date(today * 1000), to: new Date(NOW + 2 * HOUR) }; // nothing stored after NOW
    const day = (await plan(A, untilNow))!;
    expect(day.buildIds).toHaveLength(1);
    const lastHourOfData = { from: new Date(today * 1000), to: new Date(NOW - (NOW % HOUR) - HOUR) }; // the next hour has spans
    expect((await plan(A, lastHourOfData))!.buildIds.length).toBeGreaterThan(1);
    for (const range of [untilNow, lastHourOfData]) await expectSameAnswers(A, range, FEW_GROUPS);
  });

  it('a property not in the rollup (tier) is read from spans, and so is a filter on other fields', async () => {
    expect(await plan(A, ranges.long, 'property:tier')).toBeUndefined();
    expect((await plan(A, ranges.long, 'property:feature'))!.buildIds.length).toBeGreaterThan(0);
  });

  it('a batch re-sent and a span re-priced after the build: their hours are read from spans until rebuilt, the answers stay exact', async () => {
    const before = await hybrid.analytics({ projectId: A, range: ranges.long });
    const again = calls(A, 1500, 1);
    const hourOf = (s: SpanRecord) => Math.floor(Number(s.startTimeUnixNano / 1_000_000n) / HOUR) * 3600;
    const someHour = hourOf(again[10]);
    const resent = again.filter((s) => hourOf(s) === someHour);
    await store.insert(resent);
    const dirty = (await plan(A, ranges.long, 'model', 'hour'))!;
    expect(dirty.rawHours).toContain(someHour);
    expectSameResult(await hybrid.analytics({ projectId: A, range: ranges.long }), before, 'after the re-send');
    await expectSameAnswers(A, ranges.long, FEW_GROUPS);

    const repriced = { ...again[500], cost: { ...again[500].cost!, status: 'priced' as const, totalUsd: 12.345678901234 } };
    await store.insert([repriced]);
    const after = await hybrid.analytics({ projectId: A, range: ranges.long });
    expect(after.totals.requests).toBe(before.totals.requests);
    expect(after.totals.costUsd).toBeCloseTo(before.totals.costUsd - (again[500].cost?.totalUsd ?? 0) + 12.345678901234, 9);
    await expectSameAnswers(A, ranges.long, FEW_GROUPS);

    const rebuilt = await builder.round();
    expect(rebuilt.hours).toBe(new Set([someHour, hourOf(repriced)]).size);
    expect((await plan(A, ranges.long, 'model', 'hour'))!.rawHours).not.toContain(someHour);
    expectSameResult(await hybrid.analytics({ projectId: A, range: ranges.long }), after, 'after the rebuild');
    await expectSameAnswers(A, ranges.long);
  });

  it("the forecast's daily spend reads the rollup too, with the same costs per day and group", async () => {
    const withRollup = queryContext(store.client, store.database, false, { graceMs: 0 });
    const spansOnly = queryContext(store.client, store.database, false);
    const fromDay = Math.floor(NOW / DAY) - 3;
    for (const q of [{}, { groupBy: 'model' as const }, { groupBy: 'property:feature' as const, filter: { provider: { equals: 'openai' } } }, { groupBy: 'user' as const, keep: ['user-1', 'user-2'] }]) {
      const query = { projectId: A, fromDay, toMs: NOW + 1, limit: 3, ...q };
      const digits = (r: Awaited<ReturnType<typeof readDailySpend>>) => JSON.stringify(r, (_, v: unknown) => (typeof v === 'number' ? v.toPrecision(15) : v));
      expect(digits(await readDailySpend(withRollup, query))).toBe(digits(await readDailySpend(spansOnly, query)));
    }
    expect((await plan(A, { from: new Date(fromDay * DAY), to: new Date(NOW + 1) }, 'model', 'day'))!.buildIds.length).toBeGreaterThan(0);
  });

  it('keeps projects apart: B (the same ids, other figures) answers its own spans, from the rollup too', async () => {
    expect((await plan(B, ranges.long))!.buildIds.length).toBeGreaterThan(0);
    await expectSameAnswers(B, ranges.long, FEW_GROUPS);
    const [a, b] = [await hybrid.analytics({ projectId: A, range: ranges.long }), await hybrid.analytics({ projectId: B, range: ranges.long })];
    expect(a.totals.requests).toBe(1500);
    expect(b.totals.requests).toBe(300);
    expect(await plan('nobody', ranges.long)).toBeUndefined();
    expect((await hybrid.analytics({ projectId: 'nobody', range: ranges.long })).totals.requests).toBe(0);
  });
});

describe('planFromState: several dimensions and window ends', () => {
  const DAY_S = 86_400;
  const day = Date.UTC(2026, 10, 10) / 1000;
  /** Two days of hours, each changed at t = 1 and built (hour and day) at t = 10 with `dims`. */
  const state = (dims: string[]): RollupState => {
    const s: RollupState = { builds: { hour: new Map(), day: new Map() }, changes: new Map() };
    for (let h = day; h < day + 2 * DAY_S; h += 3600) {
      s.changes.set(h, 1);
      s.builds.hour.set(h, { builtAt: 10, buildId: `h${h}`, dims });
    }
    for (const d of [day, day + DAY_S]) s.builds.day.set(d, { builtAt: 10, buildId: `d${d}`, dims });
    return s;
  };
  const range = { fromMs: day * 1000, toMs: (day + 2 * DAY_S) * 1000 };

  it('takes whole days when no window end cuts them, and the hours around an end that does, the hour it cuts from spans', () => {
    expect(planFromState(state(['', 'model']), 0, range, ['', 'model'], undefined)).toEqual({ buildIds: [`d${day}`, `d${day + DAY_S}`], rawHours: [], fromS: day, toS: day + 2 * DAY_S });
    const cut = (day + DAY_S + 13.5 * 3600) * 1000; // 13:30 on the second day
    const p = planFromState(state(['', 'model']), 0, range, ['', 'model'], undefined, [range.fromMs, cut, range.toMs])!;
    expect(p.rawHours).toEqual([day + DAY_S + 13 * 3600]);
    expect(p.buildIds).toEqual([`d${day}`, ...Array.from({ length: 24 }, (_, i) => `h${day + DAY_S + i * 3600}`).filter((id) => id !== `h${day + DAY_S + 13 * 3600}`)]);
    // An end on a whole hour inside a day: hours, none from spans.
    const onHour = planFromState(state(['', 'model']), 0, range, ['', 'model'], undefined, [(day + 6 * 3600) * 1000])!;
    expect(onHour.rawHours).toEqual([]);
    expect(onHour.buildIds).toHaveLength(24 + 1);
  });

  it('answers from a build only when it holds every dimension asked', () => {
    expect(planFromState(state(['', 'model']), 0, range, ['', 'model', 'property:tier'], undefined)).toBeUndefined();
    expect(planFromState(state(['', 'model', 'property:tier']), 0, range, ['', 'model', 'property:tier'], 'hour')!.buildIds).toHaveLength(48);
  });
});
