/**
 * Attribute names of other GenAI instrumentations that tokentrace reads (never writes): to
 * recognise their spans, and later to normalize them into the same columns.
 */

/** OpenInference (Arize Phoenix): `LLM`, `EMBEDDING`, `CHAIN`, `AGENT`, `TOOL`, ... */
export const ATTR_OPENINFERENCE_SPAN_KIND = 'openinference.span.kind';
export const OPENINFERENCE_MODEL_CALL_KINDS: ReadonlySet<string> = new Set(['LLM', 'EMBEDDING']);

/** OpenLLMetry (Traceloop): `chat`, `completion`, `embedding`, ... */
export const ATTR_LLM_REQUEST_TYPE = 'llm.request.type';

// --- Read by the collector's NormalizeProcessor (processors/src/normalization). ---

/**
 * OpenLLMetry (Traceloop), from `@traceloop/ai-semantic-conventions` (SemanticAttributes.ts) and
 * the Python `opentelemetry-semantic-conventions-ai` package.
 */
export const ATTR_TRACELOOP_SPAN_KIND = 'traceloop.span.kind';
/** `traceloop.span.kind` values; `task` spans wrap other work and are never model calls. */
export const TRACELOOP_SPAN_KIND = { workflow: 'workflow', task: 'task', agent: 'agent', tool: 'tool' } as const;
export const ATTR_TRACELOOP_ENTITY_NAME = 'traceloop.entity.name';
export const ATTR_TRACELOOP_WORKFLOW_NAME = 'traceloop.workflow.name';
/** `traceloop.association.properties.<key>`: the app's association properties (user, session, custom). */
export const ATTR_TRACELOOP_ASSOCIATION_PROPERTIES_PREFIX = 'traceloop.association.properties.';
/** `llm.request.type` values (LLMRequestTypeValues), plus `embedding` written by the Python packages. */
export const LLM_REQUEST_TYPE = { chat: 'chat', completion: 'completion', embedding: 'embedding', rerank: 'rerank' } as const;
export const ATTR_LLM_USAGE_PROMPT_TOKENS = 'llm.usage.prompt_tokens';
export const ATTR_LLM_USAGE_COMPLETION_TOKENS = 'llm.usage.completion_tokens';
export const ATTR_LLM_USAGE_TOTAL_TOKENS = 'llm.usage.total_tokens';
export const ATTR_LLM_USAGE_CACHE_READ_INPUT_TOKENS = 'llm.usage.cache_read_input_tokens';
/** OpenLLMetry's pre-1.37 GenAI names for cache and reasoning usage. */
export const ATTR_OPENLLMETRY_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read_input_tokens';
export const ATTR_OPENLLMETRY_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation_input_tokens';
export const ATTR_OPENLLMETRY_USAGE_REASONING_TOKENS = 'gen_ai.usage.reasoning_tokens';

/** OpenInference (https://github.com/Arize-ai/openinference/blob/main/spec/semantic_conventions.md). */
export const OPENINFERENCE_SPAN_KIND = {
  llm: 'LLM',
  embedding: 'EMBEDDING',
  chain: 'CHAIN',
  agent: 'AGENT',
  tool: 'TOOL',
  retriever: 'RETRIEVER',
  reranker: 'RERANKER',
} as const;
export const ATTR_LLM_MODEL_NAME = 'llm.model_name';
export const ATTR_EMBEDDING_MODEL_NAME = 'embedding.model_name';
/** The hosting provider (`openai`, `azure`, `aws`, `google`, ...); preferred over `llm.system`. */
export const ATTR_LLM_PROVIDER = 'llm.provider';
/** The model family's vendor (`openai`, `anthropic`, `vertexai`, ...). */
export const ATTR_LLM_SYSTEM = 'llm.system';
export const ATTR_LLM_TOKEN_COUNT_PROMPT = 'llm.token_count.prompt';
export const ATTR_LLM_TOKEN_COUNT_COMPLETION = 'llm.token_count.completion';
export const ATTR_LLM_TOKEN_COUNT_TOTAL = 'llm.token_count.total';
export const ATTR_LLM_TOKEN_COUNT_PROMPT_CACHE_READ = 'llm.token_count.prompt_details.cache_read';
export const ATTR_LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE = 'llm.token_count.prompt_details.cache_write';
export const ATTR_LLM_TOKEN_COUNT_COMPLETION_REASONING = 'llm.token_count.completion_details.reasoning';
export const ATTR_SESSION_ID = 'session.id';
/** A JSON object string of the app's metadata. */
export const ATTR_OPENINFERENCE_METADATA = 'metadata';

/** Vercel AI SDK telemetry (https://ai-sdk.dev/docs/ai-sdk-core/telemetry). */
export const ATTR_AI_OPERATION_ID = 'ai.operationId';
/** Prefix of the SDK's span names and operation ids (`ai.generateText`, `ai.generateText.doGenerate`). */
export const AI_SDK_OPERATION_PREFIX = 'ai.';
/** Suffixes of the inner spans that call the provider; the outer `ai.generateText` span wraps them. */
export const AI_SDK_MODEL_CALL_SUFFIXES = { doGenerate: '.doGenerate', doStream: '.doStream', doEmbed: '.doEmbed' } as const;
export const AI_SDK_TOOL_CALL_OPERATION = 'ai.toolCall';
export const ATTR_AI_MODEL_ID = 'ai.model.id';
/** e.g. `openai.chat`, `anthropic.messages`, `amazon-bedrock`, `google.vertex.chat`. */
export const ATTR_AI_MODEL_PROVIDER = 'ai.model.provider';
export const ATTR_AI_RESPONSE_MODEL = 'ai.response.model';
export const ATTR_AI_RESPONSE_MS_TO_FIRST_CHUNK = 'ai.response.msToFirstChunk';
/** AI SDK 4 usage names. */
export const ATTR_AI_USAGE_PROMPT_TOKENS = 'ai.usage.promptTokens';
export const ATTR_AI_USAGE_COMPLETION_TOKENS = 'ai.usage.completionTokens';
/** AI SDK 5 usage names. */
export const ATTR_AI_USAGE_INPUT_TOKENS = 'ai.usage.inputTokens';
export const ATTR_AI_USAGE_OUTPUT_TOKENS = 'ai.usage.outputTokens';
export const ATTR_AI_USAGE_REASONING_TOKENS = 'ai.usage.reasoningTokens';
export const ATTR_AI_USAGE_CACHED_INPUT_TOKENS = 'ai.usage.cachedInputTokens';
/** Embedding spans' token count. */
export const ATTR_AI_USAGE_TOKENS = 'ai.usage.tokens';
/** `ai.telemetry.metadata.<key>`: the app's `experimental_telemetry.metadata`. */
export const ATTR_AI_TELEMETRY_METADATA_PREFIX = 'ai.telemetry.metadata.';

/** Keys under which the instrumentations above carry a user or session id in their free-form properties. */
export const FOREIGN_USER_ID_KEYS: readonly string[] = ['user_id', 'userId'];
export const FOREIGN_SESSION_ID_KEYS: readonly string[] = ['session_id', 'sessionId'];
