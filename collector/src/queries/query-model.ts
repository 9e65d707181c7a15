/**
 * The shapes of the query layer (issue 4): what the ClickHouse queries return, what the HTTP API
 * serves as JSON, what the CLI and the dashboard read. One source of truth for all three; the
 * OpenAPI description (api/openapi.ts) spells the same shapes.
 *
 * Conventions: times are ISO-8601 UTC strings in JSON (`2026-11-23T10:00:00.000Z`), durations in
 * milliseconds (floats), money in USD (floats), token counts as numbers; a value that was never
 * recorded is `null`, never 0. "Requests" are the spans that are model calls (`is_model_call = 1`);
 * agent/workflow/tool spans appear in trees, not in request lists or cost analytics.
 */
import type { FilterExpression } from './filter/filter-expression.js';

/** A half-open time range [from, to). */
export interface TimeRange {
  from: Date;
  to: Date;
}

/** Every query runs for exactly one project (the caller's, from its API key). */
export interface ProjectScope {
  projectId: string;
}

// ---------------------------------------------------------------------------------------------
// Trees
// ---------------------------------------------------------------------------------------------

/** Sums over a node and everything under it. Cost and tokens add up the model calls only. */
export interface RollupTotals {
  spans: number;
  modelCalls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  reasoningTokens: number;
  costUsd: number;
}

/**
 * One node of a trace or session tree. `kind: 'span'` is a stored span; in a session tree,
 * `kind: 'path'` nodes are the session-path segments (`/research/search-2`) that group the spans
 * recorded under them, placed under the span those spans' parent is (session-layout.ts, issue 11
 * item 6), and `kind: 'trace'` holds the spans of one trace that have neither path nor parent.
 */
export interface TreeNode {
  kind: 'span' | 'path' | 'trace';
  /** The span id; for `path` nodes the full path; for `trace` nodes the trace id. */
  id: string;
  /** Span name, or the path segment / trace id for synthetic nodes. */
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  startTime: string;
  durationMs: number;
  status: 'unset' | 'ok' | 'error';
  statusMessage: string;
  errorType: string;
  isModelCall: boolean;
  provider: string;
  operation: string;
  /** Response model when known, else the requested model. */
  model: string;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  ttftMs: number | null;
  userId: string;
  sessionId: string;
  sessionPath: string;
  /** This node and its subtree. */
  totals: RollupTotals;
  children: TreeNode[];
}

