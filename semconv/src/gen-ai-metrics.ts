/**
 * GenAI client metrics, with their units and advised buckets: those of the semantic conventions
 * v1.41.0 (the default), then the latest experimental ones of semantic-conventions-genai (main,
 * unreleased), emitted instead under OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental.
 */

export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = {
  name: 'gen_ai.client.token.usage',
  unit: '{token}',
  description: 'Number of input and output tokens used.',
  buckets: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864],
} as const;

export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = {
  name: 'gen_ai.client.operation.duration',
  unit: 's',
  description: 'GenAI operation duration.',
  buckets: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92],
} as const;

/** Reported for streaming calls only. */
export const METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK = {
  name: 'gen_ai.client.operation.time_to_first_chunk',
  unit: 's',
  description: 'Time to receive the first chunk, from issuing the request to the first chunk of the response stream.',
  buckets: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
} as const;

const DURATION_BUCKETS = METRIC_GEN_AI_CLIENT_OPERATION_DURATION.buckets;
const TOKEN_BUCKETS = METRIC_GEN_AI_CLIENT_TOKEN_USAGE.buckets;

// --- Latest experimental (semantic-conventions-genai #521, #374, embeddings consolidation). ---

/** Inference (chat, text_completion, generate_content) duration; replaces operation.duration for them. */
export const METRIC_GEN_AI_CLIENT_INFERENCE_DURATION = {
  name: 'gen_ai.client.inference.duration',
  unit: 's',
  description: 'GenAI client inference operation duration.',
  buckets: DURATION_BUCKETS,
} as const;

export const METRIC_GEN_AI_CLIENT_INFERENCE_TIME_TO_FIRST_CHUNK = {
  name: 'gen_ai.client.inference.time_to_first_chunk',
  unit: 's',
  description: 'Time to receive the first chunk of a streamed response.',
  buckets: METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK.buckets,
} as const;

export const METRIC_GEN_AI_CLIENT_INFERENCE_OPERATION_INPUT_TOKENS = {
  name: 'gen_ai.client.inference.operation.input_tokens',
  unit: '{token}',
  description: 'Number of input tokens used per inference operation.',
  buckets: TOKEN_BUCKETS,
} as const;

export const METRIC_GEN_AI_CLIENT_INFERENCE_OPERATION_OUTPUT_TOKENS = {
  name: 'gen_ai.client.inference.operation.output_tokens',
  unit: '{token}',
  description: 'Number of output tokens used per inference operation.',
  buckets: TOKEN_BUCKETS,
} as const;

export const METRIC_GEN_AI_CLIENT_EMBEDDINGS_DURATION = {
  name: 'gen_ai.client.embeddings.duration',
  unit: 's',
  description: 'GenAI client embeddings operation duration.',
  buckets: DURATION_BUCKETS,
} as const;

export const METRIC_GEN_AI_CLIENT_EMBEDDINGS_OPERATION_INPUT_TOKENS = {
  name: 'gen_ai.client.embeddings.operation.input_tokens',
  unit: '{token}',
  description: 'Number of input tokens used per embeddings operation.',
  buckets: TOKEN_BUCKETS,
} as const;

/** Token counters of inference calls (latest experimental), one per kind of token. */
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_COUNTERS = {
  inputTokens: 'gen_ai.client.inference.usage.input_tokens',
  outputTokens: 'gen_ai.client.inference.usage.output_tokens',
  cacheReadInputTokens: 'gen_ai.client.inference.usage.cache_read.input_tokens',
  cacheWriteInputTokens: 'gen_ai.client.inference.usage.cache_write.input_tokens',
  reasoningOutputTokens: 'gen_ai.client.inference.usage.reasoning.output_tokens',
} as const;

export interface MetricDefinition {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly buckets: readonly number[];
}
