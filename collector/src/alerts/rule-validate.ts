/**
 * Untrusted JSON (API body, CLI, config file) → a complete AlertRule with its defaults, or an
 * AlertError naming the field at fault and what was expected. The filter is parsed with the
 * query layer's parser and the grouping checked against its dimensions, so a rule that validates
 * always compiles.
 */
import { randomBytes } from 'node:crypto';
import { QueryParams } from '@tokentrace/processors';
import { groupSpec } from '../queries/analytics-sql.js';
import { FilterError, parseFilterInput } from '../queries/filter/index.js';
import type { GroupBy } from '../queries/query-model.js';
import {
  ALERT_METRICS,
  ANOMALY_METRICS,
  BUDGET_BASES,
  CHANNEL_TYPES,
  FORECAST_BOUNDS,
  RULE_DEFAULTS,
  SEVERITIES,
  VOLUME_METRICS,
  type AlertChannel,
  type AlertCondition,
  type AlertMetric,
  type AlertRule,
  type BudgetBasis,
  type BudgetCondition,
  type BudgetLevel,
  type ForecastBound,
  type Severity,
} from './alert-rule.js';
import { invalidRule } from './alert-error.js';
import { isValidWindow, parseDuration } from './alert-window.js';

const RULE_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const EMAIL = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;
const MAX_CHANNELS = 10;
const MAX_NAME = 200;
const MIN_SECRET = 16;
const KNOWN_FIELDS = ['id', 'name', 'enabled', 'metric', 'window', 'condition', 'filter', 'groupBy', 'minRequests', 'repeatInterval', 'severity', 'channels'];

type Json = Record<string, unknown>;

export function newRuleId(): string {
  return `rule-${randomBytes(6).toString('hex')}`;
}

/** Validates `input` as a rule; `id` (from the URL) wins over the body's; none: a new id. */
export function validateRule(input: unknown, id?: string): AlertRule {
  const o = object(input, 'rule');
  for (const key of Object.keys(o)) if (!KNOWN_FIELDS.includes(key)) throw invalidRule(key, `one of the rule's fields (${KNOWN_FIELDS.join(', ')})`, key);
  const ruleId = id ?? (o.id === undefined ? newRuleId() : o.id);
  if (typeof ruleId !== 'string' || !RULE_ID.test(ruleId)) throw invalidRule('id', '1 to 64 letters, digits, _ . or -', ruleId);
  const name = o.name ?? ruleId;
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME) throw invalidRule('name', `a non-empty string of at most ${MAX_NAME} characters`, name);
  const metric = oneOf(o.metric, ALERT_METRICS, 'metric') as AlertMetric;
  if (!isValidWindow(o.window)) throw invalidRule('window', '<n>m, <n>h or <n>d from 5m to 30d, or calendar_day or calendar_month', o.window);
  const condition = validCondition(o.condition, metric, o.window);
  const filter = validFilter(o.filter);
  const groupBy = validGroupBy(o.groupBy);
  const defaultMin = VOLUME_METRICS.has(metric) ? RULE_DEFAULTS.volumeMinRequests : RULE_DEFAULTS.ratioMinRequests;
  const minRequests = o.minRequests ?? defaultMin;
  if (typeof minRequests !== 'number' || !Number.isInteger(minRequests) || minRequests < 0 || minRequests > 1e9) throw invalidRule('minRequests', 'an integer ≥ 0', minRequests);
  const repeatInterval = o.repeatInterval ?? RULE_DEFAULTS.repeatInterval;
  if (typeof repeatInterval !== 'string' || parseDuration(repeatInterval) === undefined) throw invalidRule('repeatInterval', '<n>m, <n>h or <n>d (0m: never repeat)', repeatInterval);
  const severity = oneOf(o.severity ?? RULE_DEFAULTS.severity, SEVERITIES, 'severity') as Severity;
  const enabled = o.enabled ?? RULE_DEFAULTS.enabled;
  if (typeof enabled !== 'boolean') throw invalidRule('enabled', 'true or false', enabled);
  return { id: ruleId, name: name.trim(), enabled, metric, window: o.window, condition, filter, groupBy, minRequests, repeatInterval, severity, channels: validChannels(o.channels) };
}

function validCondition(input: unknown, metric: AlertMetric, window: string): AlertCondition {
  const c = object(input, 'condition');
  if (c.type === 'threshold') {
    const op = oneOf(c.op, ['above', 'below'], 'condition.op') as 'above' | 'below';
    return { type: 'threshold', op, value: finite(c.value, 'condition.value') };
  }
  if (c.type === 'budget') {
    if (!VOLUME_METRICS.has(metric)) throw invalidRule('condition.type', `threshold or anomaly for ${metric} (a budget is for cost, requests, errors or tokens)`, 'budget');
    const amount = finite(c.amount, 'condition.amount');
    if (amount <= 0) throw invalidRule('condition.amount', 'a positive amount', amount);
    const levels = c.levels === undefined ? RULE_DEFAULTS.budgetLevels.map((l) => ({ ...l })) : validLevels(c.levels);
    return { type: 'budget', amount, levels, ...validBasis(c, metric, window) };
  }
  if (c.type === 'anomaly') {
    if (!ANOMALY_METRICS.has(metric)) throw invalidRule('condition.type', `threshold or budget for ${metric}`, 'anomaly');
    const baselineDays = c.baselineDays ?? RULE_DEFAULTS.anomaly.baselineDays;
    if (typeof baselineDays !== 'number' || !Number.isInteger(baselineDays) || baselineDays < 1 || baselineDays > 30) throw invalidRule('condition.baselineDays', 'an integer from 1 to 30', baselineDays);
    const minChange = c.minChange ?? RULE_DEFAULTS.anomaly.minChange;
    if (typeof minChange !== 'number' || !(minChange > 0) || minChange > 100) throw invalidRule('condition.minChange', 'a fraction above 0 (0.25 = 25 %)', minChange);
    return { type: 'anomaly', baselineDays, minChange };
  }
  throw invalidRule('condition.type', 'threshold, budget or anomaly', c.type);
}

