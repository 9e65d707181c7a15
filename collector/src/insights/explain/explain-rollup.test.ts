// The explainer through the usage rollup on the real engine: on generated traffic with planted
// events, an explainer that reads clean days and hours from the rollup (explain-source.ts) gives
// the answer of one that reads spans FINAL only — the same findings, decomposition, totals and
// figures, to the last bit — for the planted events' comparisons, windows whose ends cut hours,
// a week-over-week comparison with a gap, a property the rollup does not keep (read from spans)
// and then keeps, and after a batch re-sent once the rollup was built (its hours are read from
// spans until rebuilt). The builder runs with a grace of 0 (rollup-read.test.ts says why).
import { TrafficGenerator } from '@tokentrace/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanRecord } from '@tokentrace/processors';
import { queryContext } from '../../queries/query-context.js';
import { startQueryStore, type QueryStore } from '../../queries/testing/query-store.js';
import { RollupBuilder } from '../../rollup/rollup-builder.js';
import { DEFAULT_ROLLUP_CONFIG } from '../../rollup/rollup-config.js';
import { dimensionsOf, type ExplainScan } from './explain-sql.js';
import { explainSources } from './explain-source.js';
import { Explainer, type ExplainRequest } from './index.js';
import { QueryParams } from '@tokentrace/processors';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const TRAFFIC = { project: 'rolled', seed: 31, days: 35, requestsPerHour: 40, agentSpans: false };

describe('Explainer through the usage rollup', { timeout: 300_000 }, () => {
  let store: QueryStore;
  let traffic: TrafficGenerator;
  let spans: SpanRecord[];
  let raw: Explainer;
  let hybrid: Explainer;
  const builder = (properties: string[]) =>
    new RollupBuilder({ client: store.client, database: store.database, config: { ...DEFAULT_ROLLUP_CONFIG, graceMs: 0, hoursPerRound: 2000, properties } });

  beforeAll(async () => {
    store = await startQueryStore({ load: false });
    traffic = new TrafficGenerator(TRAFFIC);
    spans = traffic.all();
    await store.insert(spans);
    raw = new Explainer(queryContext(store.client, store.database));
    hybrid = new Explainer(queryContext(store.client, store.database, false, { graceMs: 0 }));
  }, 300_000);
  afterAll(async () => {
    await store?.stop();
  });

  const comparisons = (): ExplainRequest[] => {
    const start = traffic.startMs;
    const odd = 17 * 60_000 + 123; // window ends inside hours
    return [
      ...traffic.events.map((e) => ({ projectId: TRAFFIC.project, period: e.period, baseline: e.baseline })),
      { projectId: TRAFFIC.project, period: { fromMs: start + 20 * DAY + odd, toMs: start + 27 * DAY + odd }, baseline: { fromMs: start + 13 * DAY + odd, toMs: start + 20 * DAY + odd } },
      { projectId: TRAFFIC.project, period: { fromMs: start + 22 * DAY + 5 * HOUR, toMs: start + 24 * DAY }, baseline: { fromMs: start + 15 * DAY + 5 * HOUR, toMs: start + 17 * DAY } },
      { projectId: TRAFFIC.project, period: { fromMs: start + 30 * DAY, toMs: start + 35 * DAY }, baseline: { fromMs: start + 25 * DAY, toMs: start + 30 * DAY }, by: ['model', 'property:Feature'] },
    ];
  };

  /** How many of the comparison's builds the rollup answers from (0: spans only), for the default dimensions and `feature`. */
  const rolledBuilds = async (r: ExplainRequest) => {
    const scan: ExplainScan = { ctx: queryContext(store.client, store.database, false, { graceMs: 0 }), projectId: r.projectId, period: r.period, baseline: r.baseline };
    const sources = await explainSources(scan, dimensionsOf(undefined, ['feature'], new QueryParams()));
    return { windows: sources.windows?.plan.buildIds.length ?? 0, series: sources.series?.plan.buildIds.length ?? 0, rolled: [...(sources.windows?.rolled ?? [])].sort() };
  };

  const expectSameAnswers = async () => {
    let findings = 0;
    for (const r of comparisons()) {
      const expected = await raw.explain(r);
      findings += expected.findings.length;
      expect(await hybrid.explain(r), JSON.stringify(r)).toEqual(expected);
    }
    expect(findings).toBeGreaterThanOrEqual(traffic.events.length); // the comparisons find things: the equality is not of empty answers
  };

  it('before any build reads spans only; after a build without properties, reads the built-in dimensions from the rollup and feature from spans, with the same answers', async () => {
    const [first] = comparisons();
    expect(await rolledBuilds(first)).toEqual({ windows: 0, series: 0, rolled: [] });
    await builder([]).round();
    const used = await rolledBuilds(first);
    expect(used.windows).toBeGreaterThan(0);
    expect(used.series).toBeGreaterThan(used.windows); // hours only for the series
    expect(used.rolled).toEqual(['', 'environment', 'model', 'prompt_id', 'service', 'user']);
    await expectSameAnswers();
  });

  it('with feature kept by the rollup, reads it from the rollup too, with the same answers', async () => {
    await builder(['Feature']).round();
    expect((await rolledBuilds(comparisons()[0])).rolled).toContain('property:feature');
    await expectSameAnswers();
  });

  it('a batch re-sent after the build: its hours are read from spans until rebuilt, and the answers stay those of spans FINAL', async () => {
    const event = traffic.events[0];
    const resent = spans.filter((s) => {
      const ms = Number(s.startTimeUnixNano / 1_000_000n);
      return ms >= event.period.fromMs + 3 * HOUR && ms < event.period.fromMs + 6 * HOUR;
    });
    expect(resent.length).toBeGreaterThan(0);
    const before = await raw.explain({ projectId: TRAFFIC.project, period: event.period, baseline: event.baseline });
    const builtBefore = await rolledBuilds(comparisons()[0]);
    await store.insert(resent);
    const dirty = await rolledBuilds(comparisons()[0]);
    expect(dirty.series).toBeLessThan(builtBefore.series); // the re-sent hours come from spans now
    expect(await hybrid.explain({ projectId: TRAFFIC.project, period: event.period, baseline: event.baseline })).toEqual(before);
    await expectSameAnswers();
    await builder(['Feature']).round();
    expect((await rolledBuilds(comparisons()[0])).series).toBe(builtBefore.series);
    await expectSameAnswers();
  });
});
