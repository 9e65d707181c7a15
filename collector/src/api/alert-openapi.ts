/**
 * The OpenAPI description of the alerts API (alert-routes.ts): its paths under /alerts and the
 * schemas of rules, notifications, test results and history, spelled after
 * collector/src/alerts/alert-rule.ts and notification.ts. openapi.ts merges them into the one
 * document served at /api/v1/openapi.json; alert-routes.test.ts checks the answers against them.
 */
import { ALERT_METRICS, BUDGET_BASES, FORECAST_BOUNDS, SEVERITIES } from '../alerts/alert-rule.js';
import { ALERT_EVENT_KINDS } from '../alerts/notification.js';
import type { JsonSchema, Operation, PathItem } from './openapi-types.js';

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const str = (description?: string): JsonSchema => ({ type: 'string', ...(description ? { description } : {}) });
const num: JsonSchema = { type: 'number' };
const nullableNum: JsonSchema = { type: ['number', 'null'] };
const time: JsonSchema = { type: 'string', format: 'date-time' };
const severity: JsonSchema = { type: 'string', enum: SEVERITIES };
const json = (schema: string) => ({ 'application/json': { schema: ref(schema) } });
const ok = (schema: string, description: string) => ({ description, content: json(schema) });
const e = (name: string) => ({ $ref: `#/components/responses/${name}` });
const ERRORS = { '400': e('BadRequest'), '401': e('Unauthorized'), '403': e('Forbidden'), '500': e('InternalError'), '503': e('Unavailable') };
const LOOKUP_ERRORS = { ...ERRORS, '404': e('NotFound') };
const ruleId = { name: 'id', in: 'path' as const, required: true, description: 'the rule id', schema: { type: 'string' as const, pattern: '^[A-Za-z0-9_.-]{1,64}$' } };

function object(properties: Record<string, JsonSchema>, description?: string, optional: string[] = []): JsonSchema {
  return { type: 'object', ...(description ? { description } : {}), properties, required: Object.keys(properties).filter((k) => !optional.includes(k)), additionalProperties: false };
}

function op(operationId: string, summary: string, rest: Partial<Operation>): Operation {
  return { operationId, tags: ['alerts'], summary, responses: {}, ...rest };
}

const condition: JsonSchema = {
  oneOf: [
    object({ type: { type: 'string', enum: ['threshold'] }, op: { type: 'string', enum: ['above', 'below'] }, value: num }),
    object({
      type: { type: 'string', enum: ['budget'] },
      amount: { type: 'number', description: 'the budget of the window, in the metric\'s unit (USD for cost)' },
      levels: { type: 'array', items: object({ percent: num, severity }), description: 'default 50 % info, 80 % warning, 95 % and 100 % critical' },
      basis: { type: 'string', enum: BUDGET_BASES, description: 'spend: the window so far (default); forecast: the month-end forecast of the billing period, "projected to exceed" (cost over calendar_month only)' },
      forecastBound: { type: 'string', enum: FORECAST_BOUNDS, description: 'basis forecast: the forecast itself (point, default) or the high end of its 80 % interval (high80)' },
    }, undefined, ['levels', 'basis', 'forecastBound']),
    object({ type: { type: 'string', enum: ['anomaly'] }, baselineDays: { type: 'integer', minimum: 1, maximum: 30 }, minChange: { type: 'number', description: 'smallest relative change that alerts (0.25 = 25 %)' } }, undefined, ['baselineDays', 'minChange']),
  ],
};

const channel: JsonSchema = {
  oneOf: [
    object({ type: { type: 'string', enum: ['webhook'] }, url: str(), secret: str('HMAC-SHA256 key (at least 16 characters); shown as "(hidden)" in answers') }),
    object({ type: { type: 'string', enum: ['slack'] }, url: str('a Slack incoming-webhook URL') }),
    object({ type: { type: 'string', enum: ['email'] }, to: { type: 'array', items: str(), minItems: 1 } }),
  ],
};

const ruleProperties: Record<string, JsonSchema> = {
  id: str('letters, digits, _ . -; generated when absent'),
  name: str(),
  enabled: { type: 'boolean' },
  metric: { type: 'string', enum: ALERT_METRICS },
  window: str('<n>m, <n>h or <n>d from 5m to 30d (rolling), or calendar_day / calendar_month (UTC; months start on the collector\'s billing day, forecast.billingDay)'),
  condition,
  filter: str('the filter language; empty: every model call'),
  groupBy: str('model, provider, user, session_name, prompt_id, service, environment or property:<Name>; empty: none'),
  minRequests: { type: 'integer', minimum: 0, description: 'windows (groups) with fewer requests are not judged; default 1 for sums, 20 for rates and percentiles' },
  repeatInterval: str('notify again while firing after this long (<n>m|h|d; 0m never); default 4h'),
  severity,
  channels: { type: 'array', items: channel },
};

