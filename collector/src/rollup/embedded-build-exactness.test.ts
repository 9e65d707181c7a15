// On the embedded engine the usage rollup has no grace (rollupGraceMs): a build reads its
// built_at, then waits until every write then in flight has ended (engine-writes.ts,
// usage-rollup-build.ts buildStamp). Modelled here: a write in flight whose dirty-hours mark is
// stored before its spans are committed (what a long insert does: the marking view runs on each
// block as it goes, the spans are readable when the insert ends). The mark is stored, the build
// reads its built_at after it, and only then are the spans committed (the marking view detached,
// so that they add no later mark). The build must hold them: read with no grace, the rollup
// answers what spans FINAL answers. Synchronised through the build's own call to settled(),
// never through time. Also: the builder runs its next round at once while catching up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import { cleanBuild, embeddedWrites, readRollupState, rollupGraceMs, staleHours } from '@tokentrace/processors';
import { chatCall } from '../queries/testing/known-spans.js';
import { startQueryStore, type QueryStore } from '../queries/testing/query-store.js';
import { QueryService } from '../queries/query-service.js';
import { RollupBuilder, type RollupRound } from './rollup-builder.js';
import { DEFAULT_ROLLUP_CONFIG } from './rollup-config.js';

const HOUR = 3_600_000;
const DAY0 = Date.UTC(2026, 10, 1);
let store: QueryStore;

const call = (project: string, i: number, startMs: number) => chatCall(project, i, startMs, 'e');

beforeAll(async () => {
  store = await startQueryStore({ load: false });
});

afterAll(async () => {
  await store?.stop();
});

describe('rollup builds on the embedded engine', () => {
  it('have no grace there, the configured one on a server', () => {
    expect(rollupGraceMs(store.client, 60_000)).toBe(0);
    expect(rollupGraceMs({} as ClickHouseClient, 60_000)).toBe(60_000);
  });

  it('wait for the writes in flight when they start: an insert marked before built_at and committed after is in the build', async () => {
    const { client, database: db } = store;
    const writes = embeddedWrites(client)!;
    const hourS = (DAY0 + 3 * HOUR) / 1000;
    await store.insert([call('x', 1, DAY0 + 3 * HOUR + 60_000)]);
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let marked = () => undefined as void;
    const markStored = new Promise<void>((resolve) => (marked = resolve));
    const inFlight = writes.track(
      (async () => {
        await client.command({ query: `INSERT INTO ${db}.dirty_hours (project_id, hour, changed_at) SELECT 'x', toDateTime(${hourS}, 'UTC'), now64(6, 'UTC')` });
        marked();
        await gate;
        await client.command({ query: `DETACH TABLE ${db}.dirty_hours_mv` });
        try {
          await store.insert([call('x', 2, DAY0 + 3 * HOUR + 120_000)]);
        } finally {
          await client.command({ query: `ATTACH TABLE ${db}.dirty_hours_mv` });
        }
      })(),
    );
    await markStored;
    // The build reads built_at, then calls settled(): the write above is released only then.
    const settled = writes.settled.bind(writes);
    let stamped = () => undefined as void;
    const buildStamped = new Promise<void>((resolve) => (stamped = resolve));
    writes.settled = () => (stamped(), settled());
    const builder = new RollupBuilder({ client, database: db, config: DEFAULT_ROLLUP_CONFIG });
    try {
      const round = builder.round();
      await Promise.race([buildStamped, round]);
      release();
      expect(await round).toMatchObject({ hours: 1, days: 1 });
      await inFlight;
    } finally {
      writes.settled = settled;
    }
    const state = await readRollupState(client, db, 'x', DAY0 / 1000, DAY0 / 1000 + 86_400);
    expect(cleanBuild(state, 'hour', hourS, 'model', 0)).toBeTruthy();
    expect(cleanBuild(state, 'day', DAY0 / 1000, 'model', 0)).toBeTruthy();
    const range = { from: new Date(DAY0), to: new Date(DAY0 + 24 * HOUR) };
    const withRollup = await new QueryService({ client, database: db, rollup: { graceMs: 0 } }).analytics({ projectId: 'x', range, groupBy: 'model' });
    const spansOnly = await new QueryService({ client, database: db, rollup: false }).analytics({ projectId: 'x', range, groupBy: 'model' });
    expect(spansOnly.totals.requests).toBe(2);
    expect(withRollup).toEqual(spansOnly);
  });

  it('run the next round at once while catching up (several ended hours stale)', async () => {
    await store.insert(Array.from({ length: 5 }, (_, h) => call('y', 10 + h, DAY0 + h * HOUR)));
    const rounds: RollupRound[] = [];
    let twoRounds = () => undefined as void;
    const done = new Promise<void>((resolve) => (twoRounds = resolve));
    // An hour between rounds: the second round comes from catching up; after it one ended hour
    // is left, which is not catching up, so it waits for the interval.
    const builder = new RollupBuilder({
      client: store.client,
      database: store.database,
      config: { ...DEFAULT_ROLLUP_CONFIG, intervalMs: 3_600_000, hoursPerRound: 2 },
      onRound: (r) => (rounds.push(r), rounds.length === 2 ? twoRounds() : undefined),
    });
    builder.start();
    await done;
    await builder.stop();
    expect(rounds.map((r) => [r.hours, r.catchingUp])).toEqual([
      [2, true],
      [2, true],
    ]);
    expect(await staleHours(store.client, store.database, 0, 100)).toEqual([{ projectId: 'y', start: (DAY0 + 4 * HOUR) / 1000 }]);
  });
});
