/**
 * The OpenAPI description of GET /api/v1/forecast (forecast-routes.ts): its path and the schemas
 * of MonthForecast, spelled after insights/forecast/forecast-types.ts. openapi.ts merges them
 * into the one document; the forecast route test validates real answers against them.
 */
import { int, num, object, ref, str } from './openapi-schemas.js';
import type { JsonSchema, PathItem } from './openapi-types.js';

const day: JsonSchema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a UTC day' };
const nullableDay: JsonSchema = { type: ['string', 'null'], pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
const usd = (description: string): JsonSchema => ({ type: 'number', description });
const periodFields = {
  start: { ...day, description: 'first day of the billing period (UTC)' },
  end: { ...day, description: 'the day after its last day' },
  forecastUsd: usd('median of the simulated period totals'),
  interval80: ref('SpendInterval'),
  interval95: ref('SpendInterval'),
};

export const forecastSchemas: Record<string, JsonSchema> = {
  SpendInterval: object({ lowUsd: num, highUsd: num }),
  PeriodForecast: object(periodFields, 'Forecast spend of a billing period.'),
  CurrentPeriodForecast: object({
    ...periodFields,
    spentUsd: usd('spent from the period\'s start until now'),
    daysElapsed: { ...int, description: 'days of the period begun so far (today counts)' },
    days: int,
  }, 'The current billing period: spent so far plus the forecast of the rest.'),
  ForecastModel: object({
    kind: { type: 'string', enum: ['log-linear', 'sparse', 'empty'], description: 'log-linear: weekday effects and trend; sparse: spend on few days, resampled; empty: no history' },
    historyDays: int,
    weekly: { type: 'boolean' },
    trendPerDay: { type: 'number', description: 'daily growth, e.g. 0.01 = +1 % a day' },
    weekdayFactors: { type: 'array', items: num, description: 'Sunday first; 1 = an average day' },
    dailyRunRateUsd: usd('expected spend per day over the next 7 days'),
  }),
  GroupForecast: object({
    group: str('the group\'s value (`(other)` for the rest); absent for the project'),
    current: ref('CurrentPeriodForecast'),
    next: ref('PeriodForecast'),
    model: ref('ForecastModel'),
    notes: { type: 'array', items: str(), description: 'what limits the forecast (little data, sparse spend, a level shift)' },
  }, undefined, ['group']),
  BudgetOutlook: object({
    budgetUsd: num,
    spentUsd: num,
    exceedProbability: { type: 'number', minimum: 0, maximum: 1, description: 'share of the simulated futures above the budget' },
    projectedToExceed: { type: 'boolean', description: 'the forecast (median) is above the budget' },
    runsOutOn: { ...nullableDay, description: 'the day the budget runs out at this rate; null when it most likely lasts the period' },
    exhaustedOn: { ...nullableDay, description: 'the day spend passed the budget, when it already has' },
  }),
  MonthForecast: object({
    projectId: str(),
    generatedAt: { type: 'string', format: 'date-time' },
    billingDay: { type: 'integer', minimum: 1, maximum: 28 },
    by: { type: ['string', 'null'], description: 'the grouping (`model`, `property:Feature`, …)' },
    total: ref('GroupForecast'),
    groups: { type: 'array', items: ref('GroupForecast'), description: 'one per group, largest first, `(other)` last' },
    budget: { oneOf: [ref('BudgetOutlook'), { type: 'null' }] },
    summary: str('one line, e.g. "Month-end forecast $3,870 (80 %: $3,410–$4,390); $2,010 spent so far; at this rate the $4,000 budget runs out on the 29th"'),
    note: { type: ['string', 'null'], description: 'the project\'s notes in one line' },
  }, 'The month-end forecast: this billing period and the next, with 80 % and 95 % intervals.'),
};

export const forecastPaths: Record<string, PathItem> = {
  '/forecast': {
    get: {
      operationId: 'getForecast',
      tags: ['analytics'],
      summary: 'Month-end forecast of spend: this billing period and the next, with 80 % and 95 % intervals, per group, against a budget',
      description: 'A log-scale daily model (weekday effects, damped local trend, level shifts) fitted to up to 56 days of daily spend, futures simulated to the end of the next period. `billingDay` and `budget` default to the collector\'s `forecast.*` config.',
      parameters: [
        { name: 'by', in: 'query', description: 'also per group: model, provider, user, session_name, prompt_id, service, environment, property.<Name> (or property:<Name>)', schema: { type: 'string' } },
        { name: 'billingDay', in: 'query', description: 'day of the month billing periods start on, 1–28 (default 1: calendar months)', schema: { type: 'integer', minimum: 1, maximum: 28 } },
        { name: 'budget', in: 'query', description: 'budget of the current period in USD: when it runs out, the chance of exceeding it', schema: { type: 'number', minimum: 0 } },
        { $ref: '#/components/parameters/filter' },
        { name: 'limit', in: 'query', description: 'groups forecast before (other) (default 10)', schema: { type: 'integer', minimum: 1, maximum: 50 } },
      ],
      responses: {
        '200': { description: 'the forecast', content: { 'application/json': { schema: ref('MonthForecast') } } },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '403': { $ref: '#/components/responses/Forbidden' },
        '500': { $ref: '#/components/responses/InternalError' },
        '503': { $ref: '#/components/responses/Unavailable' },
      },
    },
  },
};
