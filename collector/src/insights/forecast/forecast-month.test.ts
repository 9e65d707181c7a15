/**
 * forecastMonth on the real embedded engine with generated traffic (test/src/traffic): the daily
 * spend it reads is exactly the generated spend, per project only; groups by feature and model
 * add up to the project; filters, budgets and bad options; a project without spans.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTraffic, TrafficGenerator } from '@tokentrace/test';
import type { SpanRecord } from '@tokentrace/processors';
import { parseFilter } from '../../queries/filter/index.js';
import { queryContext } from '../../queries/query-context.js';
import { startQueryStore, type QueryStore } from '../../queries/testing/query-store.js';
import { DAY_MS } from './daily-model.js';
import { readDailySpend } from './daily-spend.js';
import { forecastMonth } from './forecast-month.js';
import { formatForecastUsd } from './forecast-summary.js';
import { forecastGroup } from './period-forecast.js';

const START = Date.UTC(2026, 10, 2);
const NOW = new Date(Date.UTC(2026, 11, 6, 12));
let store: QueryStore;
/** Generated cost per UTC day (epoch day → USD) of project A's model calls. */
const truthA = new Map<number, number>();
let totalB = 0;

function dailyTruth(records: SpanRecord[], into: Map<number, number>): void {
  for (const r of records) {
    if (!r.genAi?.isModelCall) continue;
    const day = Math.floor(Number(r.startTimeUnixNano / 1_000_000n) / DAY_MS);
    into.set(day, (into.get(day) ?? 0) + (r.cost?.totalUsd ?? 0));
  }
}

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  // Project A: stable traffic up to 12:00 today; project B: ten times as much, planted events.
  const a = new TrafficGenerator({ seed: 21, startMs: START, days: 35, requestsPerHour: 20, events: false, agentSpans: false, project: 'fc-a' });
  const records = a.all().filter((r) => Number(r.startTimeUnixNano / 1_000_000n) < NOW.getTime());
  dailyTruth(records, truthA);
  await store.insert(records);
  const b = new TrafficGenerator({ seed: 22, startMs: START, days: 34, requestsPerHour: 200, agentSpans: false, project: 'fc-b' });
  await loadTraffic({ client: store.client, database: store.database }, b);
  totalB = b.costUsd;
}, 180_000);
afterAll(async () => {
  await store?.stop();
});

