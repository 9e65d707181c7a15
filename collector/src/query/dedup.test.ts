// Exactness under duplicates against a real ClickHouse: the known dataset inserted twice (a
// retried batch), read while days are unsettled (FINAL), settled (one merged part, read plainly or
// from rollups), and unsettled again by late duplicates and late spans. Every answer must equal
// the one given before any duplicate existed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsResult, UsageFigures } from './query-model.js';
import { queryContext } from './query-context.js';
import { DayMaintenance } from './day-maintenance.js';
import { dayParts, isSettled } from './request-days.js';
import { planSource, validBuilds } from './request-source.js';
import { QueryService } from './query-service.js';
import { validRange } from './query-sql.js';
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
  };
}

/** Figures equal (costs up to float rounding: sums in another order); percentiles too, exactly,
 * since histograms add up the same whichever parts, rollups or versions they came from. */
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
}

let baseline: Snapshot;
/** Maintenance with a clock one day ahead, so that today counts as over and gets compacted too. */
let maintenance: DayMaintenance;

beforeAll(async () => {
  store = await startQueryStore();
  week = { from: new Date(store.now - 7 * DAY), to: new Date(store.now + 1) };
  maintenance = new DayMaintenance(queryContext(store.client, store.database), { now: () => store.now + 2 * DAY });
  baseline = await snapshot();
  expect(baseline.totals.totals.requests).toBe(KNOWN_EXPECTED.a7d.requests);
});

afterAll(async () => {
  await store?.stop();
});

describe('duplicates', () => {
  it('a batch inserted twice changes no answer while its days are unsettled (duplicated spans read with FINAL)', async () => {
    await store.insert(store.spans);
    const days = await dayParts(queryContext(store.client, store.database), validRange(week));
    expect([...days.values()].some(isSettled)).toBe(false);
    expectSame(await snapshot(), baseline);
  });

  it('settled days are read plainly, then from rollups, with the same answers', async () => {
    const ctx = queryContext(store.client, store.database);
    const done = await maintenance.maintain(validRange({ from: new Date(store.now - 30 * DAY), to: new Date(store.now + 1) }));
    expect(done.compacted).toBeGreaterThanOrEqual(3); // dave's day, carol's, yesterday and/or today
    const plan = await planSource(ctx, PROJECT_A, validRange(week), { rollups: true, hourly: false });
    expect(plan.rows.some((r) => r.final)).toBe(false);
    expect(plan.rollup).toBeDefined();
    expectSame(await snapshot(), baseline);
    // The same days without rollups: plain reads pinned to the one part of each day.
    const plainPlan = await planSource(ctx, PROJECT_A, validRange(week), { rollups: false, hourly: false });
    expect(plainPlan.rows.some((r) => r.final)).toBe(false);
    expect(plainPlan.pinnedParts.length).toBeGreaterThan(0);
    const filtered = await store.service.analytics({ projectId: PROJECT_A, range: week, filter: { cost: { gte: 0 } } });
    expect(filtered.totals.requests).toBe(KNOWN_EXPECTED.a7d.requests - 2); // the failed call and the unknown model have no cost
  });

  it('late duplicates unsettle their days again; answers stay the same, and compaction settles them again', async () => {
    await store.insert(store.spans.filter((s) => s.projectId === PROJECT_A));
    const ctx = queryContext(store.client, store.database);
    const unsettled = async () => [...(await dayParts(ctx, validRange(week))).values()].filter((d) => !isSettled(d)).length;
    expect(await unsettled()).toBeGreaterThan(0);
    expect((await planSource(ctx, PROJECT_A, validRange(week), { rollups: true, hourly: false })).rows.some((r) => r.final && !r.where.includes('_part'))).toBe(true);
    expectSame(await snapshot(), baseline);
    await maintenance.maintain(validRange(week));
    expect(await unsettled()).toBe(0);
    expectSame(await snapshot(), baseline);
  });

  it('a late new span in a settled day counts once, at once: base rollup plus the new part', async () => {
    const ctx = queryContext(store.client, store.database);
    const carol = store.spans.find((s) => s.projectId === PROJECT_A && s.genAi?.userId === 'carol')!;
    const late = { ...carol, spanId: 'dddddddddddddddd', traceId: 'd'.repeat(32) };
    await store.insert([late]);
    const plan = await planSource(ctx, PROJECT_A, validRange(week), { rollups: true, hourly: false });
    expect(plan.rollup).toBeDefined();
    // The new span's part is read with FINAL on its own; no day is read with FINAL as a whole.
    expect(plan.rows.filter((r) => r.final).map((r) => r.where.includes('_part IN'))).toEqual([true]);
    const expectOneMore = async () => {
      const { totals } = await store.service.analytics({ projectId: PROJECT_A, range: week });
      expect(totals.requests).toBe(KNOWN_EXPECTED.a7d.requests + 1);
      expect(totals.costUsd).toBeCloseTo(KNOWN_EXPECTED.a7d.costUsd + 0.000008, 12);
      const users = await store.service.topUsers({ projectId: PROJECT_A, range: week });
      expect(users.find((u) => u.group === 'carol')).toMatchObject({ requests: 3 });
      const byUser = await store.service.analytics({ projectId: PROJECT_A, range: week, groupBy: 'user', bucket: 'hour' });
      expect(byUser.rows.filter((r) => r.group === 'carol').reduce((n, r) => n + r.requests, 0)).toBe(3);
    };
    await expectOneMore();
    // The same span again, and one the base already holds: the day is read with FINAL, same answer.
    await store.insert([late, carol]);
    expect((await planSource(ctx, PROJECT_A, validRange(week), { rollups: true, hourly: false })).rows.some((r) => r.final && !r.where.includes('_part'))).toBe(true);
    await expectOneMore();
  });

  it('queries queue the maintenance themselves: days get compacted and rolled up in the background', async () => {
    const ctx = queryContext(store.client, store.database);
    await store.insert(store.spans.filter((s) => s.projectId === PROJECT_A).slice(0, 20));
    expect([...(await dayParts(ctx, validRange(week))).values()].every(isSettled)).toBe(false);
    const service = new QueryService({ client: store.client, database: store.database });
    try {
      const before = await service.analytics({ projectId: PROJECT_A, range: week, groupBy: 'model' });
      await service.maintenance.idle();
      const days = await dayParts(ctx, validRange(week));
      expect([...days.values()].every(isSettled)).toBe(true);
      const bases = new Map([...days].map(([day, parts]) => [day, parts.base!]));
      expect((await validBuilds(ctx, validRange(week), bases)).size).toBe(bases.size);
      const after = await service.analytics({ projectId: PROJECT_A, range: week, groupBy: 'model' });
      expectSameResult(after, before);
    } finally {
      await service.close();
    }
  });
});
