/** Alerts (issue 13, section 1): rules, their evaluation and lifecycle, history, channels. README.md describes the rule format. */
export { AlertService, MAX_HISTORY_LIMIT, type AlertServiceOptions } from './alert-service.js';
export { type RoundReport, type RuleTestResult } from './alert-engine.js';
export { ALERT_COUNTER_NAMES, type AlertCounterName } from './alert-counters.js';
export { AlertError, type AlertErrorCode } from './alert-error.js';
export { ALERT_METRICS, BUDGET_BASES, FORECAST_BOUNDS, SEVERITIES, RULE_DEFAULTS, type AlertRule, type StoredRule, type AlertChannel, type AlertCondition, type AlertMetric, type BudgetBasis, type ForecastBound } from './alert-rule.js';
export { validateRule } from './rule-validate.js';
export { ALERT_EVENT_KINDS, type AlertNotification, type AlertEventKind, type Explain, type Finding as NotificationFinding } from './notification.js';
export type { HistoryEntry, HistoryDelivery } from './alert-history.js';
export type { BudgetForecast } from './forecast-budget.js';
export { webhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './channels/webhook-channel.js';
export { slackMessage } from './channels/slack-channel.js';
export { AlertScheduler, SYSTEM_CLOCK, type SchedulerClock } from './alert-scheduler.js';
