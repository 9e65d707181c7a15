/**
 * Builds SpanRecords for the known dataset the way the collector's processors leave them: the raw
 * OTLP attributes as instrumentation sends them, plus the normalized `genAi`, priced `cost` and
 * derived `session` fields. Loading these through the real exporter gives exactly the rows
 * production writes (known-dataset.ts says what is in them).
 */
import type { CostFields, GenAiFields, SpanRecord } from '@tokentrace/processors';
import { sessionStep } from '@tokentrace/processors';
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_SERVICE_NAME,
  ATTR_TOKENTRACE_SESSION_ID,
  ATTR_TOKENTRACE_SESSION_NAME,
  ATTR_TOKENTRACE_SESSION_PATH,
  ATTR_USER_ID,
  propertyAttribute,
} from '@tokentrace/semconv';

/** What a test writes about one span; everything else gets a plain default. */
export interface SpanSpec {
  project: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** Milliseconds since the epoch. */
  startMs: number;
  durationMs: number;
  service: string;
  environment: string;
  operation: string;
  provider?: string;
  requestModel?: string;
  responseModel?: string;
  user?: string;
  session?: { id: string; name?: string; path?: string };
  promptId?: string;
  properties?: Record<string, string>;
  error?: { type: string; message: string };
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheCreationTokens?: number;
  reasoningTokens?: number;
  ttftMs?: number;
  /** `http.request.resend_count`: the call is the n-th retry of its request. */
  resendCount?: number;
  /** Omitted for spans that are not model calls; `status` alone for unknown models. */
  cost?: CostFields;
  /** Extra raw attributes (captured content, tool names). */
  attributes?: Record<string, string | number | boolean>;
  events?: SpanRecord['events'];
}

const MODEL_CALLS = new Set(['chat', 'text_completion', 'embeddings', 'generate_content']);
const NS_PER_MS = 1_000_000n;
const resources = new Map<string, SpanRecord['resourceAttributes']>();

export function spanRecord(spec: SpanSpec): SpanRecord {
  const isModelCall = MODEL_CALLS.has(spec.operation);
  const genAi: GenAiFields = {
    operation: spec.operation,
    provider: spec.provider,
    requestModel: spec.requestModel,
    responseModel: spec.responseModel,
    inputTokens: spec.inputTokens,
    outputTokens: spec.outputTokens,
    cacheReadInputTokens: spec.cacheReadTokens,
    cacheCreationInputTokens: spec.cacheCreationTokens,
    reasoningOutputTokens: spec.reasoningTokens,
    timeToFirstChunk: spec.ttftMs === undefined ? undefined : spec.ttftMs / 1000,
    userId: spec.user,
    sessionId: spec.session?.id,
    sessionName: spec.session?.name,
    sessionPath: spec.session?.path,
    promptId: spec.promptId,
    errorType: spec.error?.type,
    resendCount: spec.resendCount,
    properties: spec.properties ?? {},
    isModelCall,
  };
  for (const key of Object.keys(genAi) as (keyof GenAiFields)[]) if (genAi[key] === undefined) delete genAi[key];

  const attributes: SpanRecord['attributes'] = { [ATTR_GEN_AI_OPERATION_NAME]: spec.operation };
  const put = (key: string, value: string | number | undefined) => {
    if (value !== undefined) attributes[key] = value;
  };
  put(ATTR_GEN_AI_PROVIDER_NAME, spec.provider);
  put(ATTR_GEN_AI_REQUEST_MODEL, spec.requestModel);
  put(ATTR_GEN_AI_RESPONSE_MODEL, spec.responseModel);
  put(ATTR_GEN_AI_USAGE_INPUT_TOKENS, spec.inputTokens);
  put(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, spec.outputTokens);
  put(ATTR_USER_ID, spec.user);
  put(ATTR_TOKENTRACE_SESSION_ID, spec.session?.id);
  put(ATTR_TOKENTRACE_SESSION_NAME, spec.session?.name);
  put(ATTR_TOKENTRACE_SESSION_PATH, spec.session?.path);
  put(ATTR_ERROR_TYPE, spec.error?.type);
  put(ATTR_HTTP_REQUEST_RESEND_COUNT, spec.resendCount);
  for (const [name, value] of Object.entries(spec.properties ?? {})) put(propertyAttribute(name), value);
  Object.assign(attributes, spec.attributes);

  const resourceKey = `${spec.service}\n${spec.environment}`;
  let resourceAttributes = resources.get(resourceKey);
  if (!resourceAttributes) {
    resourceAttributes = { [ATTR_SERVICE_NAME]: spec.service, [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: spec.environment };
    resources.set(resourceKey, resourceAttributes);
  }
  const start = BigInt(Math.round(spec.startMs * 1000)) * (NS_PER_MS / 1000n);
  const record: SpanRecord = {
    projectId: spec.project,
    traceId: spec.traceId,
    spanId: spec.spanId,
    parentSpanId: spec.parentSpanId ?? '',
    name: spec.name,
    kind: isModelCall ? 3 : 1,
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(Math.round(spec.durationMs * 1000)) * (NS_PER_MS / 1000n),
    statusCode: spec.error ? 2 : isModelCall ? 1 : 0,
    statusMessage: spec.error?.message ?? '',
    attributes,
    resourceAttributes,
    scopeName: '@tokentrace/instrumentation',
    scopeVersion: '0.1.0',
    events: spec.events ?? [],
    genAi,
    cost: spec.cost ?? (isModelCall ? undefined : { status: 'not_a_model_call' }),
  };
  if (spec.session) record.session = { id: spec.session.id, ...sessionStep(spec.session.path), ...(spec.session.name ? { name: spec.session.name } : {}) };
  return record;
}

/** A lower-case hex id of `length` characters ending in `n` (readable in test failures). */
export function hexId(prefix: string, n: number, length: 16 | 32): string {
  const tail = n.toString(16);
  return (prefix + '0'.repeat(length)).slice(0, length - tail.length) + tail;
}

/** A 100 ms chat call to model `m` of project `project`, the n-th of a test (ids from `idPrefix`, two hex digits). */
export function chatCall(project: string, n: number, startMs: number, idPrefix: string): SpanRecord {
  return spanRecord({ project, traceId: hexId(`${idPrefix}0`, n, 32), spanId: hexId(`${idPrefix}1`, n, 16), name: 'chat m', startMs, durationMs: 100, service: 's', environment: 'e', operation: 'chat', provider: 'openai', requestModel: 'm' });
}
