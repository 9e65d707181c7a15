// The alerts API over real HTTP on the real AlertService and the embedded engine: rules created,
// read, replaced, deleted and tested per project (the API key names it), refusals naming the
// field, write-only webhook secrets, history; every answer checked against the OpenAPI
// description, whose /alerts paths equal the routes served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertService } from '../alerts/index.js';
import { startAlertApiServer, type AlertApiServer } from '../alerts/testing/alert-api-server.js';
import { startHttpReceiver, type HttpReceiver } from '../alerts/testing/alert-receivers.js';
import { modelCalls } from '../alerts/testing/alert-spans.js';
import { startQueryStore, type QueryStore } from '../queries/testing/query-store.js';
import { openApiDocument } from './openapi.js';
import { routesOf, schemaErrors } from './testing/schema-check.js';

const KEYS = { 'key-a': 'proj-a', 'key-b': 'proj-b' };
let store: QueryStore;
let receiver: HttpReceiver;
let server: AlertApiServer;
let alerts: AlertService;
let base = '';

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  receiver = await startHttpReceiver();
  server = await startAlertApiServer(store, KEYS);
  alerts = server.alerts;
  base = `${server.url}/api/v1/alerts`;
}, 120_000);

afterAll(async () => {
  await server?.close();
  await receiver?.close();
  await store?.stop();
}, 60_000);

async function call(method: string, path: string, body?: unknown, key: string | null = 'key-a'): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function conforms(body: unknown, schema: string): void {
  expect(schemaErrors(body, { $ref: `#/components/schemas/${schema}` }, openApiDocument)).toEqual([]);
}

const RULE = {
  id: 'spend',
  name: 'Spend per hour',
  metric: 'cost',
  window: '1h',
  condition: { type: 'threshold', op: 'above', value: 0.5 },
  filter: 'model contains "gpt"',
  groupBy: 'property.Feature',
  channels: [{ type: 'webhook', url: '', secret: 'whsec-0123456789abcdef' }],
};

