/**
 * One span as a tree node: the columns a tree reads from `spans` and how a row becomes a
 * TreeNode with its own totals (its subtree's are added by tree-build.ts). Trees show every span
 * (workflow, agent, tool, model call); cost and tokens count the model calls only.
 */
import type { RollupTotals, TreeNode } from './query-model.js';
import { isoOfNs, msOfNs, numberOrNull } from './query-sql.js';

/** A row of TREE_COLUMNS (processors/src/storage/span-reads.ts) as JSONEachRow gives it (UInt64 as strings). */
export interface TreeRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  name: string;
  start_time_ns: string;
  duration_ns: string;
  status_code: 'unset' | 'ok' | 'error';
  status_message: string;
  error_type: string;
  is_model_call: number;
  provider: string;
  operation: string;
  request_model: string;
  response_model: string;
  input_tokens: string | null;
  output_tokens: string | null;
  cache_read_tokens: string | null;
  reasoning_tokens: string | null;
  cost_total_usd: number | null;
  ttft_seconds: number | null;
  user_id: string;
  session_id: string;
  session_path: string;
}

export function emptyTotals(): RollupTotals {
  return { spans: 0, modelCalls: 0, errors: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, reasoningTokens: 0, costUsd: 0 };
}

export function addTotals(into: RollupTotals, from: RollupTotals): void {
  into.spans += from.spans;
  into.modelCalls += from.modelCalls;
  into.errors += from.errors;
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
  into.cacheReadTokens += from.cacheReadTokens;
  into.reasoningTokens += from.reasoningTokens;
  into.costUsd += from.costUsd;
}

/** A node's start and end in nanoseconds, kept beside the tree for durations of synthetic nodes. */
export interface NodeTimes {
  startNs: bigint;
  endNs: bigint;
}

export function spanNode(row: TreeRow): { node: TreeNode; times: NodeTimes } {
  const modelCall = Number(row.is_model_call) === 1;
  const inputTokens = numberOrNull(row.input_tokens);
  const outputTokens = numberOrNull(row.output_tokens);
  const costUsd = numberOrNull(row.cost_total_usd);
  const totals = emptyTotals();
  totals.spans = 1;
  totals.errors = row.status_code === 'error' ? 1 : 0;
  if (modelCall) {
    totals.modelCalls = 1;
    totals.inputTokens = inputTokens ?? 0;
    totals.outputTokens = outputTokens ?? 0;
    totals.cacheReadTokens = numberOrNull(row.cache_read_tokens) ?? 0;
    totals.reasoningTokens = numberOrNull(row.reasoning_tokens) ?? 0;
    totals.costUsd = costUsd ?? 0;
  }
  const ttft = numberOrNull(row.ttft_seconds);
  const startNs = BigInt(row.start_time_ns);
  const node: TreeNode = {
    kind: 'span',
    id: row.span_id,
    name: row.name,
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    startTime: isoOfNs(row.start_time_ns),
    durationMs: msOfNs(row.duration_ns),
    status: row.status_code,
    statusMessage: row.status_message,
    errorType: row.error_type,
    isModelCall: modelCall,
    provider: row.provider,
    operation: row.operation,
    model: row.response_model !== '' ? row.response_model : row.request_model,
    inputTokens,
    outputTokens,
    costUsd,
    ttftMs: ttft === null ? null : ttft * 1000,
    userId: row.user_id,
    sessionId: row.session_id,
    sessionPath: row.session_path,
    totals,
    children: [],
  };
  return { node, times: { startNs, endNs: startNs + BigInt(row.duration_ns) } };
}
