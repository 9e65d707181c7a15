/**
 * The figures one scan yields per (rule slot, group), and how each metric of a rule is read from
 * them and shown in a notification (USD, counts, percentages, milliseconds). Ratios and
 * percentiles of a window without requests are null: there is nothing to judge.
 */
import type { AlertMetric } from './alert-rule.js';

export interface WindowFigures {
  requests: number;
  errors: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  /** Null when the scan did not compute percentiles or there were no values. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  ttftP95Ms: number | null;
}

export const NO_FIGURES: WindowFigures = { requests: 0, errors: 0, costUsd: 0, inputTokens: 0, outputTokens: 0, latencyP50Ms: null, latencyP95Ms: null, ttftP95Ms: null };

/** Metrics whose value needs the latency / TTFT percentiles of the window. */
export const PERCENTILE_METRICS: ReadonlySet<AlertMetric> = new Set(['latency_p50', 'latency_p95', 'ttft_p95']);

export function metricValue(metric: AlertMetric, f: WindowFigures): number | null {
  switch (metric) {
    case 'cost':
      return f.costUsd;
    case 'requests':
      return f.requests;
    case 'errors':
      return f.errors;
    case 'error_rate':
      return f.requests > 0 ? f.errors / f.requests : null;
    case 'input_tokens':
      return f.inputTokens;
    case 'output_tokens':
      return f.outputTokens;
    case 'tokens_per_request':
      return f.requests > 0 ? (f.inputTokens + f.outputTokens) / f.requests : null;
    case 'latency_p50':
      return f.latencyP50Ms;
    case 'latency_p95':
      return f.latencyP95Ms;
    case 'ttft_p95':
      return f.ttftP95Ms;
  }
}

const METRIC_LABELS: Record<AlertMetric, string> = {
  cost: 'cost',
  requests: 'requests',
  errors: 'errors',
  error_rate: 'error rate',
  input_tokens: 'input tokens',
  output_tokens: 'output tokens',
  tokens_per_request: 'tokens per request',
  latency_p50: 'p50 latency',
  latency_p95: 'p95 latency',
  ttft_p95: 'p95 time to first token',
};

export function metricLabel(metric: AlertMetric): string {
  return METRIC_LABELS[metric];
}

/** `$12.40`, `1,234`, `4.2 %`, `850 ms`. */
export function formatMetric(metric: AlertMetric, value: number | null): string {
  if (value === null) return '—';
  if (metric === 'cost') return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: value < 1 ? 4 : 2 })}`;
  if (metric === 'error_rate') return `${(value * 100).toLocaleString('en-US', { maximumFractionDigits: 1 })} %`;
  if (PERCENTILE_METRICS.has(metric)) return `${Math.round(value).toLocaleString('en-US')} ms`;
  return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
}
