/**
 * What a notification says (issue 13: "alerts that explain themselves"): one JSON payload, the
 * same for every channel (the webhook sends it as is; Slack and e-mail render its title, message,
 * findings and links). Cost and budget notifications carry the explainer's top findings for
 * their window when an `Explain` is wired in; every notification links to the dashboard.
 */
import { randomUUID } from 'node:crypto';
import type { AlertMetric, AlertRule, Severity } from './alert-rule.js';
import { formatMetric, metricLabel } from './alert-metrics.js';
import type { BudgetForecast } from './forecast-budget.js';
import { forecastFigure, forecastHeading, formatForecastUsd, ordinal, ordinalDay } from '../insights/forecast/forecast-summary.js';

/** One finding of the spend-change explainer, as a notification shows it. */
export interface Finding {
  /** A sentence: "prompt triage-classifier-v1: input tokens per request 512 → 1,030 at 14:00 UTC". */
  summary: string;
  /** The dollars this finding explains, when known. */
  impactUsd?: number;
  /** A dashboard link that shows it. */
  link?: string;
}

/**
 * The explainer's top findings for a project's window (wired in by the collector once the
 * explainer exists; absent: notifications carry no findings).
 */
export type Explain = (projectId: string, window: { from: Date; to: Date }) => Promise<Finding[]>;

export const ALERT_EVENT_KINDS = ['firing', 'escalated', 'repeat', 'resolved', 'test'] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

export interface AlertNotification {
  type: 'tokentrace.alert';
  version: 1;
  /** Unique per notification; history rows of its deliveries carry it. */
  id: string;
  event: AlertEventKind;
  time: string;
  projectId: string;
  rule: Pick<AlertRule, 'id' | 'name' | 'metric' | 'window' | 'condition' | 'filter' | 'groupBy'>;
  /** The group that crossed (`{ by: 'user', value: 'u-42' }`); null for an ungrouped rule. */
  group: { by: string; value: string } | null;
  severity: Severity;
  value: number | null;
  /** The threshold, or the budget level's amount, or the recent normal of an anomaly rule. */
  threshold: number | null;
  /** A budget rule: the share of the budget spent, in percent, and the level reached. */
  budget?: { amount: number; percentSpent: number; level: number };
  /** A budget on the forecast: the billing period's forecast, the figure compared, spend so far, when the budget runs out. */
  forecast?: BudgetForecast;
  requests: number;
  window: { from: string; to: string };
  title: string;
  message: string;
  dashboardUrl: string;
  requestsUrl: string;
  findings: Finding[];
}

export interface NotificationInput {
  event: AlertEventKind;
  nowMs: number;
  projectId: string;
  rule: AlertRule;
  group: string;
  severity: Severity;
  value: number | null;
  threshold: number | null;
  budget?: AlertNotification['budget'];
  forecast?: BudgetForecast;
  /** The day billing periods start on (`calendar_month` windows); default 1. */
  billingDay?: number;
  requests: number;
  window: { fromMs: number; toMs: number };
  /** For anomaly rules: the sentence the detector gave. */
  detail?: string;
  /** A test notification of a rule that would not fire now says so. */
  breached?: boolean;
  findings: Finding[];
  /** The dashboard's base URL (`http://127.0.0.1:4318/dashboard/`). */
  dashboardBase: string;
}

export function buildNotification(n: NotificationInput): AlertNotification {
  const { rule } = n;
  const group = rule.groupBy ? { by: rule.groupBy, value: n.group } : null;
  const subject = `${metricLabel(rule.metric)} ${windowText(rule.window, n.billingDay ?? 1)}${group ? ` for ${groupText(group)}` : ''}`;
  const value = formatMetric(rule.metric, n.value);
  const title = `[${n.event === 'resolved' ? 'resolved' : n.severity}] ${rule.name}`;
  const message = n.detail ?? (n.forecast && n.budget ? forecastSentence(n, n.forecast, n.budget.amount, group) : sentence(n, subject, value));
  const from = new Date(n.window.fromMs).toISOString();
  const to = new Date(n.window.toMs).toISOString();
  return {
    type: 'tokentrace.alert',
    version: 1,
    id: randomUUID(),
    event: n.event,
    time: new Date(n.nowMs).toISOString(),
    projectId: n.projectId,
    rule: { id: rule.id, name: rule.name, metric: rule.metric, window: rule.window, condition: rule.condition, filter: rule.filter, groupBy: rule.groupBy },
    group,
    severity: n.severity,
    value: n.value,
    threshold: n.threshold,
    ...(n.budget ? { budget: n.budget } : {}),
    ...(n.forecast ? { forecast: n.forecast } : {}),
    requests: n.requests,
    window: { from, to },
    title,
    message,
    dashboardUrl: `${n.dashboardBase}#/alerts/${encodeURIComponent(rule.id)}`,
    requestsUrl: `${n.dashboardBase}#/requests?${new URLSearchParams({ filter: requestsFilter(rule, group), from, to })}`,
    findings: n.findings,
  };
}

