/**
 * tokentrace's own attributes, for what the GenAI conventions do not name. All live under the
 * `tokentrace.` prefix so they never collide with a future convention.
 */

export const TOKENTRACE_PREFIX = 'tokentrace.';

/** Prefix of custom properties: `Helicone-Property-Feature: chat` becomes `tokentrace.property.Feature`. */
export const ATTR_TOKENTRACE_PROPERTY_PREFIX = 'tokentrace.property.';
export const ATTR_TOKENTRACE_SESSION_NAME = 'tokentrace.session.name';
/** Step of a session as a slash path, e.g. `/analyze/extract`. */
export const ATTR_TOKENTRACE_SESSION_PATH = 'tokentrace.session.path';
export const ATTR_TOKENTRACE_PROMPT_ID = 'tokentrace.prompt.id';
/** A failure inside the instrumentation itself (parsing, a user hook): the app was not affected. */
export const ATTR_TOKENTRACE_CAPTURE_ERROR = 'tokentrace.capture.error';
/** True when the token counts were computed with a tokenizer because the provider sent no usage. */
export const ATTR_TOKENTRACE_USAGE_ESTIMATED = 'tokentrace.usage.estimated';
/**
 * An embeddings call's inputs as a JSON array (texts, or token-id arrays as sent), recorded only
 * with content capture on. The GenAI conventions define no attribute for it yet
 * (semantic-conventions-genai issue #496), hence the tokentrace prefix.
 */
export const ATTR_TOKENTRACE_EMBEDDINGS_INPUT = 'tokentrace.embeddings.input';
/** True when a content attribute was shortened to the configured size limit. */
export const ATTR_TOKENTRACE_CONTENT_TRUNCATED = 'tokentrace.content.truncated';

export function propertyAttribute(name: string): string {
  return ATTR_TOKENTRACE_PROPERTY_PREFIX + name;
}
/** Session id as sent by the app; also written as `gen_ai.conversation.id`. */
export const ATTR_TOKENTRACE_SESSION_ID = 'tokentrace.session.id';

/**
 * Cost attributes the collector adds to spans it forwards by OTLP (the pricing processor's
 * CostFields). USD; absent when the model is unknown, never 0 for "unknown".
 * Input cost includes the cache read and write costs, as input tokens include cached tokens.
 */
export const ATTR_TOKENTRACE_COST_INPUT_USD = 'tokentrace.cost.input_usd';
export const ATTR_TOKENTRACE_COST_OUTPUT_USD = 'tokentrace.cost.output_usd';
export const ATTR_TOKENTRACE_COST_CACHE_READ_USD = 'tokentrace.cost.cache_read_usd';
export const ATTR_TOKENTRACE_COST_CACHE_WRITE_USD = 'tokentrace.cost.cache_write_usd';
export const ATTR_TOKENTRACE_COST_TOTAL_USD = 'tokentrace.cost.total_usd';
/** `priced`, `unknown_model`, `not_a_model_call` or `no_usage`. */
export const ATTR_TOKENTRACE_COST_STATUS = 'tokentrace.cost.status';
/** The catalog entry that priced the span, e.g. `openai:gpt-4o`, or `price-file:<id>`. */
export const ATTR_TOKENTRACE_COST_PRICED_MODEL = 'tokentrace.cost.priced_model';

/**
 * Set by the collector's receivers on a span whose content they changed to make it storable or
 * to fit the span limits: `action:count` entries, e.g. `["attributes_dropped:198976",
 * "invalid_utf16_replaced:1"]` (collector/src/receivers/span-sanitizer.ts lists the actions).
 */
export const ATTR_TOKENTRACE_SANITIZED = 'tokentrace.sanitized';

/**
 * The response cache (instrumentation/src/cache/, issue 14). `hit`: answered in-process from the
 * cache, the provider was not called; `miss`: sent, and stored once complete if it was a good
 * answer; `bypass`: caching was asked for but the store failed (Redis unreachable), so the call was
 * sent as if caching were off, `tokentrace.cache.error` says why.
 */
export const ATTR_TOKENTRACE_CACHE_STATUS = 'tokentrace.cache.status';
export const TOKENTRACE_CACHE_STATUS = { HIT: 'hit', MISS: 'miss', BYPASS: 'bypass' } as const;
/** `memory` or `redis`. */
export const ATTR_TOKENTRACE_CACHE_STORE = 'tokentrace.cache.store';
/** On a hit: which answer of the bucket was returned (also the `Helicone-Cache-Bucket-Idx` header). */
export const ATTR_TOKENTRACE_CACHE_BUCKET_INDEX = 'tokentrace.cache.bucket_index';
export const ATTR_TOKENTRACE_CACHE_BUCKET_MAX_SIZE = 'tokentrace.cache.bucket_max_size';
/** Why the cache was bypassed, or an answer not stored (`too_large`). */
export const ATTR_TOKENTRACE_CACHE_ERROR = 'tokentrace.cache.error';
/**
 * On a hit: the usage the original call reported. It was not billed again, so the span has no
 * gen_ai.usage.*; the collector prices these into `tokentrace.cost.saved_usd`.
 */
export const ATTR_TOKENTRACE_CACHE_ORIGINAL_INPUT_TOKENS = 'tokentrace.cache.original.input_tokens';
export const ATTR_TOKENTRACE_CACHE_ORIGINAL_OUTPUT_TOKENS = 'tokentrace.cache.original.output_tokens';
export const ATTR_TOKENTRACE_CACHE_ORIGINAL_CACHE_READ_INPUT_TOKENS = 'tokentrace.cache.original.cache_read.input_tokens';
/** Set by the collector's pricing processor on a cache hit: what its original usage costs, USD. */
export const ATTR_TOKENTRACE_COST_SAVED_USD = 'tokentrace.cost.saved_usd';
