// Exactness under duplicates against the real engine: the known dataset inserted twice (a
// retried batch), read while both copies are stored (FINAL merges them at read time), after the
// engine has merged each day into one part, and again with late duplicates and a late new span
// beside the merged parts. Every answer must equal the one given before any duplicate existed.
// The test decides when parts merge (merges stopped, then one OPTIMIZE where the engine would
// merge a finished day), so every state it names is the state the engine is in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FilterExpression } from './filter/index.js';
import type { AnalyticsResult, UsageFigures } from './query-model.js';
import { KNOWN_EXPECTED, KNOWN_IDS, PROJECT_A } from './testing/known-dataset.js';
import { startQueryStore, type QueryStore } from './testing/query-store.js';

const DAY = 86_400_000;
let store: QueryStore;
let week: { from: Date; to: Date };

interface Snapshot {
  totals: AnalyticsResult;
  byModelDay: AnalyticsResult;
  byUser: AnalyticsResult;
  top: unknown;
  trace: unknown;
  session: unknown;
  page: unknown;
  sessions: unknown;
  details: unknown;
}

async function snapshot(): Promise<Snapshot> {
  const s = store.service;
  const range = week;
  return {
    totals: await s.analytics({ projectId: PROJECT_A, range }),
    byModelDay: await s.analytics({ projectId: PROJECT_A, range, groupBy: 'model', bucket: 'day', limit: 3 }),
    byUser: await s.analytics({ projectId: PROJECT_A, range, groupBy: 'user', bucket: 'hour' }),
    top: await s.topUsers({ projectId: PROJECT_A, range, limit: 3 }),
    trace: await s.traceTree({ projectId: PROJECT_A, traceId: KNOWN_IDS.t1 }),
    session: await s.sessionTree({ projectId: PROJECT_A, sessionId: KNOWN_IDS.researchSession }),
    page: await s.listRequests({ projectId: PROJECT_A, range, limit: 500 }),
    sessions: await s.sessionStats({ projectId: PROJECT_A, range }),
    details: [
      await s.getRequest({ projectId: PROJECT_A, traceId: KNOWN_IDS.t1, spanId: KNOWN_IDS.t1Spans.failed }),
      await s.getRequest({ projectId: PROJECT_A, traceId: KNOWN_IDS.t2, spanId: KNOWN_IDS.t2Spans.withContent }),
    ],
  };
}

/** Figures equal (costs up to float rounding); percentiles too, exactly: histograms add up the same whichever parts the rows came from. */
function expectSameFigures(actual: UsageFigures, expected: UsageFigures): void {
  const { costUsd, ...rest } = actual;
  const { costUsd: expectedCost, ...expectedRest } = expected;
  expect(rest).toEqual(expectedRest);
  expect(costUsd).toBeCloseTo(expectedCost, 12);
}

function expectSameResult(actual: AnalyticsResult, expected: AnalyticsResult): void {
  expectSameFigures(actual.totals, expected.totals);
  expect(actual.rows.map((r) => [r.bucket, r.group])).toEqual(expected.rows.map((r) => [r.bucket, r.group]));
  actual.rows.forEach((row, i) => expectSameFigures(row, expected.rows[i]));
}

function expectSame(actual: Snapshot, expected: Snapshot): void {
  expectSameResult(actual.totals, expected.totals);
  expectSameResult(actual.byModelDay, expected.byModelDay);
  expectSameResult(actual.byUser, expected.byUser);
  const top = (rows: unknown) => (rows as AnalyticsResult['rows']).map((r) => [r.group, r.requests, r.costUsd.toFixed(12)]);
  expect(top(actual.top)).toEqual(top(expected.top));
  expect(actual.trace).toEqual(expected.trace);
  expect(actual.session).toEqual(expected.session);
  expect(actual.page).toEqual(expected.page);
  expect(actual.sessions).toEqual(expected.sessions);
  expect(actual.details).toEqual(expected.details);
}

let baseline: Snapshot;

/** Rows stored for project A (every version), and the active parts per day. */
async function stored(): Promise<{ rows: number; partsPerDay: number[] }> {
  const db = store.database;
  const rows = await (await store.client.query({ query: `SELECT count() AS n FROM ${db}.spans WHERE project_id = {p:String}`, query_params: { p: PROJECT_A }, format: 'JSONEachRow' })).json<{ n: string }>();
  const parts = await (
    await store.client.query({
      query: "SELECT partition, count() AS n FROM system.parts WHERE database = {db:String} AND table = 'spans' AND active GROUP BY partition",
      query_params: { db },
      format: 'JSONEachRow',
    })
  ).json<{ n: string }>();
  return { rows: Number(rows[0].n), partsPerDay: parts.map((p) => Number(p.n)) };
}

/** Background merges stay off, so that the parts are those the test made. */
async function stopMerges(): Promise<void> {
  await store.client.command({ query: `SYSTEM STOP MERGES ${store.database}.spans` });
}

/** What the engine does by itself to a day no longer written (min_age_to_force_merge_seconds), at once. */
async function mergeEveryDay(): Promise<void> {
  await store.client.command({ query: `SYSTEM START MERGES ${store.database}.spans` });
  await store.client.command({ query: `OPTIMIZE TABLE ${store.database}.spans FINAL` });
  await stopMerges();
}

beforeAll(async () => {
  store = await startQueryStore();
  await stopMerges();
  week = { from: new Date(store.now - 7 * DAY), to: new Date(store.now + 1) };
  baseline = await snapshot();
  expect(baseline.totals.totals.requests).toBe(KNOWN_EXPECTED.a7d.requests);
  expect((await stored()).rows).toBe(store.spans.filter((s) => s.projectId === PROJECT_A).length);
});

