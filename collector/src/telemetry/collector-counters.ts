/**
 * The collector's own counters (received, stored, spooled, retried, rejected, ...), exposed in the
 * Prometheus text format at GET /metrics and as JSON at GET /health.
 */
import { ALERT_COUNTER_NAMES } from '../alerts/alert-counters.js';

export const COUNTER_NAMES = [
  'spans_received',
  'spans_rejected',
  /** Accepted, but with content changed to be storable or to fit the span limits (`tokentrace.sanitized`). */
  'spans_sanitized',
  'spans_stored',
  'spans_spooled',
  /** Refused by ClickHouse as bad data: kept in the spool's rejected/ folder, not stored. */
  'spans_set_aside',
  'spans_forwarded',
  'insert_retries',
  'requests_refused_backpressure',
  'requests_malformed',
  'requests_unauthenticated',
  ...ALERT_COUNTER_NAMES,
] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];

export class CollectorCounters {
  private readonly values = new Map<CounterName, number>(COUNTER_NAMES.map((n) => [n, 0]));

  add(name: CounterName, value = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + value);
  }

  get(name: CounterName): number {
    return this.values.get(name) ?? 0;
  }

  snapshot(): Record<CounterName, number> {
    return Object.fromEntries(this.values) as Record<CounterName, number>;
  }

  /** Prometheus exposition format, one counter per line. */
  toPrometheus(): string {
    return [...this.values].map(([name, value]) => `# TYPE tokentrace_collector_${name} counter\ntokentrace_collector_${name}_total ${value}`).join('\n') + '\n';
  }
}