describe('forecastMonth on the engine', () => {
  it('reads exactly the generated daily spend of the project', async () => {
    const fromDay = START / DAY_MS - 3;
    const spend = await readDailySpend(queryContext(store.client, store.database), { projectId: 'fc-a', fromDay, toMs: NOW.getTime(), limit: 10 });
    expect(spend.total.startDay).toBe(fromDay);
    expect(spend.total.costs.length).toBe(NOW.getTime() / DAY_MS - fromDay + 0.5);
    spend.total.costs.forEach((cost, i) => expect(cost).toBeCloseTo(truthA.get(fromDay + i) ?? 0, 9));
    expect(spend.groups).toEqual([]);
  });

  it('forecasts the month from the spend so far, with intervals, per project only', async () => {
    const f = await forecastMonth({ client: store.client, database: store.database }, 'fc-a', { now: NOW });
    const decemberSoFar = [...truthA].filter(([d]) => d >= Date.UTC(2026, 11, 1) / DAY_MS).reduce((s, [, c]) => s + c, 0);
    expect(f.total.current).toMatchObject({ start: '2026-12-01', end: '2027-01-01', daysElapsed: 6, days: 31 });
    expect(f.total.current.spentUsd).toBeCloseTo(decemberSoFar, 9);
    expect(f.total.model).toMatchObject({ kind: 'log-linear', historyDays: 34, weekly: true });
    // Weekends at half (the generator's weekly cycle): Sunday and Saturday well below the weekdays.
    expect(f.total.model.weekdayFactors[0]).toBeLessThan(0.8);
    expect(f.total.model.weekdayFactors[3]).toBeGreaterThan(1.1);
    // A month of ≈ the recent daily run rate.
    const { dailyRunRateUsd } = f.total.model;
    expect(f.total.current.forecastUsd).toBeGreaterThan(decemberSoFar + 24 * dailyRunRateUsd);
    expect(f.total.current.forecastUsd).toBeLessThan(decemberSoFar + 27 * dailyRunRateUsd);
    expect(f.total.current.interval80.lowUsd).toBeLessThan(f.total.current.forecastUsd);
    expect(f.total.current.interval80.highUsd).toBeGreaterThan(f.total.current.forecastUsd);
    expect(f.total.next).toMatchObject({ start: '2027-01-01', end: '2027-02-01' });
    expect(f.summary).toMatch(/^Month-end forecast \$[\d,.]+ \(80 %: \$[\d,.]+–\$[\d,.]+\); \$[\d,.]+ spent so far$/);
    expect(f).toMatchObject({ projectId: 'fc-a', billingDay: 1, by: null, groups: [], budget: null, note: null, generatedAt: NOW.toISOString() });
    // The same as the model on the series it read: nothing but the read happens on the engine.
    const spend = await readDailySpend(queryContext(store.client, store.database), { projectId: 'fc-a', fromDay: Date.UTC(2026, 11, 1) / DAY_MS - 56, toMs: NOW.getTime(), limit: 10 });
    const { budget: _, ...pure } = forecastGroup(spend.total, { nowMs: NOW.getTime(), billingDay: 1 });
    expect(f.total).toEqual(pure);
    // Project B's ten-fold spend is nowhere in A's figures.
    const b = await forecastMonth({ client: store.client, database: store.database }, 'fc-b', { now: NOW });
    expect(b.total.current.spentUsd).toBeGreaterThan(5 * f.total.current.spentUsd);
    expect(totalB).toBeGreaterThan(5 * [...truthA.values()].reduce((x, y) => x + y, 0));
  });

  it('per feature and per model, the groups add up to the project', async () => {
    const store2 = { client: store.client, database: store.database };
    const byFeature = await forecastMonth(store2, 'fc-a', { now: NOW, by: 'property:Feature' });
    expect(byFeature.by).toBe('property:Feature');
    expect(byFeature.groups.map((g) => g.group).sort()).toEqual(['chat', 'codegen', 'search', 'summarize', 'triage']);
    expect(byFeature.groups[0].group).toBe('chat');
    const spent = byFeature.groups.reduce((s, g) => s + g.current.spentUsd, 0);
    expect(spent).toBeCloseTo(byFeature.total.current.spentUsd, 9);
    const forecastSum = byFeature.groups.reduce((s, g) => s + g.current.forecastUsd, 0);
    expect(forecastSum / byFeature.total.current.forecastUsd).toBeGreaterThan(0.97);
    expect(forecastSum / byFeature.total.current.forecastUsd).toBeLessThan(1.03);
    const byModel = await forecastMonth(store2, 'fc-a', { now: NOW, by: 'model', limit: 3 });
    expect(byModel.groups.map((g) => g.group)).toEqual(['claude-sonnet-4', 'o3-mini', 'gemini-2.5-flash', '(other)']);
    expect(byModel.groups.reduce((s, g) => s + g.current.spentUsd, 0)).toBeCloseTo(byModel.total.current.spentUsd, 9);
  });

  it('narrows to a filter and says when a budget runs out', async () => {
    const store2 = { client: store.client, database: store.database };
    const all = await forecastMonth(store2, 'fc-a', { now: NOW, by: 'property:Feature' });
    const chat = await forecastMonth(store2, 'fc-a', { now: NOW, filter: parseFilter('property.Feature = "chat"') });
    expect(chat.total.current.spentUsd).toBeCloseTo(all.groups.find((g) => g.group === 'chat')!.current.spentUsd, 9);
    const budgetUsd = Math.round(all.total.current.forecastUsd * 0.6);
    const tight = await forecastMonth(store2, 'fc-a', { now: NOW, budgetUsd });
    expect(tight.budget).toMatchObject({ budgetUsd, projectedToExceed: true, exhaustedOn: null });
    expect(tight.budget!.exceedProbability).toBeGreaterThan(0.95);
    expect(tight.budget!.runsOutOn! > '2026-12-06' && tight.budget!.runsOutOn! < '2026-12-31').toBe(true);
    expect(tight.summary).toContain(`; at this rate the ${formatForecastUsd(budgetUsd)} budget runs out on the ${Number(tight.budget!.runsOutOn!.slice(8))}`);
    const ample = await forecastMonth(store2, 'fc-a', { now: NOW, budgetUsd: all.total.current.forecastUsd * 2 });
    expect(ample.budget).toMatchObject({ projectedToExceed: false, runsOutOn: null, exceedProbability: 0 });
    expect(ample.summary).toMatch(/budget should last \(0 % chance of exceeding it\)$/);
    // Per group (budget alerts): each group against the same budget, only when asked.
    expect(all.groups.every((g) => g.budget === undefined)).toBe(true);
    const chatBudget = Math.round(all.groups.find((g) => g.group === 'chat')!.current.forecastUsd * 0.8);
    const perGroup = await forecastMonth(store2, 'fc-a', { now: NOW, by: 'property:Feature', budgetUsd: chatBudget, groupBudgets: true });
    for (const g of perGroup.groups) {
      expect(g.budget, g.group).toMatchObject({ budgetUsd: chatBudget, spentUsd: g.current.spentUsd, projectedToExceed: g.current.forecastUsd > chatBudget });
      expect(g.current, g.group).toEqual(all.groups.find((a) => a.group === g.group)!.current);
    }
    expect(perGroup.groups.find((g) => g.group === 'chat')!.budget!.projectedToExceed).toBe(true);
  });

  it('forecasts a billing period from the 15th, and nothing for a project without spans', async () => {
    const store2 = { client: store.client, database: store.database };
    const mid = await forecastMonth(store2, 'fc-a', { now: NOW, billingDay: 15 });
    expect(mid.total.current).toMatchObject({ start: '2026-11-15', end: '2026-12-15', daysElapsed: 22, days: 30 });
    expect(mid.summary).toMatch(/^Forecast for the billing period to 2026-12-15 \$/);
    const none = await forecastMonth(store2, 'no-such-project', { now: NOW });
    expect(none.total.current).toMatchObject({ spentUsd: 0, forecastUsd: 0 });
    expect(none.note).toBe('no spend recorded before today');
  });

  it('refuses bad options with the option named', async () => {
    const store2 = { client: store.client, database: store.database };
    await expect(forecastMonth(store2, 'fc-a', { billingDay: 29 })).rejects.toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY', field: 'billingDay' });
    await expect(forecastMonth(store2, 'fc-a', { budgetUsd: -1 })).rejects.toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY', field: 'budget' });
    await expect(forecastMonth(store2, 'fc-a', { limit: 0 })).rejects.toMatchObject({ field: 'limit' });
    await expect(forecastMonth(store2, '', {})).rejects.toMatchObject({ field: 'projectId' });
    await expect(forecastMonth(store2, 'fc-a', { by: 'bogus' as never })).rejects.toMatchObject({ field: 'groupBy' });
  });

  it('reuses the complete days read in the last 10 minutes: today\'s new spend shows at once, a late span for yesterday once read fresh', async () => {
    const store2 = { client: store.client, database: store.database };
    const spans = (day: number, usd: number) => new TrafficGenerator({ seed: 23, startMs: START, days: 35, requestsPerHour: 5, events: false, agentSpans: false, project: 'fc-cache' }).all()
      .filter((r) => r.genAi?.isModelCall && Math.floor(Number(r.startTimeUnixNano / 1_000_000n) / DAY_MS) === day).slice(0, 1)
      .map((r) => ({ ...r, spanId: `${r.spanId.slice(0, 12)}${day.toString(16).slice(-4).padStart(4, '0')}`, cost: { ...r.cost!, totalUsd: usd } }));
    const history = new TrafficGenerator({ seed: 23, startMs: START, days: 34, requestsPerHour: 5, events: false, agentSpans: false, project: 'fc-cache' }).all();
    await store.insert(history);
    const today = NOW.getTime() / DAY_MS - 0.5;
    const first = await forecastMonth(store2, 'fc-cache', { now: NOW, by: 'model' });
    await store.insert([...spans(today, 100), ...spans(today - 1, 1000)]);
    const cached = await forecastMonth(store2, 'fc-cache', { now: NOW, by: 'model' });
    expect(cached.total.current.spentUsd).toBeCloseTo(first.total.current.spentUsd + 100, 6);
    expect(cached.groups.reduce((s, g) => s + g.current.spentUsd, 0)).toBeCloseTo(cached.total.current.spentUsd, 6);
    const fresh = await forecastMonth(store2, 'fc-cache', { now: NOW, by: 'model', fresh: true });
    expect(fresh.total.current.spentUsd).toBeCloseTo(first.total.current.spentUsd + 1100, 6);
  });
});
