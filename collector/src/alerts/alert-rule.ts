/**
 * The alert rule (issue 13, section 1): what is measured (metric over a window, optionally
 * filtered and grouped), when it alerts (a threshold, graduated budget levels, or a departure from
 * its own recent normal), how often it may repeat, and where it notifies. The one declaration of
 * the format; rule-validate.ts turns untrusted JSON into it, README.md documents it.
 */

/** What a rule measures over its window; `cache_hit_rate` is reserved for when caching exists. */
export const ALERT_METRICS = [
  'cost',
  'requests',
  'errors',
  'error_rate',
  'input_tokens',
  'output_tokens',
  'tokens_per_request',
  'latency_p50',
  'latency_p95',
  'ttft_p95',
] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/** Sums over the window (their minimum request count defaults to 1); the others are ratios or percentiles (default 20). */
export const VOLUME_METRICS: ReadonlySet<AlertMetric> = new Set(['cost', 'requests', 'errors', 'input_tokens', 'output_tokens']);
/**
 * Metrics an anomaly rule may watch: per-request levels, whose normal holds from hour to hour
 * (sums follow the daily cycle, and a budget or threshold suits them better).
 */
export const ANOMALY_METRICS: ReadonlySet<AlertMetric> = new Set(['tokens_per_request', 'error_rate', 'latency_p50', 'latency_p95', 'ttft_p95']);

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface ThresholdCondition {
  type: 'threshold';
  op: 'above' | 'below';
  value: number;
}

export interface BudgetLevel {
  /** Percent of the budget spent (50, 80, 95, 100); each level fires once on its way up. */
  percent: number;
  severity: Severity;
}

/**
 * What a budget is compared with: `spend`, the window so far; `forecast`, the month-end forecast
 * of the billing period (insights/forecast: cost over `calendar_month` only), "projected to exceed".
 */
export const BUDGET_BASES = ['spend', 'forecast'] as const;
export type BudgetBasis = (typeof BUDGET_BASES)[number];
/**
 * Which figure of the forecast a `forecast` budget compares: `point`, the forecast (the median of
 * the simulated period totals); `high80`, the high end of its 80 % interval (earlier, more
 * cautious: fires when 1 future in 10 exceeds the level).
 */
export const FORECAST_BOUNDS = ['point', 'high80'] as const;
export type ForecastBound = (typeof FORECAST_BOUNDS)[number];

export interface BudgetCondition {
  type: 'budget';
  /** The budget for the window, in the metric's unit (USD for cost). */
  amount: number;
  /** Ascending by percent. */
  levels: BudgetLevel[];
  basis: BudgetBasis;
  /** With basis `forecast`: the figure compared (absent for `spend`). */
  forecastBound?: ForecastBound;
}

/**
 * Fires when the window's hourly values moved away from the group's own recent normal: the hourly
 * values over `baselineDays` before the window, judged by `isAnomalous` of insights/change-points
 * (robust z of the medians beyond 4). No hand-set threshold.
 */
export interface AnomalyCondition {
  type: 'anomaly';
  baselineDays: number;
  /** Smallest relative change that counts (0.25 = 25 %); guards against significant but tiny shifts. */
  minChange: number;
}

export type AlertCondition = ThresholdCondition | BudgetCondition | AnomalyCondition;

export interface WebhookChannel {
  type: 'webhook';
  url: string;
  /** HMAC-SHA256 key of the `X-Tokentrace-Signature` header (README.md: how to verify). */
  secret: string;
}

export interface SlackChannel {
  type: 'slack';
  /** A Slack incoming-webhook URL. */
  url: string;
}

export interface EmailChannel {
  type: 'email';
  to: string[];
}

export type AlertChannel = WebhookChannel | SlackChannel | EmailChannel;
export const CHANNEL_TYPES = ['webhook', 'slack', 'email'] as const;

export interface AlertRule {
  id: string;
  name: string;
  enabled: boolean;
  metric: AlertMetric;
  /**
   * `<n>m|h|d` from 5m to 30d (rolling, ending now), or `calendar_day` / `calendar_month` (UTC, so
   * far; the month starts on the billing day, `forecast.billingDay`).
   */
  window: string;
  condition: AlertCondition;
  /** The filter language (collector/src/queries/filter); empty: every model call. */
  filter: string;
  /** One alert per group that crosses: `model`, `user`, `provider`, `prompt_id`, `service`, `environment`, `session_name` or `property:<Name>`; empty: none. */
  groupBy: string;
  /** A window (or group) with fewer requests is not judged. */
  minRequests: number;
  /** While firing, notify again after this long; `0m`: never. */
  repeatInterval: string;
  /** Of a threshold or anomaly rule (a budget's come from its levels). */
  severity: Severity;
  channels: AlertChannel[];
}

export const RULE_DEFAULTS = {
  enabled: true,
  filter: '',
  groupBy: '',
  repeatInterval: '4h',
  severity: 'warning' as Severity,
  volumeMinRequests: 1,
  ratioMinRequests: 20,
  budgetLevels: [
    { percent: 50, severity: 'info' },
    { percent: 80, severity: 'warning' },
    { percent: 95, severity: 'critical' },
    { percent: 100, severity: 'critical' },
  ] as BudgetLevel[],
  budgetBasis: 'spend' as BudgetBasis,
  forecastBound: 'point' as ForecastBound,
  anomaly: { baselineDays: 7, minChange: 0.25 },
};

/** A rule as stored: the rule and the project it belongs to. */
export interface StoredRule extends AlertRule {
  projectId: string;
  /** When this version was written (ISO-8601). */
  updatedAt: string;
}
