// The explainer wired into alert notifications (explainer-findings.ts), on the real engine with
// generated traffic: a notification for the window after a planted prompt change carries that
// change as its first finding, with its dollars and an absolute link into the request list.
import { loadTraffic, TrafficGenerator } from '@tokentrace/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryContext } from '../queries/query-context.js';
import { startQueryStore, type QueryStore } from '../queries/testing/query-store.js';
import { Explainer } from '../insights/explain/index.js';
import { explainerFindings, NOTIFICATION_FINDINGS } from './explainer-findings.js';

const PLANTED = { project: 'acme', seed: 11, days: 35, requestsPerHour: 150, agentSpans: false };

describe('alert findings from the explainer', () => {
  let store: QueryStore;
  let traffic: TrafficGenerator;

  beforeAll(async () => {
    store = await startQueryStore({ load: false });
    traffic = new TrafficGenerator(PLANTED);
    await loadTraffic({ client: store.client, database: store.database }, traffic);
  }, 180_000);
  afterAll(async () => {
    await store?.stop();
  });

  it('tells the planted prompt change first, with dollars and a dashboard link', async () => {
    const event = traffic.events.find((e) => e.kind === 'prompt-input-doubling')!;
    const explain = explainerFindings(new Explainer(queryContext(store.client, store.database)), () => 'http://dash.example/dashboard');
    const findings = await explain(PLANTED.project, { from: new Date(event.period.fromMs), to: new Date(event.period.toMs) });
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.length).toBeLessThanOrEqual(NOTIFICATION_FINDINGS);
    expect(findings[0].summary).toContain(event.group);
    expect(findings[0].impactUsd).toBeGreaterThan(0);
    expect(findings[0].link).toMatch(/^http:\/\/dash\.example\/dashboard\/#\/requests\?/);
    // Another project's window has nothing to explain.
    expect(await explain('nobody', { from: new Date(event.period.fromMs), to: new Date(event.period.toMs) })).toEqual([]);
  }, 60_000);
});
