// Anomaly rules on generated traffic (test/src/traffic, deterministic from its seed) on the real
// embedded engine: a month of stable seasonal traffic raises no anomaly alert; the planted
// system-prompt change (input tokens per request ×2 for one prompt at a known hour) fires once,
// for that prompt only, within two hours of the change, and stays firing while the shift lasts.
import { loadTraffic, TrafficGenerator } from '@tokentrace/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALERTS_CONFIG } from '../config/alerts-config.js';
import { startQueryStore, type QueryStore } from '../queries/testing/query-store.js';
import { AlertService } from './alert-service.js';
import type { SchedulerClock } from './alert-scheduler.js';
import type { AlertNotification } from './notification.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let store: QueryStore;
let now = Date.UTC(2026, 10, 2);
const clock: SchedulerClock = { now: () => now, setTimeout: () => undefined, clearTimeout: () => undefined };
let stable: TrafficGenerator;
let planted: TrafficGenerator;

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  stable = new TrafficGenerator({ seed: 11, days: 30, requestsPerHour: 60, project: 'p-stable', events: false, agentSpans: false });
  planted = new TrafficGenerator({ seed: 12, days: 12, requestsPerHour: 60, project: 'p-planted', agentSpans: false });
  await loadTraffic({ client: store.client, database: store.database }, stable);
  await loadTraffic({ client: store.client, database: store.database }, planted);
}, 300_000);

afterAll(async () => {
  await store?.stop();
}, 60_000);

function service(): AlertService {
  return new AlertService({ client: store.client, database: store.database, config: DEFAULT_ALERTS_CONFIG, dashboardBase: 'http://dash.example/dashboard/', clock, log: () => undefined });
}

/** Hourly windows judged from 10 requests (at 60 requests an hour a prompt has 5–30). */
const anomalyRule = (id: string, metric: string, groupBy: string) => ({ id, metric, window: '1h', groupBy, minRequests: 10, repeatInterval: '0m', condition: { type: 'anomaly' }, channels: [] });

/** Every round from `fromMs` to `toMs` (exclusive) every `stepMs`; the notifications of `project`. */
async function rounds(alerts: AlertService, project: string, fromMs: number, toMs: number, stepMs: number): Promise<AlertNotification[]> {
  const sent: AlertNotification[] = [];
  for (let t = fromMs; t < toMs; t += stepMs) {
    now = t;
    const report = await alerts.evaluateNow();
    expect(report.failures).toEqual([]);
    sent.push(...report.notifications.filter((n) => n.projectId === project));
  }
  return sent;
}

describe('anomaly rules', () => {
  it('stay quiet on 30 days of stable seasonal traffic (tokens per request by prompt, p95 latency by feature, error rate by model)', async () => {
    const alerts = service();
    await alerts.createRule('p-stable', anomalyRule('tokens', 'tokens_per_request', 'prompt_id'));
    await alerts.createRule('p-stable', anomalyRule('latency', 'latency_p95', 'property:Feature'));
    await alerts.createRule('p-stable', anomalyRule('errors', 'error_rate', 'model'));
    // From the day the 7-day baseline is full to the end, every 7 hours (all hours of the day over time).
    const start = stable.startMs + 8 * DAY;
    const sent = await rounds(alerts, 'p-stable', start, stable.startMs + 30 * DAY, 7 * HOUR);
    expect(sent.map((n) => n.message)).toEqual([]);
    // The rules were judged, not skipped: the groups had their normal.
    now = stable.startMs + 20 * DAY + 15 * HOUR;
    const judged = await alerts.testRule('p-stable', 'tokens');
    expect(judged.groups.length).toBeGreaterThanOrEqual(8);
    expect(judged.groups.every((g) => !g.breached)).toBe(true);
    await alerts.stop();
  }, 300_000);

  it('fire once, for the prompt whose input tokens per request doubled, within two hours of the change', async () => {
    const event = planted.events.find((e) => e.kind === 'prompt-input-doubling')!;
    expect(event).toMatchObject({ dimension: 'prompt_id', group: 'triage-classifier-v1' });
    const alerts = service();
    await alerts.createRule('p-planted', anomalyRule('tokens', 'tokens_per_request', 'prompt_id'));
    const before = await rounds(alerts, 'p-planted', event.atMs - 6 * HOUR, event.atMs + HOUR, HOUR);
    expect(before.map((n) => n.message)).toEqual([]); // nothing before the change is a full hour old
    const after = await rounds(alerts, 'p-planted', event.atMs + HOUR, event.atMs + 12 * HOUR, HOUR);
    expect(after.map((n) => [n.event, n.group?.value])).toEqual([['firing', 'triage-classifier-v1']]);
    const [fired] = after;
    // Within two hours of the change (an hour of the new level is the least a 1h window can show).
    expect(Date.parse(fired.time) - event.atMs).toBeGreaterThanOrEqual(HOUR);
    expect(Date.parse(fired.time) - event.atMs).toBeLessThanOrEqual(2 * HOUR);
    expect(fired.value! / fired.threshold!).toBeGreaterThan(1.5); // about ×2 (input tokens dominate the prompt's tokens)
    expect(fired.message).toMatch(/^Tokens per request for prompt_id triage-classifier-v1 moved away from its normal: [\d,.]+ over the last 1h against [\d,.]+ over the 7 days before \(\+\d+ %, robust z \d+\.\d\)\.$/);
    await alerts.stop();
  }, 300_000);
});
