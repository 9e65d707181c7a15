/**
 * The JSON Schemas of the query API's bodies, spelled after query/query-model.ts (the shared
 * contract) and filter/filter-expression.ts. Objects are closed (`additionalProperties: false`)
 * and list every required field, so a response that drifts from the description fails the
 * conformance test (query-router.test.ts validates real answers against these).
 */
import { FILTER_OPERATORS } from '../queries/filter/filter-expression.js';
import type { JsonSchema } from './openapi-types.js';

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
export const str = (description?: string): JsonSchema => ({ type: 'string', ...(description ? { description } : {}) });
const time: JsonSchema = { type: 'string', format: 'date-time', description: 'ISO-8601 UTC' };
export const int: JsonSchema = { type: 'integer', minimum: 0 };
export const num: JsonSchema = { type: 'number' };
const nullableInt: JsonSchema = { type: ['integer', 'null'], minimum: 0, description: 'null when never recorded' };
const nullableNum: JsonSchema = { type: ['number', 'null'], description: 'null when never recorded' };
const status: JsonSchema = { type: 'string', enum: ['unset', 'ok', 'error'] };
const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };
/** Attributes as stored: strings as sent, other values (numbers, booleans, arrays, maps) as their JSON text. */
const attributeMap = (what: string): JsonSchema => ({
  ...stringMap,
  description: `${what} as stored: a string value as sent, any other value as its JSON text (e.g. "3000", "true", "[\"a\",\"b\"]")`,
});

/** A closed object whose properties are all required unless listed in `optional`. */
export function object(properties: Record<string, JsonSchema>, description?: string, optional: string[] = []): JsonSchema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
  };
}

const rollupTotals = object(
  { spans: int, modelCalls: int, errors: int, inputTokens: int, outputTokens: int, cacheReadTokens: int, reasoningTokens: int, costUsd: num },
  'Sums over a node and everything under it; cost and tokens add up the model calls only.',
);

const treeNode = object({
  kind: { type: 'string', enum: ['span', 'path', 'trace'], description: '`path`/`trace` are synthetic grouping nodes of a session tree: a `path` node sits under the span its spans\' parent is (at the root when that is not in the session), a `trace` node holds the spans without a path or parent' },
  id: str('span id; the full path for `path` nodes; the trace id for `trace` nodes'),
  name: str(), traceId: str(), spanId: str(), parentSpanId: str(), startTime: time, durationMs: num,
  status, statusMessage: str(), errorType: str(), isModelCall: { type: 'boolean' },
  provider: str(), operation: str(), model: str('response model when known, else the requested model'),
  inputTokens: nullableInt, outputTokens: nullableInt, costUsd: nullableNum, ttftMs: nullableNum,
  userId: str(), sessionId: str(), sessionPath: str(),
  totals: ref('RollupTotals'),
  children: { type: 'array', items: ref('TreeNode') },
}, 'One node of a trace or session tree.');

const spanTree = object({
  id: str('the trace id or session id asked for'),
  kind: { type: 'string', enum: ['trace', 'session'] },
  traceIds: { type: 'array', items: str() },
  startTime: time,
  durationMs: { type: 'number', description: 'first start to last end' },
  totals: ref('RollupTotals'),
  roots: { type: 'array', items: ref('TreeNode') },
});

const requestSummaryProperties: Record<string, JsonSchema> = {
  traceId: str(), spanId: str(), startTime: time, durationMs: num, name: str(), provider: str(), operation: str(),
  model: str(), requestModel: str(), responseModel: str(), userId: str(), sessionId: str(), sessionName: str(),
  sessionPath: str(), promptId: str(), serviceName: str(), environment: str(), status, errorType: str(),
  resendCount: { ...int, description: 'which retry of its request the call is (http.request.resend_count): 0 for a first attempt, n for the n-th retry' },
  inputTokens: nullableInt, outputTokens: nullableInt, cacheReadTokens: nullableInt, cacheCreationTokens: nullableInt,
  reasoningTokens: nullableInt, costUsd: nullableNum, ttftMs: nullableNum,
  properties: { ...stringMap, description: 'custom properties, names lower-cased (they are matched case-insensitively)' },
};

const requestDetail = object({
  ...requestSummaryProperties,
  parentSpanId: str(), kind: str(), statusMessage: str(), scopeName: str(), scopeVersion: str(), costStatus: str(), pricedModel: str(),
  cost: object({ inputUsd: nullableNum, outputUsd: nullableNum, cacheReadUsd: nullableNum, cacheWriteUsd: nullableNum, totalUsd: nullableNum }),
  attributes: attributeMap("the span's attributes"),
  resourceAttributes: attributeMap("the resource's attributes"),
  events: { type: 'array', description: 'the span\'s events, in the order sent', items: object({ name: str(), time, attributes: attributeMap("the event's attributes") }) },
  content: { type: ['object', 'null'], description: 'captured GenAI content (opt-in), else null', properties: { system: {}, input: {}, output: {} }, required: ['system', 'input', 'output'], additionalProperties: false },
}, 'One request in full: every attribute, the resource, events, and the captured content if any.');

const percentiles = object(
  { p50: nullableNum, p95: nullableNum, p99: nullableNum },
  'approximate percentiles, in milliseconds, each within ±2.5 % of the exact nearest-rank value of the group (log-bucket histograms, buckets 5 % wide, reported at their geometric middle; the same calls give the same percentiles whatever the read); null when no value went in',
);
const usageProperties: Record<string, JsonSchema> = {
  costUsd: num, requests: int, errors: int, errorRate: { type: 'number', minimum: 0, maximum: 1 },
  retries: { ...int, description: 'calls that were a retry of an earlier request (resendCount > 0); each is also one of `requests`' },
  cacheHits: { ...int, description: 'calls answered by the response cache in the app (Helicone-Cache: HIT); each is also one of `requests`, at 0 cost' },
  cacheHitRate: { type: 'number', minimum: 0, maximum: 1, description: 'cacheHits / requests' },
  savedUsd: { ...num, description: 'USD the cache hits saved: what the usage of the calls they replayed costs' },
  inputTokens: int, outputTokens: int, cacheReadTokens: int, cacheCreationTokens: int, reasoningTokens: int,
  latencyMs: ref('Percentiles'), ttftMs: ref('Percentiles'),
};

