/** Enumerated values of the GenAI semantic conventions v1.41.0, and the provider names tokentrace adds. */

export const GEN_AI_OPERATION = {
  chat: 'chat',
  textCompletion: 'text_completion',
  embeddings: 'embeddings',
  generateContent: 'generate_content',
  invokeAgent: 'invoke_agent',
  invokeWorkflow: 'invoke_workflow',
  executeTool: 'execute_tool',
  createAgent: 'create_agent',
  retrieval: 'retrieval',
} as const;
export type GenAiOperationName = (typeof GEN_AI_OPERATION)[keyof typeof GEN_AI_OPERATION];

/** Operations that call a model; the others (agent, workflow, tool) wrap such calls. */
export const MODEL_CALL_OPERATIONS: ReadonlySet<string> = new Set([
  GEN_AI_OPERATION.chat,
  GEN_AI_OPERATION.textCompletion,
  GEN_AI_OPERATION.embeddings,
  GEN_AI_OPERATION.generateContent,
]);

/**
 * `gen_ai.provider.name` values. The conventions' well-known values first; the conventions allow
 * a custom value for a provider they do not list, which is what the last group is.
 */
export const GEN_AI_PROVIDER = {
  openai: 'openai',
  azureOpenai: 'azure.ai.openai',
  azureAiInference: 'azure.ai.inference',
  anthropic: 'anthropic',
  awsBedrock: 'aws.bedrock',
  gcpGemini: 'gcp.gemini',
  gcpVertexAi: 'gcp.vertex_ai',
  cohere: 'cohere',
  deepseek: 'deepseek',
  groq: 'groq',
  mistralAi: 'mistral_ai',
  perplexity: 'perplexity',
  xAi: 'x_ai',
  ibmWatsonx: 'ibm.watsonx.ai',
  // Not (yet) in the conventions.
  togetherAi: 'together_ai',
  openrouter: 'openrouter',
  fireworks: 'fireworks_ai',
  ollama: 'ollama',
  vllm: 'vllm',
} as const;

export const GEN_AI_TOKEN_TYPE = { input: 'input', output: 'output' } as const;

export const GEN_AI_OUTPUT_TYPE = { text: 'text', json: 'json', image: 'image', speech: 'speech' } as const;

/** `finish_reason` of an output message in the conventions' message schema. */
export const GEN_AI_FINISH_REASON = {
  stop: 'stop',
  length: 'length',
  contentFilter: 'content_filter',
  toolCall: 'tool_call',
  error: 'error',
} as const;

export const GEN_AI_TOOL_TYPE = { function: 'function', extension: 'extension', datastore: 'datastore' } as const;

/**
 * `error.type` values tokentrace writes besides transport error codes (ECONNRESET, AbortError, ...),
 * HTTP statuses (`429`, `500`) and the provider's own error types (`overloaded_error`,
 * `ThrottlingException`). The conventions define only `_OTHER` and let instrumentations add
 * low-cardinality values of their own, which they should document (instrumentation/README.md).
 */
export const ERROR_TYPE = {
  /** A 2xx response whose body is no answer: empty, cut short or not JSON (an HTML page); the SDK throws on it. */
  invalidResponse: 'invalid_response',
  other: '_OTHER',
} as const;
