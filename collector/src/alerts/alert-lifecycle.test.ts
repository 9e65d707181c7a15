// Alert rules end to end on the real embedded engine: model calls stored through the exporter,
// rounds evaluated at explicit times (no sleeps, no timers), notifications sent to a real HTTP
// receiver (the webhook's HMAC verified), a Slack-format receiver and a real SMTP server on
// loopback (smtp-server), history read back from ClickHouse.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_ALERTS_CONFIG, type AlertsConfig } from '../config/alerts-config.js';
import { startQueryStore, type QueryStore } from '../queries/testing/query-store.js';
import type { AlertCounterName } from './alert-counters.js';
import { AlertService } from './alert-service.js';
import type { SchedulerClock } from './alert-scheduler.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from './channels/webhook-channel.js';
import type { AlertNotification } from './notification.js';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from './testing/alert-receivers.js';
import { modelCalls } from './testing/alert-spans.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** A fixed, round time: every window below is relative to it. */
const T0 = Date.UTC(2026, 10, 16, 12, 0, 0);
const SECRET = 'whsec-0123456789abcdef';
const DASHBOARD = 'http://dash.example/dashboard/';

let store: QueryStore;
let http: HttpReceiver;
let smtp: SmtpReceiver;
let now = T0;
const counts = new Map<AlertCounterName, number>();
const clock: SchedulerClock = { now: () => now, setTimeout: () => undefined, clearTimeout: () => undefined };

function config(overrides: Partial<AlertsConfig> = {}): AlertsConfig {
  return {
    ...DEFAULT_ALERTS_CONFIG,
    smtp: { ...DEFAULT_ALERTS_CONFIG.smtp, host: '127.0.0.1', port: smtp.port, from: 'tokentrace <alerts@example.com>' },
    delivery: { ...DEFAULT_ALERTS_CONFIG.delivery, maxAttempts: 3, timeoutMs: 5_000 },
    ...overrides,
  };
}

function service(sleep: (ms: number) => Promise<void> = async () => undefined): AlertService {
  return new AlertService({
    client: store.client,
    database: store.database,
    config: config(),
    dashboardBase: DASHBOARD,
    clock,
    sleep,
    count: (name, n = 1) => counts.set(name, (counts.get(name) ?? 0) + n),
    log: () => undefined,
  });
}

/** A round at `at`; the notifications of `project` only (every test's rules are in its own project, all in one store). */
async function round(alerts: AlertService, at: number, project: string) {
  now = at;
  const report = await alerts.evaluateNow();
  expect(report.failures).toEqual([]);
  return { ...report, notifications: report.notifications.filter((n) => n.projectId === project) };
}

const payloads = (path: string) => http.at(path).map((r) => JSON.parse(r.body) as AlertNotification);

beforeAll(async () => {
  store = await startQueryStore({ load: false, now: T0 });
  http = await startHttpReceiver();
  smtp = await startSmtpReceiver();
}, 120_000);

afterAll(async () => {
  await http?.close();
  await smtp?.close();
  await store?.stop();
}, 60_000);

