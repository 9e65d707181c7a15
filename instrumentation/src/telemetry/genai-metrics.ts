/**
 * The conventions' GenAI client metrics, recorded from the same capture as the span. By default
 * those of v1.41.0: gen_ai.client.token.usage, gen_ai.client.operation.duration and, for streams,
 * gen_ai.client.operation.time_to_first_chunk. Under
 * OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental, instead, the latest experimental ones
 * (LatestGenAiMetrics): gen_ai.client.inference.* and gen_ai.client.embeddings.*.
 */
import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  GEN_AI_TOKEN_TYPE,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  METRIC_GEN_AI_CLIENT_EMBEDDINGS_DURATION,
  METRIC_GEN_AI_CLIENT_EMBEDDINGS_OPERATION_INPUT_TOKENS,
  METRIC_GEN_AI_CLIENT_INFERENCE_DURATION,
  METRIC_GEN_AI_CLIENT_INFERENCE_OPERATION_INPUT_TOKENS,
  METRIC_GEN_AI_CLIENT_INFERENCE_OPERATION_OUTPUT_TOKENS,
  METRIC_GEN_AI_CLIENT_INFERENCE_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_COUNTERS,
  GEN_AI_OPERATION,
  type MetricDefinition,
} from '@tokentrace/semconv';
import type { LlmEndpoint, Usage } from '../providers/types.js';

export interface GenAiMetrics {
  /** `attributes`: operation, provider, request/response model, server address/port, error.type. */
  record(attributes: Attributes, durationSeconds: number, usage: Usage | undefined, ttfcSeconds: number | undefined): void;
}

export function createGenAiMetrics(meter: Meter, latestExperimental: boolean): GenAiMetrics {
  return latestExperimental ? new LatestGenAiMetrics(meter) : new V141GenAiMetrics(meter);
}

class V141GenAiMetrics implements GenAiMetrics {
  private readonly tokenUsage: Histogram;
  private readonly duration: Histogram;
  private readonly timeToFirstChunk: Histogram;

  constructor(meter: Meter) {
    this.tokenUsage = histogram(meter, METRIC_GEN_AI_CLIENT_TOKEN_USAGE);
    this.duration = histogram(meter, METRIC_GEN_AI_CLIENT_OPERATION_DURATION);
    this.timeToFirstChunk = histogram(meter, METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK);
  }

  record(attributes: Attributes, durationSeconds: number, usage: Usage | undefined, ttfcSeconds: number | undefined): void {
    this.duration.record(durationSeconds, attributes);
    if (ttfcSeconds !== undefined) this.timeToFirstChunk.record(ttfcSeconds, attributes);
    if (usage?.inputTokens !== undefined) {
      this.tokenUsage.record(usage.inputTokens, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE.input });
    }
    if (usage?.outputTokens !== undefined) {
      this.tokenUsage.record(usage.outputTokens, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE.output });
    }
  }
}

/** Latest experimental: inference and embeddings have metrics of their own; tokens per operation and as counters. */
class LatestGenAiMetrics implements GenAiMetrics {
  private readonly inferenceDuration: Histogram;
  private readonly timeToFirstChunk: Histogram;
  private readonly inputTokens: Histogram;
  private readonly outputTokens: Histogram;
  private readonly embeddingsDuration: Histogram;
  private readonly embeddingsInputTokens: Histogram;
  private readonly counters: Record<keyof typeof METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_COUNTERS, Counter>;

  constructor(meter: Meter) {
    this.inferenceDuration = histogram(meter, METRIC_GEN_AI_CLIENT_INFERENCE_DURATION);
    this.timeToFirstChunk = histogram(meter, METRIC_GEN_AI_CLIENT_INFERENCE_TIME_TO_FIRST_CHUNK);
    this.inputTokens = histogram(meter, METRIC_GEN_AI_CLIENT_INFERENCE_OPERATION_INPUT_TOKENS);
    this.outputTokens = histogram(meter, METRIC_GEN_AI_CLIENT_INFERENCE_OPERATION_OUTPUT_TOKENS);
    this.embeddingsDuration = histogram(meter, METRIC_GEN_AI_CLIENT_EMBEDDINGS_DURATION);
    this.embeddingsInputTokens = histogram(meter, METRIC_GEN_AI_CLIENT_EMBEDDINGS_OPERATION_INPUT_TOKENS);
    const c = METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_COUNTERS;
    const counter = (name: string) => meter.createCounter(name, { unit: '{token}' });
    this.counters = {
      inputTokens: counter(c.inputTokens),
      outputTokens: counter(c.outputTokens),
      cacheReadInputTokens: counter(c.cacheReadInputTokens),
      cacheWriteInputTokens: counter(c.cacheWriteInputTokens),
      reasoningOutputTokens: counter(c.reasoningOutputTokens),
    };
  }

  record(attributes: Attributes, durationSeconds: number, usage: Usage | undefined, ttfcSeconds: number | undefined): void {
    if (attributes[ATTR_GEN_AI_OPERATION_NAME] === GEN_AI_OPERATION.embeddings) {
      this.embeddingsDuration.record(durationSeconds, attributes);
      if (usage?.inputTokens !== undefined) this.embeddingsInputTokens.record(usage.inputTokens, attributes);
      return;
    }
    this.inferenceDuration.record(durationSeconds, attributes);
    if (ttfcSeconds !== undefined) this.timeToFirstChunk.record(ttfcSeconds, attributes);
    if (!usage) return;
    if (usage.inputTokens !== undefined) this.inputTokens.record(usage.inputTokens, attributes);
    if (usage.outputTokens !== undefined) this.outputTokens.record(usage.outputTokens, attributes);
    add(this.counters.inputTokens, usage.inputTokens, attributes);
    add(this.counters.outputTokens, usage.outputTokens, attributes);
    add(this.counters.cacheReadInputTokens, usage.cacheReadInputTokens, attributes);
    add(this.counters.cacheWriteInputTokens, usage.cacheCreationInputTokens, attributes);
    add(this.counters.reasoningOutputTokens, usage.reasoningOutputTokens, attributes);
  }
}

function add(counter: Counter, value: number | undefined, attributes: Attributes): void {
  if (value !== undefined && value >= 0) counter.add(value, attributes);
}

/** The attributes the conventions give the GenAI client metrics of one call. */
export function metricAttributes(
  endpoint: LlmEndpoint,
  requestModel: string | undefined,
  responseModel: string | undefined,
  errorType: string | undefined,
): Attributes {
  const attrs: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: endpoint.operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: endpoint.provider,
    [ATTR_SERVER_ADDRESS]: endpoint.serverAddress,
    [ATTR_SERVER_PORT]: endpoint.serverPort,
  };
  if (requestModel) attrs[ATTR_GEN_AI_REQUEST_MODEL] = requestModel;
  if (responseModel) attrs[ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
  if (errorType) attrs[ATTR_ERROR_TYPE] = errorType;
  return attrs;
}

function histogram(meter: Meter, def: MetricDefinition): Histogram {
  return meter.createHistogram(def.name, {
    unit: def.unit,
    description: def.description,
    advice: { explicitBucketBoundaries: [...def.buckets] },
  });
}