/** A forecast budget compares the month-end forecast of spend: cost over the billing period only. */
function validBasis(c: Json, metric: AlertMetric, window: string): Pick<BudgetCondition, 'basis' | 'forecastBound'> {
  const basis = oneOf(c.basis ?? RULE_DEFAULTS.budgetBasis, BUDGET_BASES, 'condition.basis') as BudgetBasis;
  if (basis === 'spend') {
    if (c.forecastBound !== undefined) throw invalidRule('condition.forecastBound', 'no bound for a budget on spend (basis forecast takes one)', c.forecastBound);
    return { basis };
  }
  if (metric !== 'cost') throw invalidRule('condition.basis', `spend for ${metric} (the forecast is of cost)`, basis);
  if (window !== 'calendar_month') throw invalidRule('window', 'calendar_month for a budget on the forecast (the billing period it forecasts)', window);
  return { basis, forecastBound: oneOf(c.forecastBound ?? RULE_DEFAULTS.forecastBound, FORECAST_BOUNDS, 'condition.forecastBound') as ForecastBound };
}

function validLevels(input: unknown): BudgetLevel[] {
  if (!Array.isArray(input) || input.length === 0 || input.length > 10) throw invalidRule('condition.levels', 'a list of 1 to 10 levels', input);
  const levels = input.map((raw, i) => {
    const l = object(raw, `condition.levels[${i}]`);
    const percent = finite(l.percent, `condition.levels[${i}].percent`);
    if (percent <= 0 || percent > 1000) throw invalidRule(`condition.levels[${i}].percent`, 'a percentage above 0', percent);
    return { percent, severity: oneOf(l.severity ?? 'warning', SEVERITIES, `condition.levels[${i}].severity`) as Severity };
  });
  levels.forEach((l, i) => {
    if (i > 0 && l.percent <= levels[i - 1].percent) throw invalidRule(`condition.levels[${i}].percent`, `more than the level before (${levels[i - 1].percent})`, l.percent);
  });
  return levels;
}

function validFilter(input: unknown): string {
  if (input === undefined || input === null || input === '') return '';
  if (typeof input !== 'string') throw invalidRule('filter', 'the filter language as a string', input);
  try {
    parseFilterInput(input);
  } catch (err) {
    if (err instanceof FilterError) throw invalidRule('filter', `a valid filter (${err.message})`, undefined, { cause: err });
    throw err;
  }
  return input;
}

/** `property.Feature` is accepted for `property:Feature` (the filter language's spelling). */
function validGroupBy(input: unknown): string {
  if (input === undefined || input === null || input === '') return '';
  if (typeof input !== 'string') throw invalidRule('groupBy', 'a dimension name', input);
  const groupBy = input.startsWith('property.') ? `property:${input.slice('property.'.length)}` : input;
  try {
    groupSpec(groupBy as GroupBy, new QueryParams());
  } catch (err) {
    throw invalidRule('groupBy', 'model, provider, user, session_name, prompt_id, service, environment or property:<Name>', input, { cause: err });
  }
  return groupBy;
}

function validChannels(input: unknown): AlertChannel[] {
  if (input === undefined) return [];
  if (!Array.isArray(input) || input.length > MAX_CHANNELS) throw invalidRule('channels', `a list of at most ${MAX_CHANNELS} channels`, input);
  return input.map((raw, i): AlertChannel => {
    const field = `channels[${i}]`;
    const c = object(raw, field);
    const type = oneOf(c.type, CHANNEL_TYPES, `${field}.type`) as AlertChannel['type'];
    if (type === 'email') {
      const to = typeof c.to === 'string' ? [c.to] : c.to;
      if (!Array.isArray(to) || to.length === 0 || to.some((a) => typeof a !== 'string' || !EMAIL.test(a))) throw invalidRule(`${field}.to`, 'one or more e-mail addresses', c.to);
      return { type, to: to as string[] };
    }
    const url = c.url;
    if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) throw invalidRule(`${field}.url`, 'an http(s) URL', url);
    if (type === 'slack') return { type, url };
    if (typeof c.secret !== 'string' || c.secret.length < MIN_SECRET) throw invalidRule(`${field}.secret`, `a secret of at least ${MIN_SECRET} characters (the HMAC key receivers verify with)`, c.secret === undefined ? undefined : '(too short)');
    return { type, url, secret: c.secret };
  });
}

function object(input: unknown, field: string): Json {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw invalidRule(field, 'an object', input);
  return input as Json;
}

function oneOf(value: unknown, allowed: readonly string[], field: string): string {
  if (typeof value !== 'string' || !allowed.includes(value)) throw invalidRule(field, `one of ${allowed.join(', ')}`, value);
  return value;
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidRule(field, 'a number', value);
  return value;
}
