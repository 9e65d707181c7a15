/**
 * How a row of SUMMARY_COLUMNS (processors/src/storage/span-reads.ts) becomes a
 * RequestSummary; lists and details share it.
 */
import type { RequestSummary } from './query-model.js';
import { isoOfNs, msOfNs, numberOrNull } from './query-sql.js';

export interface SummaryRow {
  trace_id: string;
  span_id: string;
  start_time_ns: string;
  duration_ns: string;
  name: string;
  provider: string;
  operation: string;
  request_model: string;
  response_model: string;
  user_id: string;
  session_id: string;
  session_name: string;
  session_path: string;
  prompt_id: string;
  service_name: string;
  environment: string;
  status_code: 'unset' | 'ok' | 'error';
  error_type: string;
  resend_count: number;
  input_tokens: string | null;
  output_tokens: string | null;
  cache_read_tokens: string | null;
  cache_creation_tokens: string | null;
  reasoning_tokens: string | null;
  cost_total_usd: number | null;
  ttft_seconds: number | null;
  properties: Record<string, string>;
}

export function requestSummary(row: SummaryRow): RequestSummary {
  const ttft = numberOrNull(row.ttft_seconds);
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    startTime: isoOfNs(row.start_time_ns),
    durationMs: msOfNs(row.duration_ns),
    name: row.name,
    provider: row.provider,
    operation: row.operation,
    model: row.response_model !== '' ? row.response_model : row.request_model,
    requestModel: row.request_model,
    responseModel: row.response_model,
    userId: row.user_id,
    sessionId: row.session_id,
    sessionName: row.session_name,
    sessionPath: row.session_path,
    promptId: row.prompt_id,
    serviceName: row.service_name,
    environment: row.environment,
    status: row.status_code,
    errorType: row.error_type,
    resendCount: Number(row.resend_count) || 0,
    inputTokens: numberOrNull(row.input_tokens),
    outputTokens: numberOrNull(row.output_tokens),
    cacheReadTokens: numberOrNull(row.cache_read_tokens),
    cacheCreationTokens: numberOrNull(row.cache_creation_tokens),
    reasoningTokens: numberOrNull(row.reasoning_tokens),
    costUsd: numberOrNull(row.cost_total_usd),
    ttftMs: ttft === null ? null : ttft * 1000,
    properties: row.properties,
  };
}
