// The explainer on the real engine (ClickHouse 26.7 through chdb) with generated traffic: each
// planted event found (right dimension and group, hour within ±1 h, size within ±10 %) and ranked
// first by dollars in its own comparison; stable seasonal traffic gives no finding; the
// decomposition's parts add up to Δcost; every read is for one project.
import { loadTraffic, TrafficGenerator, type PlantedEvent } from '@tokentrace/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryContext } from '../../queries/query-context.js';
import { QueryError } from '../../queries/query-error.js';
import { startQueryStore, type QueryStore } from '../../queries/testing/query-store.js';
import { DRIVERS, Explainer, type ExplainResult } from './index.js';

const DAY = 86_400_000;
const PLANTED = { project: 'acme', seed: 11, days: 35, requestsPerHour: 150, agentSpans: false };
const STABLE = { project: 'steady', seed: 12, days: 30, requestsPerHour: 150, events: false, agentSpans: false };

describe('Explainer on generated traffic', () => {
  let store: QueryStore;
  let explainer: Explainer;
  let planted: TrafficGenerator;
  let stable: TrafficGenerator;

  beforeAll(async () => {
    store = await startQueryStore({ load: false });
    planted = new TrafficGenerator(PLANTED);
    stable = new TrafficGenerator(STABLE);
    await loadTraffic({ client: store.client, database: store.database }, planted);
    await loadTraffic({ client: store.client, database: store.database }, stable);
    explainer = new Explainer(queryContext(store.client, store.database));
  }, 180_000);
  afterAll(async () => {
    await store?.stop();
  });

  const matches = (e: PlantedEvent, r: ExplainResult) => {
    const top = r.findings[0];
    if (process.env.EXPLAIN_DEBUG) console.log(e.kind, r.findings.map((f) => f.sentence));
    expect(top, `${e.kind}: ${r.findings.map((f) => f.sentence).join('\n')}`).toBeDefined();
    expect({ dimension: top.dimension, group: top.group, metric: top.metric }, e.kind).toEqual({ dimension: e.dimension.toLowerCase(), group: e.group, metric: e.metric });
    return top;
  };

  for (const kind of ['prompt-input-doubling', 'user-surge', 'model-switch'] as const) {
    it(`finds the planted ${kind} at its hour, its size within 10 %, ranked first by dollars`, async () => {
      const event = planted.events.find((e) => e.kind === kind)!;
      const result = await explainer.explain({ projectId: PLANTED.project, period: event.period, baseline: event.baseline });
      const top = matches(event, result);
      expect(top.kind).toBe('step');
      expect(Math.abs(Date.parse(top.at!) - event.atMs)).toBeLessThanOrEqual(3_600_000);
      expect(top.ratio / event.ratio).toBeGreaterThan(0.9);
      expect(top.ratio / event.ratio).toBeLessThan(1.1);
      expect(top.impactUsd).toBeGreaterThan(0);
      expect(top.sentence).toMatch(/rose/);
      expect(top.link).toContain(encodeURIComponent(top.filter).replace(/%20/g, '+'));
    });
  }

  it('finds the planted slow output drift, its period-over-baseline size within 10 %, ranked first', async () => {
    const event = planted.events.find((e) => e.kind === 'output-drift')!;
    const result = await explainer.explain({ projectId: PLANTED.project, period: event.period, baseline: event.baseline });
    const top = matches(event, result);
    expect(top.kind).not.toBe('level');
    expect(Date.parse(top.at!)).toBeGreaterThanOrEqual(event.atMs);
    expect(top.periodLevel / top.baselineLevel / event.expectedRatio).toBeGreaterThan(0.9);
    expect(top.periodLevel / top.baselineLevel / event.expectedRatio).toBeLessThan(1.1);
  });

  it('says the issue\'s sentence for a prompt whose input doubled', async () => {
    const event = planted.events.find((e) => e.kind === 'prompt-input-doubling')!;
    const [top] = (await explainer.explain({ projectId: PLANTED.project, period: event.period, baseline: event.baseline })).findings;
    expect(top.sentence).toMatch(/^cost per request for prompt triage-classifier-v1 rose \d+ % at Tue 11-10 14:00 UTC: input tokens per request 5\d\d → (9\d\d|1,0\d\d) \(system prompt grew\?\)/);
    expect(top.filter).toBe('prompt_id = "triage-classifier-v1"');
  });

  it('reports the model nobody used before the switch as new', async () => {
    const event = planted.events.find((e) => e.kind === 'model-switch')!;
    const result = await explainer.explain({ projectId: PLANTED.project, period: event.period, baseline: event.baseline });
    expect(result.newThings[0]).toMatchObject({ dimension: 'model', group: 'gpt-4o' });
    expect(result.vanished[0]).toMatchObject({ dimension: 'model', group: 'gpt-4o-mini' });
  });

  it('finds nothing in 30 days of stable seasonal traffic (week over week, and half over half)', async () => {
    const start = stable.startMs;
    const comparisons = [
      { period: { fromMs: start + 23 * DAY, toMs: start + 30 * DAY }, baseline: { fromMs: start + 16 * DAY, toMs: start + 23 * DAY } },
      { period: { fromMs: start + 16 * DAY, toMs: start + 30 * DAY }, baseline: { fromMs: start + 2 * DAY, toMs: start + 16 * DAY } },
    ];
    for (const c of comparisons) {
      const result = await explainer.explain({ projectId: STABLE.project, ...c });
      expect(result.findings.map((f) => f.sentence)).toEqual([]);
      expect(result.newThings).toEqual([]);
      expect(result.totals.period.requests).toBeGreaterThan(0);
    }
  });

  it('splits Δcost into parts that add up to it in every dimension, and to the spans\' own costs', async () => {
    // The cost of each hour, from the generated spans themselves.
    const hourly = new Map<number, number>();
    for (const traffic = new TrafficGenerator(PLANTED); !traffic.done;) {
      for (const s of traffic.records(50_000)) {
        const hour = Math.floor(Number(s.startTimeUnixNano / 1_000_000n) / 3_600_000);
        hourly.set(hour, (hourly.get(hour) ?? 0) + (s.cost?.totalUsd ?? 0));
      }
    }
    const costIn = (r: { fromMs: number; toMs: number }) => [...hourly].filter(([h]) => h * 3_600_000 >= r.fromMs && h * 3_600_000 < r.toMs).reduce((sum, [, c]) => sum + c, 0);
    for (const event of planted.events) {
      const result = await explainer.explain({ projectId: PLANTED.project, period: event.period, baseline: event.baseline });
      expect(result.totals.deltaUsd).toBeCloseTo(costIn(event.period) - costIn(event.baseline), 9);
      expect(result.dimensions.map((d) => d.dimension)).toEqual(['environment', 'model', 'prompt_id', 'property:feature', 'service', 'user']);
      for (const d of result.dimensions) {
        const sum = DRIVERS.reduce((s, k) => s + d.drivers[k], 0);
        expect(Math.abs(sum - result.totals.deltaUsd), d.dimension).toBeLessThan(1e-9 * result.totals.period.costUsd);
        for (const g of d.groups) expect(Math.abs(DRIVERS.reduce((s, k) => s + g.drivers[k], 0) - g.deltaUsd)).toBeLessThan(1e-9 * result.totals.period.costUsd);
      }
    }
    // The doubling shows as input tokens of the prompt, the switch as price in the feature.
    const doubling = await explainer.explain({ projectId: PLANTED.project, ...pick(planted.events, 'prompt-input-doubling') });
    const prompt = doubling.dimensions.find((d) => d.dimension === 'prompt_id')!.groups.find((g) => g.group === 'triage-classifier-v1')!;
    expect(prompt.drivers.input_tokens).toBeGreaterThan(0.8 * prompt.deltaUsd);
    const switched = await explainer.explain({ projectId: PLANTED.project, ...pick(planted.events, 'model-switch') });
    const feature = switched.dimensions.find((d) => d.dimension === 'property:feature')!.groups.find((g) => g.group === 'search')!;
    expect(feature.drivers.price).toBeGreaterThan(0.9 * feature.deltaUsd);
  });

  it('reads one project only', async () => {
    const event = pick(planted.events, 'user-surge');
    const other = await explainer.explain({ projectId: 'nobody', ...event });
    expect(other.totals.period.requests).toBe(0);
    expect(other.findings).toEqual([]);
    const steady = await explainer.explain({ projectId: STABLE.project, period: { fromMs: stable.startMs + 20 * DAY, toMs: stable.startMs + 22 * DAY }, baseline: { fromMs: stable.startMs + 13 * DAY, toMs: stable.startMs + 15 * DAY } });
    expect(steady.dimensions.find((d) => d.dimension === 'user')!.groups.every((g) => g.baseline.requests + g.period.requests > 0)).toBe(true);
    const acme = await explainer.explain({ projectId: PLANTED.project, period: { fromMs: stable.startMs + 20 * DAY, toMs: stable.startMs + 22 * DAY }, baseline: { fromMs: stable.startMs + 13 * DAY, toMs: stable.startMs + 15 * DAY } });
    expect(acme.totals.period.costUsd).not.toBe(steady.totals.period.costUsd);
  });

  it('refuses overlapping windows, bad dimensions and bad projects with TOKENTRACE_INVALID_QUERY', async () => {
    const period = { fromMs: planted.startMs + 10 * DAY, toMs: planted.startMs + 12 * DAY };
    await expect(explainer.explain({ projectId: 'acme', period, baseline: { fromMs: period.fromMs - DAY, toMs: period.toMs - DAY } })).rejects.toThrow(QueryError);
    await expect(explainer.explain({ projectId: 'acme', period, baseline: { fromMs: 0, toMs: 1 } })).rejects.toThrow(/400 days/);
    await expect(explainer.explain({ projectId: 'acme', period, baseline: { fromMs: period.fromMs - 2 * DAY, toMs: period.fromMs }, by: ['model; DROP'] })).rejects.toThrow(QueryError);
    await expect(explainer.explain({ projectId: '', period, baseline: { fromMs: period.fromMs - 2 * DAY, toMs: period.fromMs } })).rejects.toThrow(QueryError);
  });

  it('explains by the dimensions asked for only, property names case-insensitive', async () => {
    const result = await explainer.explain({ projectId: PLANTED.project, ...pick(planted.events, 'model-switch'), by: ['property:FEATURE'] });
    expect(result.dimensions.map((d) => d.dimension)).toEqual(['property:feature']);
    expect(result.findings[0]).toMatchObject({ dimension: 'property:feature', group: 'search', metric: 'cost_per_request' });
  });
});

function pick(events: PlantedEvent[], kind: PlantedEvent['kind']) {
  const e = events.find((x) => x.kind === kind)!;
  return { period: e.period, baseline: e.baseline };
}