afterAll(async () => {
  await store?.stop();
});

describe('duplicates', () => {
  const spansOfA = () => store.spans.filter((s) => s.projectId === PROJECT_A).length;

  it('a batch inserted twice changes no answer while both copies are stored', async () => {
    await store.insert(store.spans);
    expect((await stored()).rows).toBe(2 * spansOfA());
    expectSame(await snapshot(), baseline);
  });

  it('once the engine has merged each day into one part, one copy is left and answers are the same', async () => {
    await mergeEveryDay();
    const after = await stored();
    expect(after.rows).toBe(spansOfA());
    expect(after.partsPerDay.every((n) => n === 1)).toBe(true);
    expectSame(await snapshot(), baseline);
    const filtered = await store.service.analytics({ projectId: PROJECT_A, range: week, filter: { cost: { gte: 0 } } });
    expect(filtered.totals.requests).toBe(KNOWN_EXPECTED.a7d.requests - 2); // the failed call and the unknown model have no cost
  });

  it('late duplicates beside merged parts change no answer', async () => {
    await store.insert(store.spans.filter((s) => s.projectId === PROJECT_A));
    expect((await stored()).partsPerDay.some((n) => n > 1)).toBe(true);
    expectSame(await snapshot(), baseline);
  });

  it('a late new span counts once, at once, even sent twice', async () => {
    const carol = store.spans.find((s) => s.projectId === PROJECT_A && s.genAi?.userId === 'carol')!;
    const late = { ...carol, spanId: 'dddddddddddddddd', traceId: 'd'.repeat(32) };
    await store.insert([late]);
    const expectOneMore = async () => {
      const { totals } = await store.service.analytics({ projectId: PROJECT_A, range: week });
      expect(totals.requests).toBe(KNOWN_EXPECTED.a7d.requests + 1);
      expect(totals.costUsd).toBeCloseTo(KNOWN_EXPECTED.a7d.costUsd + 0.000008, 12);
      const users = await store.service.topUsers({ projectId: PROJECT_A, range: week });
      expect(users.find((u) => u.group === 'carol')).toMatchObject({ requests: 3 });
      const byUser = await store.service.analytics({ projectId: PROJECT_A, range: week, groupBy: 'user', bucket: 'hour' });
      expect(byUser.rows.filter((r) => r.group === 'carol').reduce((n, r) => n + r.requests, 0)).toBe(3);
      const page = await store.service.listRequests({ projectId: PROJECT_A, range: week, limit: 500 });
      expect(page.items.filter((i) => i.spanId === late.spanId)).toHaveLength(1);
    };
    await expectOneMore();
    await store.insert([late, carol]);
    await expectOneMore();
    await mergeEveryDay();
    await expectOneMore();
  });

  it('the newest version of a span wins (a re-priced span counts with its new cost only), in every read', async () => {
    const carol = store.spans.find((s) => s.projectId === PROJECT_A && s.genAi?.userId === 'carol')!;
    const key = { projectId: PROJECT_A, traceId: carol.traceId, spanId: carol.spanId };
    const before = await store.service.analytics({ projectId: PROJECT_A, range: week });
    const sessionsBefore = await store.service.sessionStats({ projectId: PROJECT_A, range: week });
    const newCost = (carol.cost!.totalUsd ?? 0) + 1;
    await store.insert([{ ...carol, cost: { ...carol.cost!, totalUsd: newCost } }]);
    const expectNewCost = async () => {
      const after = await store.service.analytics({ projectId: PROJECT_A, range: week });
      expect(after.totals.requests).toBe(before.totals.requests);
      expect(after.totals.costUsd).toBeCloseTo(before.totals.costUsd + 1, 9);
      expect((await store.service.getRequest(key))!.costUsd).toBe(newCost);
      const costly = await store.service.listRequests({ projectId: PROJECT_A, range: week, filter: { cost: { gt: 0.5 } } });
      expect(costly.items.map((r) => [r.spanId, r.costUsd])).toEqual([[carol.spanId, newCost]]);
      const cheap = await store.service.listRequests({ projectId: PROJECT_A, range: week, limit: 500, filter: { user: { equals: 'carol' } } });
      expect(cheap.items.filter((r) => r.spanId === carol.spanId).map((r) => r.costUsd)).toEqual([newCost]);
      const top = await store.service.topUsers({ projectId: PROJECT_A, range: week, limit: 1 });
      expect(top.map((r) => r.group)).toEqual(['carol']);
      // A filter sees the newest version only: the old cost matches `cost < 0.5` no more.
      const carolFilter = (cost: 'lt' | 'gt'): FilterExpression => ({ and: [{ user: { equals: 'carol' } }, { cost: { [cost]: 0.5 } }] });
      expect((await store.service.analytics({ projectId: PROJECT_A, range: week, filter: carolFilter('lt') })).totals.requests).toBe(2);
      expect((await store.service.analytics({ projectId: PROJECT_A, range: week, filter: carolFilter('gt') })).totals.requests).toBe(1);
      expect((await store.service.topUsers({ projectId: PROJECT_A, range: week, filter: carolFilter('lt') })).map((r) => r.requests)).toEqual([2]);
      // carol's calls carry no session: session statistics do not move.
      expect(await store.service.sessionStats({ projectId: PROJECT_A, range: week })).toEqual(sessionsBefore);
    };
    expect((await stored()).partsPerDay.some((n) => n > 1)).toBe(true);
    await expectNewCost();
    await mergeEveryDay();
    await expectNewCost();
  });
});
