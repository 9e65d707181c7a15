/**
 * The conventions' GenAI client metrics, recorded from the same capture as the span:
 * gen_ai.client.token.usage, gen_ai.client.operation.duration and, for streams,
 * gen_ai.client.operation.time_to_first_chunk, with the advised bucket boundaries.
 */
import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
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
  type MetricDefinition,
} from '@tokentrace/semconv';
import type { LlmEndpoint, Usage } from '../providers/types.js';

export class GenAiMetrics {
  private readonly tokenUsage: Histogram;
  private readonly duration: Histogram;
  private readonly timeToFirstChunk: Histogram;

  constructor(meter: Meter) {
    this.tokenUsage = histogram(meter, METRIC_GEN_AI_CLIENT_TOKEN_USAGE);
    this.duration = histogram(meter, METRIC_GEN_AI_CLIENT_OPERATION_DURATION);
    this.timeToFirstChunk = histogram(meter, METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK);
  }

  /** `attributes`: operation, provider, request/response model, server address/port, error.type. */
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