export interface SpanTree {
  /** The trace id or session id asked for. */
  id: string;
  kind: 'trace' | 'session';
  traceIds: string[];
  startTime: string;
  /** From the first start to the last end. */
  durationMs: number;
  totals: RollupTotals;
  roots: TreeNode[];
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

export interface RequestListQuery extends ProjectScope {
  range?: TimeRange;
  filter?: FilterExpression;
  /** Default 50, at most 500. */
  limit?: number;
  /** The `nextCursor` of the previous page; opaque to callers. */
  cursor?: string;
}

export interface RequestSummary {
  traceId: string;
  spanId: string;
  startTime: string;
  durationMs: number;
  name: string;
  provider: string;
  operation: string;
  model: string;
  requestModel: string;
  responseModel: string;
  userId: string;
  sessionId: string;
  sessionName: string;
  sessionPath: string;
  promptId: string;
  serviceName: string;
  environment: string;
  status: 'unset' | 'ok' | 'error';
  errorType: string;
  /** Which retry of its request this call is (`http.request.resend_count`): 0 for a first attempt. */
  resendCount: number;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheCreationTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
  ttftMs: number | null;
  properties: Record<string, string>;
}

export interface RequestPage {
  items: RequestSummary[];
  /** null on the last page. */
  nextCursor: string | null;
}

/** One request in full: every attribute, the resource, events, and the captured content if any. */
export interface RequestDetail extends RequestSummary {
  parentSpanId: string;
  kind: string;
  statusMessage: string;
  scopeName: string;
  scopeVersion: string;
  costStatus: string;
  pricedModel: string;
  cost: { inputUsd: number | null; outputUsd: number | null; cacheReadUsd: number | null; cacheWriteUsd: number | null; totalUsd: number | null };
  /**
   * Attributes as stored (a map of strings, as the OpenTelemetry Collector's ClickHouse exporter
   * keeps them): a string attribute as it was sent, any other value (number, boolean, array,
   * map) as its JSON text, e.g. `"3000"`, `"true"`, `"[\"a\",\"b\"]"`.
   */
  attributes: Record<string, string>;
  /** The resource's attributes, stored the same way. */
  resourceAttributes: Record<string, string>;
  /** The span's events in the order sent, their attributes stored the same way. */
  events: Array<{ name: string; time: string; attributes: Record<string, string> }>;
  /** Parsed from the GenAI content attributes when they were captured (opt-in), else null. */
  content: { system: unknown; input: unknown; output: unknown } | null;
}

// ---------------------------------------------------------------------------------------------
// Analytics
// ---------------------------------------------------------------------------------------------

/** `property:<Name>` groups by a custom property (names are matched case-insensitively). */
export type GroupBy = 'model' | 'provider' | 'user' | 'session_name' | 'prompt_id' | 'service' | 'environment' | `property:${string}`;

export type Bucket = 'hour' | 'day';

export interface AnalyticsQuery extends ProjectScope {
  range: TimeRange;
  /** Split into time buckets; absent: one row per group over the whole range. */
  bucket?: Bucket;
  groupBy?: GroupBy;
  filter?: FilterExpression;
  /** Groups kept, by cost descending (the others are summed into `(other)`); default 20. */
  limit?: number;
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface UsageFigures {
  costUsd: number;
  requests: number;
  errors: number;
  /** errors / requests, 0 when there are no requests. */
  errorRate: number;
  /** Calls that were a retry of an earlier request (resend_count > 0); each retry is also one of `requests`. */
  retries: number;
  /** Calls answered by the response cache in the app's process (issue 14); each is also one of `requests`, at 0 cost. */
  cacheHits: number;
  /** cacheHits / requests, 0 when there are no requests. */
  cacheHitRate: number;
  /** USD the cache hits saved: what their replayed calls' usage costs (pricing/cache-savings.ts). */
  savedUsd: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  reasoningTokens: number;
  latencyMs: Percentiles;
  ttftMs: Percentiles;
}

export interface AnalyticsRow extends UsageFigures {
  /** Bucket start, when bucketed. */
  bucket?: string;
  /** The group's value ('' when the field was empty), when grouped. */
  group?: string;
}

export interface AnalyticsResult {
  rows: AnalyticsRow[];
  totals: UsageFigures;
}

export interface SessionStatsQuery extends ProjectScope {
  range: TimeRange;
  filter?: FilterExpression;
}

export interface SessionNameStats {
  sessionName: string;
  sessions: number;
  avgCostUsd: number;
  p50CostUsd: number | null;
  p95CostUsd: number | null;
  maxCostUsd: number;
  /** Sessions whose cost lies above p95 (at most 10, costliest first). */
  outliers: Array<{ sessionId: string; costUsd: number; requests: number; startTime: string }>;
}

// ---------------------------------------------------------------------------------------------
// The service the HTTP API and the dashboard call (implemented by query-service.ts on ClickHouse)
// ---------------------------------------------------------------------------------------------

import type { RateLimitHit, RateLimitHitsQuery } from './rate-limit-hits.js';

export interface QueryApi {
  /** null when the project has no span of that trace. */
  traceTree(scope: ProjectScope & { traceId: string }): Promise<SpanTree | null>;
  /** null when the project has no span of that session. */
  sessionTree(scope: ProjectScope & { sessionId: string }): Promise<SpanTree | null>;
  listRequests(query: RequestListQuery): Promise<RequestPage>;
  /** null when not found in the project. */
  getRequest(scope: ProjectScope & { traceId: string; spanId: string }): Promise<RequestDetail | null>;
  analytics(query: AnalyticsQuery): Promise<AnalyticsResult>;
  /** Top-N users by cost over the range (analytics grouped by user, no `(other)` row). */
  topUsers(query: ProjectScope & { range: TimeRange; limit?: number; filter?: FilterExpression }): Promise<AnalyticsRow[]>;
  sessionStats(query: SessionStatsQuery): Promise<SessionNameStats[]>;
  /** Who hit rate limits and budgets (rate-limit-hits.ts); optional for other implementations. */
  rateLimitHits?(query: RateLimitHitsQuery): Promise<RateLimitHit[]>;
}