describe('a cost rule', () => {
  it('goes ok → firing → resolved exactly once each, to a signed webhook, a Slack receiver and an SMTP server', async () => {
    const alerts = service();
    const rule = await alerts.createRule('p-life', {
      id: 'cost-1h',
      name: 'Hourly spend',
      metric: 'cost',
      window: '1h',
      condition: { type: 'threshold', op: 'above', value: 1 },
      repeatInterval: '0m',
      channels: [
        { type: 'webhook', url: `${http.url}/hook`, secret: SECRET },
        { type: 'slack', url: `${http.url}/slack` },
        { type: 'email', to: ['oncall@example.com'] },
      ],
    });
    expect(rule).toMatchObject({ projectId: 'p-life', id: 'cost-1h', minRequests: 1, severity: 'warning' });
    await store.insert(modelCalls(10, T0 - 50 * MIN, T0 - 10 * MIN, { project: 'p-life', costUsd: 0.05 }));
    expect((await round(alerts, T0, 'p-life')).notifications).toEqual([]); // $0.50
    await store.insert(modelCalls(10, T0 + MIN, T0 + 5 * MIN, { project: 'p-life', costUsd: 0.1 }));

    const firing = await round(alerts, T0 + 10 * MIN, 'p-life'); // $1.50 over the last hour
    expect(firing.notifications.map((n) => n.event)).toEqual(['firing']);
    expect((await round(alerts, T0 + 11 * MIN, 'p-life')).notifications).toEqual([]); // still firing, no repeat
    expect((await round(alerts, T0 + 2 * HOUR, 'p-life')).notifications.map((n) => n.event)).toEqual(['resolved']); // the hour is empty
    expect((await round(alerts, T0 + 2 * HOUR + MIN, 'p-life')).notifications).toEqual([]);
    await alerts.engine.idle();

    // The webhook: exactly the two notifications, each signed over "<timestamp>.<body>".
    const hooks = http.at('/hook');
    expect(hooks.map((h) => (JSON.parse(h.body) as AlertNotification).event)).toEqual(['firing', 'resolved']);
    for (const [i, hook] of hooks.entries()) {
      const timestamp = hook.headers[TIMESTAMP_HEADER] as string;
      expect(timestamp).toBe(String(Math.floor([T0 + 10 * MIN, T0 + 2 * HOUR][i] / 1000)));
      expect(hook.headers[SIGNATURE_HEADER]).toBe(webhookSignature(SECRET, timestamp, hook.body));
      expect(hook.headers[SIGNATURE_HEADER]).not.toBe(webhookSignature('another-secret-0000', timestamp, hook.body));
      expect(hook.headers['content-type']).toBe('application/json');
    }
    const [fired, resolved] = payloads('/hook');
    expect(fired).toMatchObject({
      type: 'tokentrace.alert',
      event: 'firing',
      projectId: 'p-life',
      rule: { id: 'cost-1h', name: 'Hourly spend', metric: 'cost', window: '1h' },
      group: null,
      severity: 'warning',
      threshold: 1,
      requests: 20,
      window: { from: new Date(T0 + 10 * MIN - HOUR).toISOString(), to: new Date(T0 + 10 * MIN).toISOString() },
      dashboardUrl: `${DASHBOARD}#/alerts/cost-1h`,
      findings: [],
    });
    expect(fired.value).toBeCloseTo(1.5, 10);
    expect(fired.message).toBe('Cost over the last 1h is $1.50, above $1.00 (20 requests).');
    expect(fired.requestsUrl.startsWith(`${DASHBOARD}#/requests?`)).toBe(true);
    expect(resolved).toMatchObject({ event: 'resolved', value: 0, requests: 0 });

    // Slack: the incoming-webhook format, text plus blocks.
    const slack = http.at('/slack').map((r) => JSON.parse(r.body) as { text: string; blocks: Array<{ type: string }> });
    expect(slack).toHaveLength(2);
    expect(slack[0].text).toBe('[warning] Hourly spend: Cost over the last 1h is $1.50, above $1.00 (20 requests).');
    expect(slack[0].blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(JSON.stringify(slack[0].blocks)).toContain(`<${DASHBOARD}#/alerts/cost-1h|Alert in the dashboard>`);
    expect(slack[1].text.startsWith('[resolved] Hourly spend')).toBe(true);

    // E-mail: two messages through the SMTP server.
    const mails = smtp.mails.filter((m) => m.text.includes('X-Tokentrace-Alert: cost-1h'));
    expect(mails).toHaveLength(2);
    expect(mails.map((m) => m.to)).toEqual([['oncall@example.com'], ['oncall@example.com']]);
    expect(mails[0].text).toContain('X-Tokentrace-Event: firing');
    expect(mails[0].text).toContain('Cost over the last 1h is $1.50, above $1.00 (20 requests).');
    expect(mails[0].text).toContain(`${DASHBOARD}#/alerts/cost-1h`);
    expect(mails[1].text).toContain('X-Tokentrace-Event: resolved');

    // The history, newest first, each notification with its three deliveries.
    const history = await alerts.listHistory('p-life', { ruleId: 'cost-1h' });
    expect(history.map((h) => h.event)).toEqual(['resolved', 'firing']);
    for (const entry of history) {
      expect(entry.deliveries.map((d) => [d.channel.split(' ')[0], d.delivered, d.attempts]).sort()).toEqual([
        ['email', true, 1],
        ['slack', true, 1],
        ['webhook', true, 1],
      ]);
    }
    expect(history[1]).toMatchObject({ group: '', severity: 'warning', threshold: 1, message: fired.message });

    // A restarted collector resumes from the history: nothing to repeat, nothing re-fired.
    await store.insert(modelCalls(20, T0 + 3 * HOUR, T0 + 3 * HOUR + 10 * MIN, { project: 'p-life', costUsd: 0.1 }));
    expect((await round(alerts, T0 + 3 * HOUR + 15 * MIN, 'p-life')).notifications.map((n) => n.event)).toEqual(['firing']);
    const restarted = service();
    await restarted.start([], false);
    expect((await round(restarted, T0 + 3 * HOUR + 16 * MIN, 'p-life')).notifications).toEqual([]);
    await alerts.stop();
    await restarted.stop();
  });

  it('repeats while firing after the repeat interval, and shares one scan among rules of the same window', async () => {
    const alerts = service();
    const base = { metric: 'requests', window: '2h', repeatInterval: '30m', channels: [] };
    await alerts.createRule('p-repeat', { ...base, id: 'many', condition: { type: 'threshold', op: 'above', value: 5 } });
    await alerts.createRule('p-repeat', { ...base, id: 'errors', metric: 'errors', condition: { type: 'threshold', op: 'above', value: 0 } });
    await alerts.createRule('p-repeat', { ...base, id: 'by-model', groupBy: 'model', condition: { type: 'threshold', op: 'above', value: 100 } });
    await store.insert(modelCalls(10, T0 - 20 * MIN, T0 - 10 * MIN, { project: 'p-repeat' }));
    const first = await round(alerts, T0, 'p-repeat');
    expect(first.notifications.map((n) => [n.rule.id, n.event])).toEqual([['many', 'firing']]);
    const events = async (at: number) => (await round(alerts, at, 'p-repeat')).notifications.map((n) => n.event);
    expect(await events(T0 + 29 * MIN)).toEqual([]);
    expect(await events(T0 + 30 * MIN)).toEqual(['repeat']);
    expect(await events(T0 + 45 * MIN)).toEqual([]);
    // One project, one window: its three rules (two slots) read the spans once.
    const report = await round(alerts, T0 + 50 * MIN, 'p-repeat'); // due again (a 2h window: every 2.5 min)
    const projects = new Set((await alerts.rules.listEnabled()).map((r) => r.projectId));
    expect(report.scans).toBe(projects.size);
    await alerts.stop();
  });
});

describe('grouped and budget rules', () => {
  it('alerts once per group that crosses, skipping groups under the minimum request count', async () => {
    const alerts = service();
    await alerts.createRule('p-groups', {
      id: 'error-rate-by-user',
      metric: 'error_rate',
      window: '1h',
      groupBy: 'user',
      minRequests: 5,
      condition: { type: 'threshold', op: 'above', value: 0.2 },
      channels: [{ type: 'webhook', url: `${http.url}/groups`, secret: SECRET }],
    });
    await store.insert([
      ...modelCalls(10, T0 - 30 * MIN, T0 - 5 * MIN, { project: 'p-groups', user: 'u-fine' }),
      ...modelCalls(5, T0 - 30 * MIN, T0 - 5 * MIN, { project: 'p-groups', user: 'u-failing' }),
      ...modelCalls(5, T0 - 30 * MIN, T0 - 5 * MIN, { project: 'p-groups', user: 'u-failing', error: true }),
      ...modelCalls(3, T0 - 30 * MIN, T0 - 5 * MIN, { project: 'p-groups', user: 'u-three', error: true }), // 100 %, but three requests
    ]);
    const report = await round(alerts, T0, 'p-groups');
    expect(report.notifications.map((n) => [n.group, n.value, n.requests])).toEqual([[{ by: 'user', value: 'u-failing' }, 0.5, 10]]);
    await alerts.engine.idle();
    const [hook] = payloads('/groups');
    expect(hook.message).toBe('Error rate over the last 1h for user u-failing is 50 %, above 20 % (10 requests).');
    expect(decodeURIComponent(hook.requestsUrl)).toContain('filter=user+=+"u-failing"');
    expect((await round(alerts, T0 + 2 * HOUR, 'p-groups')).notifications.map((n) => [n.event, n.group?.value])).toEqual([['resolved', 'u-failing']]);
    await alerts.stop();
  });

  it('a monthly budget fires at each level on the way up, with the level\'s severity, and resolves with the new month', async () => {
    const alerts = service();
    await alerts.createRule('p-budget', {
      id: 'monthly-budget',
      metric: 'cost',
      window: 'calendar_month',
      condition: { type: 'budget', amount: 10, levels: [{ percent: 50, severity: 'info' }, { percent: 80, severity: 'warning' }, { percent: 100, severity: 'critical' }] },
      channels: [],
    });
    const monthStart = Date.UTC(2026, 10, 1);
    await store.insert(modelCalls(6, monthStart + HOUR, monthStart + 2 * HOUR, { project: 'p-budget', costUsd: 1 }));
    const at50 = await round(alerts, T0, 'p-budget');
    expect(at50.notifications.map((n) => [n.event, n.severity, n.budget])).toEqual([['firing', 'info', { amount: 10, percentSpent: 60, level: 50 }]]);
    expect(at50.notifications[0].message).toBe('Cost this month (UTC) is $6.00: 60 % of the $10.00 budget (level 50 %).');
    await store.insert(modelCalls(3, T0 - HOUR, T0, { project: 'p-budget', costUsd: 1 }));
    // A month-long window is evaluated every 15 minutes (evaluation-cadence.ts).
    expect((await round(alerts, T0 + 14 * MIN, 'p-budget')).notifications).toEqual([]);
    expect((await round(alerts, T0 + 15 * MIN, 'p-budget')).notifications.map((n) => [n.event, n.severity, n.budget?.level])).toEqual([['escalated', 'warning', 80]]);
    expect((await round(alerts, T0 + 30 * MIN, 'p-budget')).notifications).toEqual([]);
    expect((await round(alerts, Date.UTC(2026, 11, 1, 0, 1), 'p-budget')).notifications.map((n) => n.event)).toEqual(['resolved']);
    await alerts.stop();
  });
});

describe('channels that fail', () => {
  it('are retried with backoff, recorded as failed after the last attempt, and hold up neither the round nor the other channels', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const delays: number[] = [];
    // Every wait between attempts blocks until the test releases it.
    const alerts = service(async (ms) => {
      delays.push(ms);
      await gate;
    });
    http.answer('/flaky', [503, 503]);
    await alerts.createRule('p-fail', {
      id: 'fails',
      metric: 'requests',
      window: '1h',
      condition: { type: 'threshold', op: 'above', value: 1 },
      channels: [
        { type: 'webhook', url: `${http.url}/flaky`, secret: SECRET },
        { type: 'webhook', url: 'http://127.0.0.1:9/closed', secret: SECRET },
        { type: 'slack', url: `${http.url}/slack-ok` },
      ],
    });
    await store.insert(modelCalls(5, T0 - 30 * MIN, T0 - 10 * MIN, { project: 'p-fail' }));
    const failedBefore = counts.get('alert_deliveries_failed') ?? 0;
    const retriesBefore = counts.get('alert_delivery_retries') ?? 0;
    // The round is over while two channels wait for their retry.
    const report = await round(alerts, T0, 'p-fail');
    expect(report.notifications.map((n) => n.event)).toEqual(['firing']);
    await vi.waitFor(() => expect(http.at('/slack-ok')).toHaveLength(1));
    await vi.waitFor(() => expect(delays).toHaveLength(2));
    expect(http.at('/flaky')).toHaveLength(1);
    // Another round runs while they wait.
    expect((await round(alerts, T0 + MIN, 'p-fail')).notifications).toEqual([]);
    release();
    await alerts.engine.idle();
    expect(http.at('/flaky')).toHaveLength(3); // 503, 503, 200
    expect(delays).toHaveLength(4); // two waits per retried channel
    for (const [i, ms] of delays.entries()) expect(ms, `delay ${i}`).toBeGreaterThan(0);
    expect((counts.get('alert_deliveries_failed') ?? 0) - failedBefore).toBe(1);
    expect((counts.get('alert_delivery_retries') ?? 0) - retriesBefore).toBe(4);
    const [entry] = await alerts.listHistory('p-fail');
    const outcome = Object.fromEntries(entry.deliveries.map((d) => [d.channel, [d.delivered, d.attempts]]));
    expect(outcome).toEqual({
      [`slack 127.0.0.1:${new URL(http.url).port}`]: [true, 1],
      'webhook 127.0.0.1:9/closed': [false, 3],
      [`webhook 127.0.0.1:${new URL(http.url).port}/flaky`]: [true, 3],
    });
    expect(entry.deliveries.find((d) => !d.delivered)!.error).toMatch(/POST 127\.0\.0\.1:9 failed/);
    await alerts.stop();
  });

  it('stop() does not wait out a retry: the delivery waiting for it is recorded as failed', async () => {
    const alerts = new AlertService({ client: store.client, database: store.database, config: config(), dashboardBase: DASHBOARD, clock, log: () => undefined }); // the real, abortable wait
    await alerts.createRule('p-stop', { id: 'stops', metric: 'requests', window: '1h', condition: { type: 'threshold', op: 'above', value: 1 }, channels: [{ type: 'webhook', url: 'http://127.0.0.1:9/closed', secret: SECRET }] });
    await store.insert(modelCalls(3, T0 - 30 * MIN, T0 - 10 * MIN, { project: 'p-stop' }));
    expect((await round(alerts, T0, 'p-stop')).notifications.map((n) => n.event)).toEqual(['firing']);
    await alerts.stop(); // the first retry would wait 1–3 s (backoff 2 s ± 50 %)
    const [entry] = await alerts.listHistory('p-stop');
    expect(entry.deliveries).toMatchObject([{ delivered: false, attempts: 1, error: expect.stringMatching(/not retried: the collector stopped\)$/) }]);
  });

  it('a receiver that refuses (4xx) is not retried', async () => {
    const alerts = service();
    http.answer('/gone', [404]);
    await alerts.createRule('p-refused', {
      id: 'refused',
      metric: 'requests',
      window: '1h',
      condition: { type: 'threshold', op: 'above', value: 1 },
      channels: [{ type: 'slack', url: `${http.url}/gone` }],
    });
    await store.insert(modelCalls(3, T0 - 30 * MIN, T0 - 10 * MIN, { project: 'p-refused' }));
    await round(alerts, T0, 'p-refused');
    await alerts.engine.idle();
    expect(http.at('/gone')).toHaveLength(1);
    const [entry] = await alerts.listHistory('p-refused');
    expect(entry.deliveries).toMatchObject([{ delivered: false, attempts: 1, error: expect.stringContaining('HTTP 404') }]);
    await alerts.stop();
  });
});