const analyticsRow = object(
  { ...usageProperties, bucket: { ...time, description: 'bucket start, when bucketed' }, group: str("the group's value ('' when empty; `(other)` sums the groups past the limit), when grouped") },
  undefined,
  ['bucket', 'group'],
);

const sessionNameStats = object({
  sessionName: str(), sessions: int, avgCostUsd: num, p50CostUsd: nullableNum, p95CostUsd: nullableNum, maxCostUsd: num,
  outliers: { type: 'array', description: 'sessions above p95, costliest first (at most 10)', items: object({ sessionId: str(), costUsd: num, requests: int, startTime: time }) },
});

const condition: JsonSchema = {
  type: 'object',
  description: 'exactly one field (see the filter fields) with exactly one operator',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: {
    type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: false,
    properties: Object.fromEntries(FILTER_OPERATORS.map((op) => [op, { type: ['string', 'number', 'boolean', 'array'], items: { type: ['string', 'number'] } }])),
  },
};

const filterExpression: JsonSchema = {
  description: 'The JSON form of the filter language: field → operator → value, combined with and/or/not.',
  oneOf: [
    object({ and: { type: 'array', items: ref('FilterExpression'), minItems: 1 } }),
    object({ or: { type: 'array', items: ref('FilterExpression'), minItems: 1 } }),
    object({ not: ref('FilterExpression') }),
    condition,
  ],
  examples: [{ and: [{ model: { equals: 'gpt-4o' } }, { cost: { gt: 0.01 } }] }],
};

const filterInput: JsonSchema = {
  oneOf: [{ type: 'string', description: 'the text form, e.g. model = "gpt-4o" and cost > 0.01' }, ref('FilterExpression')],
};
const timeBody: Record<string, JsonSchema> = {
  since: { type: 'string', pattern: '^[0-9]+[mhd]$', description: 'back from now, e.g. 30m, 24h, 7d' },
  from: { type: 'string', description: 'ISO-8601 start (inclusive); excludes since' },
  to: { type: 'string', description: 'ISO-8601 end (exclusive); default now' },
};

export const schemas: Record<string, JsonSchema> = {
  Error: object({
    error: object({
      code: { type: 'string', enum: ['TOKENTRACE_INVALID_QUERY', 'TOKENTRACE_INVALID_FILTER', 'TOKENTRACE_NOT_FOUND', 'TOKENTRACE_UNAUTHENTICATED', 'TOKENTRACE_FORBIDDEN', 'TOKENTRACE_UNAVAILABLE', 'TOKENTRACE_INTERNAL', 'TOKENTRACE_INVALID_ALERT_RULE', 'TOKENTRACE_ALERT_RULE_NOT_FOUND'] },
      message: str(),
      position: { type: 'integer', minimum: 0, description: '0-based offset in the filter text' },
      path: str('the parameter at fault, or the JSON path in a filter expression'),
    }, undefined, ['position', 'path']),
  }),
  RollupTotals: rollupTotals,
  TreeNode: treeNode,
  SpanTree: spanTree,
  RequestSummary: object(requestSummaryProperties, 'A model call.'),
  RequestPage: object({ items: { type: 'array', items: ref('RequestSummary') }, nextCursor: { type: ['string', 'null'], description: 'null on the last page' } }),
  RequestDetail: requestDetail,
  Percentiles: percentiles,
  UsageFigures: object(usageProperties),
  AnalyticsRow: analyticsRow,
  AnalyticsResult: object({ rows: { type: 'array', items: ref('AnalyticsRow') }, totals: ref('UsageFigures') }),
  SessionNameStatsList: object({ items: { type: 'array', items: ref('SessionNameStats') } }),
  SessionNameStats: sessionNameStats,
  TopUsers: object({ items: { type: 'array', items: ref('AnalyticsRow') } }),
  RateLimitHits: object({
    items: {
      type: 'array',
      items: object({
        segment: str('whose counter: user:<id>, <property>:<value> or global'),
        policy: str("the policy in Helicone's grammar, e.g. 100;w=60;u=request;s=user"),
        limited: { ...int, description: 'calls answered 429 in the app (the provider was not called)' },
        warned: { ...int, description: 'calls over the limit sent anyway (warn mode)' },
        failedOpen: { ...int, description: 'calls sent unlimited because the counter store failed' },
        checked: { ...int, description: 'calls the policy checked' },
        lastLimitedAt: str('ISO-8601 time of the last limited call; empty when none'),
      }),
    },
  }),
  FilterExpression: filterExpression,
  RequestQuery: object({ ...timeBody, filter: filterInput, limit: { type: 'integer', minimum: 1, maximum: 500 }, cursor: str('nextCursor of the previous page') }, undefined, ['since', 'from', 'to', 'filter', 'limit', 'cursor']),
  AnalyticsQuery: object({
    ...timeBody,
    bucket: { type: 'string', enum: ['hour', 'day'] },
    groupBy: { type: 'string', pattern: '^(model|provider|user|session_name|prompt_id|service|environment|property:.+)$' },
    filter: filterInput,
    limit: { type: 'integer', minimum: 1, maximum: 500 },
  }, undefined, ['since', 'from', 'to', 'bucket', 'groupBy', 'filter', 'limit']),
};