describe('the alerts API', () => {
  it('describes exactly the routes it serves', () => {
    const described = Object.entries(openApiDocument.paths)
      .filter(([path]) => path.startsWith('/alerts/'))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path.slice('/alerts'.length)}`))
      .sort();
    expect(described).toEqual(routesOf(server.router as never));
  });

  it('creates, reads, replaces and deletes rules of the caller\'s project only, secrets write-only', async () => {
    const rule = { ...RULE, channels: [{ ...RULE.channels[0], url: `${receiver.url}/hook` }] };
    const created = await call('POST', '/rules', rule);
    expect(created.status).toBe(201);
    conforms(created.body, 'AlertRule');
    expect(created.body).toMatchObject({ id: 'spend', projectId: 'proj-a', groupBy: 'property:Feature', minRequests: 1, repeatInterval: '4h', enabled: true });
    expect(created.body.channels[0].secret).toBe('(hidden)');
    expect((await call('POST', '/rules', rule)).body.error).toMatchObject({ code: 'TOKENTRACE_INVALID_ALERT_RULE', path: 'id' });

    const list = await call('GET', '/rules');
    conforms(list.body, 'AlertRuleList');
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual(['spend']);
    expect(list.body.billingDay).toBe(1);
    expect((await call('GET', '/rules', undefined, 'key-b')).body).toEqual({ items: [], billingDay: 1 });
    expect((await call('GET', '/rules/spend', undefined, 'key-b')).status).toBe(404);
    expect((await call('PUT', '/rules/spend', rule, 'key-b')).body.error).toMatchObject({ code: 'TOKENTRACE_ALERT_RULE_NOT_FOUND' });
    expect((await call('DELETE', '/rules/spend', undefined, 'key-b')).status).toBe(404);

    // Sent back as answered ("(hidden)"), the secret is kept.
    const replaced = await call('PUT', '/rules/spend', { ...created.body, projectId: undefined, updatedAt: undefined, name: 'Spend, renamed' });
    expect(replaced.status).toBe(200);
    expect(replaced.body.name).toBe('Spend, renamed');
    expect((await alerts.getRule('proj-a', 'spend')).channels[0]).toMatchObject({ type: 'webhook', secret: 'whsec-0123456789abcdef' });

    expect((await call('DELETE', '/rules/spend')).status).toBe(204);
    expect((await call('GET', '/rules/spend')).status).toBe(404);
  });


  it('refuses a bad rule with 400 naming the field', async () => {
    const refusals: Array<[unknown, string, RegExp]> = [
      [{ ...RULE, window: '1y' }, 'window', /window: expected <n>m, <n>h or <n>d from 5m to 30d/],
      [{ ...RULE, window: '2m' }, 'window', /got "2m"/],
      [{ ...RULE, metric: 'cache_hit_rate' }, 'metric', /metric: expected one of cost, requests/],
      [{ ...RULE, condition: { type: 'threshold', op: 'over', value: 1 } }, 'condition.op', /above, below/],
      [{ ...RULE, condition: { type: 'budget', amount: 10, levels: [{ percent: 80 }, { percent: 50 }] } }, 'condition.levels[1].percent', /more than the level before \(80\)/],
      [{ ...RULE, metric: 'latency_p95', condition: { type: 'budget', amount: 10 } }, 'condition.type', /threshold or anomaly for latency_p95/],
      [{ ...RULE, window: 'calendar_month', condition: { type: 'budget', amount: 10, basis: 'projected' } }, 'condition.basis', /one of spend, forecast/],
      [{ ...RULE, window: 'calendar_month', metric: 'requests', condition: { type: 'budget', amount: 10, basis: 'forecast' } }, 'condition.basis', /spend for requests \(the forecast is of cost\)/],
      [{ ...RULE, window: 'calendar_day', condition: { type: 'budget', amount: 10, basis: 'forecast' } }, 'window', /calendar_month for a budget on the forecast/],
      [{ ...RULE, window: 'calendar_month', condition: { type: 'budget', amount: 10, basis: 'forecast', forecastBound: 'p99' } }, 'condition.forecastBound', /one of point, high80/],
      [{ ...RULE, window: 'calendar_month', condition: { type: 'budget', amount: 10, forecastBound: 'high80' } }, 'condition.forecastBound', /no bound for a budget on spend/],
      [{ ...RULE, filter: 'modle = "x"' }, 'filter', /did you mean "model"/],
      [{ ...RULE, groupBy: 'colour' }, 'groupBy', /property:<Name>/],
      [{ ...RULE, minRequests: -1 }, 'minRequests', /an integer ≥ 0/],
      [{ ...RULE, channels: [{ type: 'webhook', url: 'http://x.example/h', secret: 'short' }] }, 'channels[0].secret', /at least 16 characters/],
      [{ ...RULE, channels: [{ type: 'email', to: ['not-an-address'] }] }, 'channels[0].to', /e-mail addresses/],
      [{ ...RULE, channels: [{ type: 'pager', url: 'http://x.example' }] }, 'channels[0].type', /webhook, slack, email/],
      [{ ...RULE, colour: 'red' }, 'colour', /one of the rule's fields/],
    ];
    for (const [body, path, message] of refusals) {
      const answer = await call('POST', '/rules', body);
      expect(answer.status, path).toBe(400);
      conforms(answer.body, 'Error');
      expect(answer.body.error.path).toBe(path);
      expect(answer.body.error.message).toMatch(message);
    }
    expect((await call('GET', '/rules', undefined, null)).status).toBe(401);
  });

  it('tests a rule now and lists the history', async () => {
    const now = Date.now();
    await store.insert(modelCalls(10, now - 30 * 60_000, now - 60_000, { project: 'proj-a', costUsd: 0.1, properties: { feature: 'chat' } }));
    const rule = { ...RULE, id: 'tested', channels: [{ type: 'slack', url: `${receiver.url}/slack` }] };
    expect((await call('POST', '/rules', rule)).status).toBe(201);
    const tested = await call('POST', '/rules/tested/test');
    expect(tested.status).toBe(200);
    conforms(tested.body, 'AlertTestResult');
    expect(tested.body.groups).toEqual([{ group: 'chat', value: expect.closeTo(1, 9), requests: 10, breached: true, severity: 'warning' }]);
    expect(tested.body.notification).toMatchObject({ event: 'test', group: { by: 'property:Feature', value: 'chat' } });
    expect(receiver.at('/slack')).toHaveLength(1);

    const history = await call('GET', '/history?ruleId=tested');
    conforms(history.body, 'AlertHistory');
    expect(history.body.items).toMatchObject([{ ruleId: 'tested', event: 'test', group: 'chat', deliveries: [{ delivered: true, attempts: 1 }] }]);
    expect((await call('GET', '/history', undefined, 'key-b')).body).toEqual({ items: [] });
    expect((await call('GET', '/history?colour=red')).body.error).toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY', path: 'colour' });
  });

  it('takes a budget on the month-end forecast, with its defaults, and tests it', async () => {
    // Project B has no spans: a forecast of nothing, under any budget.
    const forecast = { id: 'projected', metric: 'cost', window: 'calendar_month', condition: { type: 'budget', amount: 0.05, basis: 'forecast', levels: [{ percent: 100, severity: 'critical' }] }, channels: [] };
    const created = await call('POST', '/rules', forecast, 'key-b');
    expect(created.status).toBe(201);
    conforms(created.body, 'AlertRule');
    expect(created.body.condition).toEqual({ type: 'budget', amount: 0.05, basis: 'forecast', forecastBound: 'point', levels: [{ percent: 100, severity: 'critical' }] });
    const spend = await call('POST', '/rules', { ...forecast, id: 'spent', condition: { type: 'budget', amount: 5 } }, 'key-b');
    expect(spend.body.condition).toMatchObject({ basis: 'spend' });
    expect(spend.body.condition.forecastBound).toBeUndefined();
    const tested = await call('POST', '/rules/projected/test', undefined, 'key-b');
    conforms(tested.body, 'AlertTestResult');
    expect(tested.body.groups).toEqual([{ group: '', value: 0, requests: 0, breached: false, severity: 'critical' }]);
    expect(tested.body.notification).toMatchObject({ budget: { amount: 0.05, percentSpent: 0, level: 0 }, forecast: { bound: 'point', forecastUsd: 0, comparedUsd: 0, spentUsd: 0, runsOutOn: null, exhaustedOn: null } });
    expect(tested.body.notification.message).toBe('Test: Month-end forecast $0.0000 (80 %: $0.0000–$0.0000) is under the $0.0500 budget; $0.0000 spent so far.');
    for (const id of ['projected', 'spent']) expect((await call('DELETE', `/rules/${id}`, undefined, 'key-b')).status).toBe(204);
  });
});
