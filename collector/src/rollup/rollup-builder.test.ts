// The builder on the real engine: a scheduled round builds every stale hour of every project,
// oldest first and a few hours per statement, then the days whose hours are all clean; a second
// round has nothing to do; stop() ends the schedule; on the embedded engine a statement waits for
// the reads in flight and, near reads, builds 6 hours. The grace is 0 (see rollup-read.test.ts),
// and the tests wait for rounds through `onRound` and for reads through explicit promises, never
// for time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedReads, readRollupState, staleDays, staleHours } from '@tokentrace/processors';
import { chatCall } from '../queries/testing/known-spans.js';
import { startQueryStore, type QueryStore } from '../queries/testing/query-store.js';
import { RollupBuilder, type RollupRound } from './rollup-builder.js';
import { DEFAULT_ROLLUP_CONFIG } from './rollup-config.js';

const HOUR = 3_600_000;
const DAY0 = Date.UTC(2026, 9, 1);
let store: QueryStore;

const call = (project: string, i: number, startMs: number) => chatCall(project, i, startMs, 'c');

/**
 * Holds a read in flight on the store's engine (explicitly, until endRead) and signals when the
 * builder reaches its wait for the reads (`waiting`); restore() undoes both.
 */
function holdReadInFlight(client: QueryStore['client']) {
  const reads = embeddedReads(client)!;
  let endRead: () => void = () => undefined;
  void reads.track(new Promise<void>((resolve) => (endRead = resolve)));
  let reachedWait: () => void = () => undefined;
  const waiting = new Promise<void>((resolve) => (reachedWait = resolve));
  const quiet = reads.quiet.bind(reads);
  reads.quiet = (...args) => (reachedWait(), quiet(...args));
  const restore = () => {
    reads.quiet = quiet;
    endRead();
  };
  return { endRead: () => endRead(), waiting, restore };
}

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  // Project p1: every hour of one whole day and two hours of the next; p2: one hour.
  await store.insert([...Array.from({ length: 26 }, (_, h) => call('p1', h, DAY0 + h * HOUR + 60_000)), call('p2', 99, DAY0 + 5 * HOUR)]);
});

afterAll(async () => {
  await store?.stop();
});

describe('RollupBuilder', () => {
  it('builds every stale hour of every project on its schedule, then the whole days, and stops', async () => {
    const rounds: RollupRound[] = [];
    let roundDone: () => void = () => undefined;
    const builder = new RollupBuilder({
      client: store.client,
      database: store.database,
      config: { ...DEFAULT_ROLLUP_CONFIG, graceMs: 0, hoursPerStatement: 10, intervalMs: 1000 },
      onRound: (r) => (rounds.push(r), roundDone()),
    });
    const first = new Promise<void>((resolve) => (roundDone = resolve));
    builder.start();
    await first;
    await builder.stop();
    expect(rounds[0]).toMatchObject({ hours: 27, days: 3 }); // p1's two days (the second one's hours are all clean too) and p2's day
    expect(await staleHours(store.client, store.database, 0, 100)).toEqual([]);
    expect(await staleDays(store.client, store.database, 0, 100)).toEqual([]);
    const state = await readRollupState(store.client, store.database, 'p1', DAY0 / 1000, DAY0 / 1000 + 2 * 86_400);
    expect([state.builds.hour.size, state.builds.day.size]).toEqual([26, 2]);
    expect(await builder.round()).toMatchObject({ hours: 0, days: 0 });
  });

  it('rebuilds the hours and days built without a property configured since', async () => {
    const builder = new RollupBuilder({ client: store.client, database: store.database, config: { ...DEFAULT_ROLLUP_CONFIG, graceMs: 0, properties: ['Feature'] } });
    expect(await staleHours(store.client, store.database, 0, 100)).toEqual([]);
    expect(await staleHours(store.client, store.database, 0, 100, ['feature'])).toHaveLength(27);
    expect(await builder.round()).toMatchObject({ hours: 27, days: 3 });
    const state = await readRollupState(store.client, store.database, 'p2', DAY0 / 1000, DAY0 / 1000 + 86_400);
    expect(state.builds.day.get(DAY0 / 1000)!.dims).toContain('property:feature');
  });

  it('limits a round to hoursPerRound, oldest first', async () => {
    await store.insert([call('p3', 1, DAY0 + 30 * HOUR), call('p3', 2, DAY0 + 20 * HOUR), call('p3', 3, DAY0 + 40 * HOUR)]);
    const builder = new RollupBuilder({ client: store.client, database: store.database, config: { ...DEFAULT_ROLLUP_CONFIG, graceMs: 0, hoursPerRound: 2, properties: ['feature'] } });
    expect(await builder.round()).toMatchObject({ hours: 2 });
    expect(await staleHours(store.client, store.database, 0, 100, ['feature'])).toEqual([{ projectId: 'p3', start: (DAY0 + 40 * HOUR) / 1000 }]);
    expect(await builder.round()).toMatchObject({ hours: 1 });
  });

  it('gives way to a read in flight before each statement, and builds 6 hours a statement near reads', async () => {
    await store.insert(Array.from({ length: 8 }, (_, h) => call('p4', h, DAY0 + (50 + h) * HOUR)));
    const { endRead, waiting, restore } = holdReadInFlight(store.client);
    try {
      const builder = new RollupBuilder({
        client: store.client,
        database: store.database,
        config: { ...DEFAULT_ROLLUP_CONFIG, graceMs: 0, hoursPerStatement: 24, properties: ['feature'] },
        giveWayMs: 3_600_000,
      });
      let done = false;
      const round = builder.round().then((r) => ((done = true), r));
      await waiting;
      // Nothing built while the read is in flight (outside the builder: this look is a read too, and ends).
      expect(await staleHours(store.client, store.database, 0, 100, ['feature'])).toHaveLength(8);
      expect(done).toBe(false);
      endRead();
      // Reads ran just now: 6 hours a statement (HOURS_NEAR_READS), not 24.
      expect(await round).toMatchObject({ hours: 8, hourStatements: 2 });
      expect(await staleHours(store.client, store.database, 0, 100, ['feature'])).toEqual([]);
    } finally {
      restore();
    }
  });

  it('stop() ends its wait for the reads, and nothing more is built', async () => {
    await store.insert([call('p5', 1, DAY0 + 60 * HOUR)]);
    const { waiting, restore } = holdReadInFlight(store.client);
    try {
      const builder = new RollupBuilder({ client: store.client, database: store.database, config: { ...DEFAULT_ROLLUP_CONFIG, graceMs: 0, properties: ['feature'] }, giveWayMs: 3_600_000 });
      const round = builder.round();
      await waiting;
      await builder.stop();
      expect(await round).toMatchObject({ hours: 0, hourStatements: 0 });
      expect(await staleHours(store.client, store.database, 0, 100, ['feature'])).toEqual([{ projectId: 'p5', start: (DAY0 + 60 * HOUR) / 1000 }]);
    } finally {
      restore();
    }
  });
});