describe('projects', () => {
  it('keep their rules and history to themselves; one project\'s spans never fire another\'s rule', async () => {
    const alerts = service();
    const rule = { metric: 'requests', window: '1h', condition: { type: 'threshold', op: 'above', value: 2 }, channels: [] };
    await alerts.createRule('p-iso-a', { ...rule, id: 'same-id', name: 'A' });
    await alerts.createRule('p-iso-b', { ...rule, id: 'same-id', name: 'B' });
    expect((await alerts.listRules('p-iso-a')).map((r) => r.name)).toEqual(['A']);
    await expect(alerts.updateRule('p-iso-c', 'same-id', { ...rule, name: 'C' })).rejects.toMatchObject({ code: 'TOKENTRACE_ALERT_RULE_NOT_FOUND' });
    await expect(alerts.deleteRule('p-iso-c', 'same-id')).rejects.toMatchObject({ code: 'TOKENTRACE_ALERT_RULE_NOT_FOUND' });
    await expect(alerts.testRule('p-iso-c', 'same-id')).rejects.toMatchObject({ code: 'TOKENTRACE_ALERT_RULE_NOT_FOUND' });

    await store.insert(modelCalls(5, T0 - 30 * MIN, T0 - 10 * MIN, { project: 'p-iso-b' }));
    now = T0;
    const report = await alerts.evaluateNow();
    expect(report.notifications.filter((n) => n.projectId.startsWith('p-iso')).map((n) => [n.projectId, n.rule.name])).toEqual([['p-iso-b', 'B']]);
    expect(await alerts.listHistory('p-iso-a')).toEqual([]);
    expect((await alerts.listHistory('p-iso-b')).map((h) => h.event)).toEqual(['firing']);

    await alerts.updateRule('p-iso-b', 'same-id', { ...rule, name: 'B2', enabled: false });
    expect((await alerts.getRule('p-iso-b', 'same-id')).name).toBe('B2');
    await alerts.deleteRule('p-iso-a', 'same-id');
    expect(await alerts.listRules('p-iso-a')).toEqual([]);
    expect((await alerts.listRules('p-iso-b')).map((r) => r.name)).toEqual(['B2']);
    await alerts.stop();
  });
});

