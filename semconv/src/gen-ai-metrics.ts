/** GenAI client metrics of the semantic conventions v1.41.0, with their units and advised buckets. */

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

export interface MetricDefinition {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly buckets: readonly number[];
}