function sentence(n: NotificationInput, subject: string, value: string): string {
  const capital = subject[0].toUpperCase() + subject.slice(1);
  const threshold = formatMetric(n.rule.metric, n.threshold);
  const condition = n.rule.condition;
  if (condition.type === 'budget' && n.budget) {
    const budget = formatMetric(n.rule.metric, n.budget.amount);
    if (n.event === 'resolved' || (n.event === 'test' && n.breached === false)) return `${n.event === 'test' ? 'Test: ' : ''}${capital} is ${value}, below the first level of the ${budget} budget.`;
    return `${capital} is ${value}: ${Math.round(n.budget.percentSpent)} % of the ${budget} budget (level ${n.budget.level} %).`;
  }
  const op = condition.type === 'threshold' ? condition.op : 'above';
  if (n.event === 'resolved') return `${capital} is back to ${value} (${op} ${threshold} is the alert).`;
  if (n.event === 'test' && n.breached === false) return `Test: ${subject} is ${value} (${n.requests.toLocaleString('en-US')} requests); the alert fires ${op} ${threshold}.`;
  return `${capital} is ${value}, ${op} ${threshold} (${n.requests.toLocaleString('en-US')} requests).`;
}

/**
 * A budget on the forecast, as the forecast card says it (issue 13 §3): "Month-end forecast $3,870
 * (80 %: $3,410–$4,390) exceeds the $3,500 budget; $2,010 spent so far; at this rate the budget
 * runs out on the 29th".
 */
function forecastSentence(n: NotificationInput, f: BudgetForecast, amount: number, group: { by: string; value: string } | null): string {
  const heading = `${forecastHeading(f.periodEnd, (n.billingDay ?? 1) === 1)}${group ? ` for ${groupText(group)}` : ''}`;
  const compared = f.bound === 'high80' ? ': its 80 % high end' : '';
  const budget = `the ${formatForecastUsd(amount)} budget`;
  const spent = `${formatForecastUsd(f.spentUsd)} spent so far`;
  const first = n.rule.condition.type === 'budget' ? n.rule.condition.levels[0].percent : 100;
  if (n.event === 'resolved' || (n.event === 'test' && n.breached === false)) {
    return `${n.event === 'test' ? 'Test: ' : ''}${heading} ${forecastFigure(f)}${compared} is ${n.event === 'resolved' ? 'back ' : ''}under ${first === 100 ? budget : `the first level (${first} %) of ${budget}`}; ${spent}.`;
  }
  const share = Math.round((f.comparedUsd / amount) * 100);
  const where = f.comparedUsd > amount ? `exceeds ${budget}` : `is ${share} % of ${budget} (level ${n.budget?.level} %)`;
  const outlook = f.exhaustedOn
    ? `the budget ran out on ${ordinalDay(f.exhaustedOn)}`
    : f.runsOutOn
      ? `at this rate the budget runs out on ${ordinalDay(f.runsOutOn)}`
      : `the budget should last (${Math.round(f.exceedProbability * 100)} % chance of exceeding it)`;
  return `${heading} ${forecastFigure(f)}${compared} ${where}; ${spent}; ${outlook}.`;
}

function windowText(window: string, billingDay: number): string {
  if (window === 'calendar_day') return 'today (UTC)';
  if (window === 'calendar_month') return billingDay === 1 ? 'this month (UTC)' : `this billing period (from the ${ordinal(billingDay)}, UTC)`;
  return `over the last ${window}`;
}

function groupText(group: { by: string; value: string }): string {
  const by = group.by.startsWith('property:') ? group.by.slice('property:'.length) : group.by.replace(/_/g, ' ');
  return `${by} ${group.value === '' ? '(none)' : group.value}`;
}

/** The rule's filter and its group, in the filter language, for the requests link. */
function requestsFilter(rule: AlertRule, group: { by: string; value: string } | null): string {
  const parts = rule.filter ? [`(${rule.filter})`] : [];
  if (group) {
    const field = group.by.startsWith('property:') ? `property.${group.by.slice('property:'.length)}` : group.by;
    parts.push(`${field} = ${JSON.stringify(group.value)}`);
  }
  return parts.join(' and ');
}

/** Whether a notification of this rule should carry the explainer's findings. */
export function wantsFindings(metric: AlertMetric, event: AlertEventKind): boolean {
  return metric === 'cost' && event !== 'resolved';
}
