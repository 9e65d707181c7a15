/**
 * The collector's in-memory form of one span, from the receiver to the exporters. Receivers
 * decode OTLP (protobuf or JSON) into this shape; processors fill the derived fields; exporters
 * write it. Attribute values are the OTLP AnyValue flattened to JS values.
 */

export type AttributeValue = string | number | boolean | bigint | AttributeValue[] | { [key: string]: AttributeValue } | null;
export type Attributes = Record<string, AttributeValue>;

/** OTLP Span.SpanKind numbering (0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer). */
export type OtlpSpanKind = 0 | 1 | 2 | 3 | 4 | 5;

export interface SpanEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
}

export interface SpanRecord {
  /** The tenant the span belongs to (from the API key); `default` without auth. */
  projectId: string;
  /** Lower-case hex, 32 characters. */
  traceId: string;
  /** Lower-case hex, 16 characters. */
  spanId: string;
  /** Lower-case hex, 16 characters; '' for a root span. */
  parentSpanId: string;
  name: string;
  kind: OtlpSpanKind;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  /** OTLP Status.code: 0 unset, 1 ok, 2 error. */
  statusCode: 0 | 1 | 2;
  statusMessage: string;
  attributes: Attributes;
  resourceAttributes: Attributes;
  scopeName: string;
  scopeVersion: string;
  events: SpanEvent[];
  /** Filled by the processors. */
  genAi?: GenAiFields;
  cost?: CostFields;
  session?: SessionFields;
}

/** The GenAI facts of a span, in the conventions' sense, whatever instrumentation produced it. */
export interface GenAiFields {
  provider?: string;
  operation?: string;
  requestModel?: string;
  responseModel?: string;
  /** All input tokens, cached ones included. */
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  reasoningOutputTokens?: number;
  /** Seconds. */
  timeToFirstChunk?: number;
  userId?: string;
  sessionId?: string;
  sessionName?: string;
  sessionPath?: string;
  promptId?: string;
  errorType?: string;
  /** Which resend of its request the call is (`http.request.resend_count`): 1 for the first retry; absent on a first attempt. */
  resendCount?: number;
  /** Custom properties (tokentrace.property.*, Helicone properties, OpenLLMetry association properties). */
  properties: Record<string, string>;
  /** True for spans that call a model (chat, text_completion, embeddings, generate_content): the ones priced. */
  isModelCall: boolean;
}

export interface CostFields {
  /** USD. Absent when the model is unknown: never 0 for "unknown". */
  inputUsd?: number;
  outputUsd?: number;
  cacheReadUsd?: number;
  cacheWriteUsd?: number;
  totalUsd?: number;
  /** A response-cache hit: what the replayed call's usage costs (pricing/cache-savings.ts). */
  savedUsd?: number;
  /** 'priced' | 'unknown_model' | 'not_a_model_call' | 'no_usage' | 'cache_hit' (0 spent, see savedUsd) */
  status: 'priced' | 'unknown_model' | 'not_a_model_call' | 'no_usage' | 'cache_hit';
  /** The catalog entry that priced it, e.g. `openai:gpt-4o-2024-08-06`. */
  pricedModel?: string;
}

export interface SessionFields {
  id: string;
  name?: string;
  /** Normalized step path, e.g. `/analyze/extract`; `/` when none. */
  path: string;
  /** Path of the parent step, '' for the session root. */
  parentPath: string;
  /** 0 for `/`, 1 for `/analyze`, 2 for `/analyze/extract`. */
  depth: number;
}
