/** Rows of the figures query (analytics-sql.ts) as UsageFigures / AnalyticsRow. */
import type { AnalyticsRow, Bucket, Percentiles, UsageFigures } from './query-model.js';
import { bucketStart } from './analytics-sql.js';

/** One row of the `full` figure set as the JSON format gives it (UInt64 as strings). */
export interface FigureRow {
  bucket: number | string;
  g: string;
  requests: string;
  errors: string;
  retries: string;
  cost_usd: number;
  input_tokens: string;
  output_tokens: string;
  cache_read_tokens: string;
  cache_creation_tokens: string;
  reasoning_tokens: string;
  cache_hits: string;
  saved_usd: number;
  latency_n: string;
  latency_p: number[];
  ttft_n: string;
  ttft_p: number[];
}

export function usageFigures(row: FigureRow | undefined): UsageFigures {
  const requests = Number(row?.requests ?? 0);
  const errors = Number(row?.errors ?? 0);
  const cacheHits = Number(row?.cache_hits ?? 0);
  return {
    costUsd: Number(row?.cost_usd ?? 0),
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    retries: Number(row?.retries ?? 0),
    inputTokens: Number(row?.input_tokens ?? 0),
    outputTokens: Number(row?.output_tokens ?? 0),
    cacheReadTokens: Number(row?.cache_read_tokens ?? 0),
    cacheCreationTokens: Number(row?.cache_creation_tokens ?? 0),
    reasoningTokens: Number(row?.reasoning_tokens ?? 0),
    cacheHits,
    cacheHitRate: requests === 0 ? 0 : cacheHits / requests,
    savedUsd: Number(row?.saved_usd ?? 0),
    latencyMs: percentiles(row?.latency_p, Number(row?.latency_n ?? 0)),
    ttftMs: percentiles(row?.ttft_p, Number(row?.ttft_n ?? 0)),
  };
}

export function analyticsRow(row: FigureRow, bucket: Bucket | undefined, grouped: boolean): AnalyticsRow {
  const result: AnalyticsRow = usageFigures(row);
  if (bucket) result.bucket = bucketStart(bucket, row.bucket);
  if (grouped) result.group = row.g;
  return result;
}

/** null when no value went in. */
function percentiles(values: number[] | undefined, count: number): Percentiles {
  const at = (i: number) => {
    const v = Number(values?.[i]);
    return count > 0 && Number.isFinite(v) ? v : null;
  };
  return { p50: at(0), p95: at(1), p99: at(2) };
}