const notification = object({
  type: { type: 'string', enum: ['tokentrace.alert'] },
  version: { type: 'integer', enum: [1] },
  id: str(),
  event: { type: 'string', enum: ALERT_EVENT_KINDS },
  time,
  projectId: str(),
  rule: { type: 'object' },
  group: { oneOf: [{ type: 'null' }, object({ by: str(), value: str() })] },
  severity,
  value: nullableNum,
  threshold: nullableNum,
  budget: object({ amount: num, percentSpent: num, level: num }),
  forecast: object({
    periodStart: str('first day of the billing period (UTC)'),
    periodEnd: str('the day after its last'),
    forecastUsd: num,
    interval80: object({ lowUsd: num, highUsd: num }),
    bound: { type: 'string', enum: FORECAST_BOUNDS },
    comparedUsd: { type: 'number', description: 'the figure compared with the budget (the forecast, or its 80 % high end)' },
    spentUsd: num,
    exceedProbability: { type: 'number', minimum: 0, maximum: 1 },
    runsOutOn: { type: ['string', 'null'], description: 'when the budget runs out at this rate; null: it most likely lasts' },
    exhaustedOn: { type: ['string', 'null'], description: 'when spend passed the budget, if it has' },
  }, 'A budget on the forecast: what it was judged on'),
  requests: { type: 'integer', minimum: 0 },
  window: object({ from: time, to: time }),
  title: str(),
  message: str(),
  dashboardUrl: str(),
  requestsUrl: str(),
  findings: { type: 'array', items: object({ summary: str(), impactUsd: num, link: str() }, undefined, ['impactUsd', 'link']) },
}, 'What every channel receives (the webhook as is, signed: X-Tokentrace-Timestamp and X-Tokentrace-Signature sha256=HMAC(secret, "<timestamp>.<body>")).', ['budget', 'forecast']);

export const alertSchemas: Record<string, JsonSchema> = {
  AlertRuleInput: object(ruleProperties, 'A rule as sent; everything but metric, window and condition has a default.', Object.keys(ruleProperties).filter((k) => !['metric', 'window', 'condition'].includes(k))),
  AlertRule: object({ ...ruleProperties, projectId: str(), updatedAt: time }),
  AlertRuleList: object({
    items: { type: 'array', items: ref('AlertRule') },
    billingDay: { type: 'integer', minimum: 1, maximum: 28, description: 'the day billing periods start on (forecast.billingDay): what calendar_month windows mean' },
  }),
  AlertNotification: notification,
  AlertTestResult: object({
    groups: { type: 'array', items: object({ group: str(), value: nullableNum, requests: { type: 'integer' }, breached: { type: 'boolean' }, severity }) },
    notification: ref('AlertNotification'),
    deliveries: { type: 'array', items: object({ notificationId: str(), channel: str(), delivered: { type: 'boolean' }, attempts: { type: 'integer' }, error: str() }) },
  }),
  AlertHistory: object({
    items: {
      type: 'array',
      items: object({
        notificationId: str(),
        ruleId: str(),
        event: { type: 'string', enum: ALERT_EVENT_KINDS },
        time,
        group: str(),
        severity,
        value: nullableNum,
        threshold: nullableNum,
        message: str(),
        deliveries: { type: 'array', items: object({ channel: str(), delivered: { type: 'boolean' }, attempts: { type: 'integer' }, error: str(), time }) },
      }),
    },
  }),
};

export const alertPaths: Record<string, PathItem> = {
  '/alerts/rules': {
    get: op('listAlertRules', 'The project\'s alert rules', { responses: { '200': ok('AlertRuleList', 'every rule'), ...ERRORS } }),
    post: op('createAlertRule', 'A new alert rule (400 names the field at fault)', { requestBody: { required: true, content: json('AlertRuleInput') }, responses: { '201': ok('AlertRule', 'the rule, with its defaults'), ...ERRORS } }),
  },
  '/alerts/rules/{id}': {
    get: op('getAlertRule', 'One rule', { parameters: [ruleId], responses: { '200': ok('AlertRule', 'the rule'), ...LOOKUP_ERRORS } }),
    put: op('replaceAlertRule', 'Replaces a rule (a webhook secret sent as "(hidden)" is kept)', { parameters: [ruleId], requestBody: { required: true, content: json('AlertRuleInput') }, responses: { '200': ok('AlertRule', 'the rule'), ...LOOKUP_ERRORS } }),
    delete: op('deleteAlertRule', 'Deletes a rule (its history stays)', { parameters: [ruleId], responses: { '204': { description: 'deleted' }, ...LOOKUP_ERRORS } }),
  },
  '/alerts/rules/{id}/test': {
    post: op('testAlertRule', 'Evaluates the rule now and sends a test notification to its channels', { parameters: [ruleId], responses: { '200': ok('AlertTestResult', 'each group\'s value, the notification sent and each delivery'), ...LOOKUP_ERRORS } }),
  },
  '/alerts/history': {
    get: op('listAlertHistory', 'Notifications, newest first, each with its deliveries', {
      parameters: [
        { name: 'ruleId', in: 'query', description: 'one rule\'s only', schema: { type: 'string' } },
        { name: 'limit', in: 'query', description: 'notifications (default 100)', schema: { type: 'integer', minimum: 1, maximum: 500 } },
        { $ref: '#/components/parameters/since' },
        { $ref: '#/components/parameters/from' },
      ],
      responses: { '200': ok('AlertHistory', 'the history'), ...ERRORS },
    }),
  },
};
