/**
 * The alert engine's counters, part of the collector's (telemetry/collector-counters.ts) and so
 * exposed at /metrics (`tokentrace_collector_alert_deliveries_failed_total`) and /health.
 */
export const ALERT_COUNTER_NAMES = [
  'alert_rounds',
  /** A scan or an anomaly rule that could not be evaluated (its rules keep their state this round). */
  'alert_evaluation_failures',
  'alert_notifications',
  /** Deliveries that failed for good (after the last attempt, or refused by the receiver). */
  'alert_deliveries_failed',
  'alert_delivery_retries',
] as const;
export type AlertCounterName = (typeof ALERT_COUNTER_NAMES)[number];