describe('testing a rule', () => {
  it('evaluates it now and sends a test notification to its channels, recorded in the history', async () => {
    const alerts = service();
    await alerts.createRule('p-test', {
      id: 'latency',
      metric: 'latency_p95',
      window: '1h',
      minRequests: 1,
      condition: { type: 'threshold', op: 'above', value: 500 },
      channels: [{ type: 'webhook', url: `${http.url}/test-hook`, secret: SECRET }],
    });
    await store.insert(modelCalls(20, T0 - 30 * MIN, T0 - 10 * MIN, { project: 'p-test', durationMs: 800 }));
    now = T0;
    const result = await alerts.testRule('p-test', 'latency');
    expect(result.groups).toEqual([{ group: '', value: 800, requests: 20, breached: true, severity: 'warning' }]);
    expect(result.deliveries).toMatchObject([{ delivered: true, attempts: 1 }]);
    expect(payloads('/test-hook').map((n) => [n.event, n.value])).toEqual([['test', 800]]);
    expect((await alerts.listHistory('p-test')).map((h) => h.event)).toEqual(['test']);
    // A test is not a state change: the next round still fires.
    expect((await round(alerts, T0, 'p-test')).notifications.map((n) => n.event)).toEqual(['firing']);
    await alerts.stop();
  });
});
