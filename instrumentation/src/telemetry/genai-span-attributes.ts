/**
 * Maps what a codec read (request, response, usage) and the app's tracking values onto the
 * conventions' span attributes. The only place that decides which attribute a field becomes.
 */
import type { Attributes, Span } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
  ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_GEN_AI_OPENAI_RESPONSE_SYSTEM_FINGERPRINT,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_CHOICE_COUNT,
  ATTR_GEN_AI_REQUEST_ENCODING_FORMATS,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_TOKENTRACE_PROMPT_ID,
  ATTR_TOKENTRACE_SESSION_ID,
  ATTR_TOKENTRACE_SESSION_NAME,
  ATTR_TOKENTRACE_SESSION_PATH,
  ATTR_USER_ID,
  propertyAttribute,
} from '@tokentrace/semconv';
import type { LlmEndpoint, RequestInfo, ResponseInfo, Usage } from '../providers/types.js';
import type { TrackingContext } from '../types.js';

export function endpointAttributes(endpoint: LlmEndpoint): Attributes {
  const attrs: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: endpoint.operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: endpoint.provider,
    [ATTR_SERVER_ADDRESS]: endpoint.serverAddress,
    [ATTR_SERVER_PORT]: endpoint.serverPort,
  };
  if (endpoint.urlModel) attrs[ATTR_GEN_AI_REQUEST_MODEL] = endpoint.urlModel;
  if (endpoint.urlStream) attrs[ATTR_GEN_AI_REQUEST_STREAM] = true;
  return attrs;
}

export function trackingAttributes(tracking: TrackingContext | undefined): Attributes {
  const attrs: Attributes = {};
  if (!tracking) return attrs;
  if (tracking.userId) attrs[ATTR_USER_ID] = tracking.userId;
  if (tracking.sessionId) {
    attrs[ATTR_TOKENTRACE_SESSION_ID] = tracking.sessionId;
    attrs[ATTR_GEN_AI_CONVERSATION_ID] = tracking.sessionId;
  }
  if (tracking.sessionName) attrs[ATTR_TOKENTRACE_SESSION_NAME] = tracking.sessionName;
  if (tracking.sessionPath) attrs[ATTR_TOKENTRACE_SESSION_PATH] = tracking.sessionPath;
  if (tracking.promptId) attrs[ATTR_TOKENTRACE_PROMPT_ID] = tracking.promptId;
  if (tracking.properties) {
    for (const [name, value] of Object.entries(tracking.properties)) attrs[propertyAttribute(name)] = value;
  }
  return attrs;
}

export function setRequestAttributes(span: Span, request: RequestInfo, endpoint: LlmEndpoint): void {
  const model = request.model ?? endpoint.urlModel;
  const attrs: Attributes = {};
  if (model) attrs[ATTR_GEN_AI_REQUEST_MODEL] = model;
  if (request.stream !== undefined || endpoint.urlStream) attrs[ATTR_GEN_AI_REQUEST_STREAM] = Boolean(request.stream || endpoint.urlStream);
  put(attrs, ATTR_GEN_AI_REQUEST_TEMPERATURE, request.temperature);
  put(attrs, ATTR_GEN_AI_REQUEST_MAX_TOKENS, request.maxTokens);
  put(attrs, ATTR_GEN_AI_REQUEST_TOP_P, request.topP);
  put(attrs, ATTR_GEN_AI_REQUEST_TOP_K, request.topK);
  put(attrs, ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, request.frequencyPenalty);
  put(attrs, ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, request.presencePenalty);
  put(attrs, ATTR_GEN_AI_REQUEST_SEED, request.seed);
  put(attrs, ATTR_GEN_AI_REQUEST_CHOICE_COUNT, request.choiceCount !== undefined && request.choiceCount !== 1 ? request.choiceCount : undefined);
  if (request.stopSequences?.length) attrs[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = request.stopSequences;
  if (request.encodingFormats?.length) attrs[ATTR_GEN_AI_REQUEST_ENCODING_FORMATS] = request.encodingFormats;
  put(attrs, ATTR_GEN_AI_OUTPUT_TYPE, request.outputType);
  put(attrs, ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER, request.serviceTier);
  span.setAttributes(attrs);
}

export function setResponseAttributes(span: Span, response: ResponseInfo): void {
  const attrs: Attributes = {};
  put(attrs, ATTR_GEN_AI_RESPONSE_ID, response.id);
  put(attrs, ATTR_GEN_AI_RESPONSE_MODEL, response.model);
  if (response.finishReasons.length) attrs[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = response.finishReasons;
  put(attrs, ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER, response.serviceTier);
  put(attrs, ATTR_GEN_AI_OPENAI_RESPONSE_SYSTEM_FINGERPRINT, response.systemFingerprint);
  put(attrs, ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT, response.embeddingDimensions);
  span.setAttributes(attrs);
}

/** `latest`: OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental (cache writes renamed, semconv-genai #440). */
export function setUsageAttributes(span: Span, usage: Usage, latest = false): void {
  const attrs: Attributes = {};
  put(attrs, ATTR_GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens);
  put(attrs, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens);
  put(attrs, ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheReadInputTokens);
  put(attrs, latest ? ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS : ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheCreationInputTokens);
  put(attrs, ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoningOutputTokens);
  span.setAttributes(attrs);
}

function put(attrs: Attributes, key: string, value: string | number | boolean | undefined): void {
  if (value !== undefined && value !== null && !(typeof value === 'number' && Number.isNaN(value))) attrs[key] = value;
}
