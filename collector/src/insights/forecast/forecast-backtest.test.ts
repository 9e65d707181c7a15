/**
 * Backtests over the traffic generator's months (issue 13: "forecast backtests over the
 * generator's months report interval coverage (the 80 % interval holds the truth in ≥ 80 % of
 * backtest days) and mean absolute percentage error"), on the real engine: the traffic is loaded,
 * its daily spend read back, and the forecast made at the end of every day of each complete
 * month is compared with that month's actual spend.
 *
 * - Stable traffic (daily and weekly cycles, Poisson volume, no planted event), September to
 *   November 2026: the 80 % interval must hold the truth on ≥ 80 % of days.
 * - Traffic with the planted events (a user ×20 on day 16, a feature moved to a 16.7× pricier model
 *   on day 24: steps of about +25 % and +35 % in total spend that nothing before them announces):
 *   coverage and MAPE are reported; before a step the forecast cannot know it, and a step needs a
 *   few days at its new level to be told from noise (daily-model.ts: level shifts), so only the
 *   forecasts from the third day after the last step on are held to the interval.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTraffic, TrafficGenerator } from '@tokentrace/test';
import { startQueryStore, type QueryStore } from '../../queries/testing/query-store.js';
import { backtestStored } from './stored-backtest.js';

const SEPT_1 = Date.UTC(2026, 8, 1);
let store: QueryStore;
let stable: TrafficGenerator;
let planted: TrafficGenerator;

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  stable = new TrafficGenerator({ seed: 5, startMs: SEPT_1, days: 91, requestsPerHour: 30, events: false, agentSpans: false, project: 'bt-stable' });
  planted = new TrafficGenerator({ seed: 1, days: 35, requestsPerHour: 30, agentSpans: false, project: 'bt-events' });
  await loadTraffic({ client: store.client, database: store.database }, stable);
  await loadTraffic({ client: store.client, database: store.database }, planted);
}, 180_000);
afterAll(async () => {
  await store?.stop();
});

const fmt = (r: { days: number; coverage80: number; coverage95: number; mape: number }) =>
  `days=${r.days} coverage_80=${r.coverage80.toFixed(3)} coverage_95=${r.coverage95.toFixed(3)} mape=${(r.mape * 100).toFixed(2)} %`;

describe('forecast backtests over generated months', () => {
  it('stable traffic, September–November: the 80 % interval holds the month-end truth on ≥ 80 % of days', async () => {
    const result = await backtestStored({ client: store.client, database: store.database }, 'bt-stable', { fromMs: stable.startMs, toMs: stable.endMs });
    console.log(`backtest, stable generated traffic (3 months, calendar months): ${fmt(result)}`);
    expect(result.periods).toBe(3);
    expect(result.days).toBe(29 + 30 + 29);
    expect(result.coverage80).toBeGreaterThanOrEqual(0.8);
    expect(result.coverage95).toBeGreaterThanOrEqual(result.coverage80);
    expect(result.mape).toBeLessThan(0.1);
  });

  it('planted events, billing from the 2nd: reported; from three days after the last step the interval holds the truth', async () => {
    const result = await backtestStored({ client: store.client, database: store.database }, 'bt-events', { fromMs: planted.startMs, toMs: planted.endMs, billingDay: 2 });
    console.log(`backtest, generated traffic with planted events (Nov 2 – Dec 2, billing day 2): ${fmt(result)}`);
    expect(result.periods).toBe(1);
    expect(result.days).toBe(29);
    const settled = new Date(planted.events.find((e) => e.kind === 'model-switch')!.atMs + 3 * 86_400_000).toISOString().slice(0, 10);
    const after = result.points.filter((p) => p.asOf >= settled);
    expect(after.map((p) => p.asOf)).toEqual(['2026-11-29', '2026-11-30']);
    for (const p of after) expect(p.low80 <= p.truthUsd && p.truthUsd <= p.high80, `as of ${p.asOf}: ${p.low80}–${p.high80} vs ${p.truthUsd}`).toBe(true);
  });
});
