/** Public configuration and hook types of @tokentrace/instrumentation. */
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/** Wire format a custom endpoint speaks; most self-hosted servers speak `openai`. */
export type EndpointFormat = 'openai' | 'anthropic' | 'gemini' | 'bedrock' | 'azure-openai' | 'ollama';

/** An LLM endpoint the built-in host table does not know, e.g. a self-hosted vLLM or Ollama. */
export interface CustomEndpoint {
  /** Base URL the app's SDK points at, e.g. `http://gpu-box:8000/v1`. Matched by origin and path prefix. */
  baseUrl: string;
  /** `gen_ai.provider.name` to report; defaults to `openai` for the openai format. */
  provider?: string;
  /** Defaults to `openai`. */
  format?: EndpointFormat;
}

/** What the content hook receives: one of the content attributes, before serialization (`embeddings`: an embeddings call's inputs). */
export type ContentKind = 'input' | 'output' | 'system' | 'embeddings';

/**
 * How calls to hosts outside the built-in table and `endpoints` are recognised: `shape` (default)
 * by the provider wire format of the path (and a header where the path is ambiguous), `hosts` not at all.
 */
export type DetectionMode = 'shape' | 'hosts';

/** Called before message content is recorded; return the (possibly edited) value, or undefined to drop it. */
export type RedactContentHook = (content: unknown, kind: ContentKind) => unknown;

/** User, session and custom properties attached to LLM spans (the Helicone headers' meaning). */
export interface TrackingContext {
  userId?: string;
  sessionId?: string;
  sessionName?: string;
  /** Slash path of the step within the session, e.g. `/research/search`. */
  sessionPath?: string;
  promptId?: string;
  properties?: Record<string, string>;
  /** Response cache options for the calls made inside (the `Helicone-Cache-*` headers' meaning); a header wins. */
  cache?: CacheOptions;
}

/**
 * Response cache options of a call (README, "Response cache"). The `Helicone-Cache-*` and
 * `Tokentrace-Cache-*` headers, `withContext({ cache })` and the `cache` config set them.
 */
export interface CacheOptions {
  /** `Helicone-Cache-Enabled`. */
  enabled?: boolean;
  /** Seconds an answer is reused (`Cache-Control: max-age`); Helicone's default and maximum apply. */
  maxAge?: number;
  /** `Helicone-Cache-Bucket-Max-Size`: keep up to n answers for one request and return one of them. */
  bucketMaxSize?: number;
  /** `Helicone-Cache-Seed`: a separate cache namespace (e.g. per user). */
  seed?: string;
  /** `Helicone-Cache-Ignore-Keys`: top-level request body keys left out of the key. */
  ignoreKeys?: string[];
}

/** The response cache's configuration (option `cache`, env `TOKENTRACE_CACHE_*`). */
export interface CacheConfig extends CacheOptions {
  /** `memory` (default): an LRU in this process; `redis`: shared by processes and hosts. Env `TOKENTRACE_CACHE_STORE`. */
  store?: 'memory' | 'redis';
  /** Memory store bound in bytes. Default 64 MiB. Env `TOKENTRACE_CACHE_MAX_BYTES`. */
  maxBytes?: number;
  /** Redis URL (`redis://host:port/db`). Env `TOKENTRACE_CACHE_REDIS_URL`. */
  redisUrl?: string;
  /** Largest answer stored, in bytes. Default 1 MiB. Env `TOKENTRACE_CACHE_MAX_ENTRY_BYTES`. */
  maxEntryBytes?: number;
  /** Let calls made with different API keys share entries. Default false. */
  shareAcrossKeys?: boolean;
  /** Per call options from its tracking values (e.g. on for one feature), under headers and `withContext`. */
  forCall?: (call: { tracking: TrackingContext | undefined; provider: string }) => CacheOptions | undefined;
}

export interface TokentraceInstrumentationConfig extends InstrumentationConfig {
  /** Record gen_ai.input.messages / output.messages / system_instructions. Default: env `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`, else false. */
  captureMessageContent?: boolean;
  /** Longest serialized content attribute, in characters; longer ones are shortened. Default 32768. */
  maxContentLength?: number;
  /** Redaction hook for captured content. */
  redactContent?: RedactContentHook;
  /** Extra endpoints; also from env `TOKENTRACE_OPENAI_COMPATIBLE_URLS` (`[provider=]url,...`). */
  endpoints?: CustomEndpoint[];
  /** `shape` (default): recognise LLM calls to any host by their path; `hosts`: only the built-in hosts and `endpoints`. Env `TOKENTRACE_DETECTION`. */
  detection?: DetectionMode;
  /** When set, shape detection applies only to these hosts (`host`, `host:port`, `*.suffix`). Env `TOKENTRACE_ALLOW_HOSTS`. */
  allowHosts?: string[];
  /** Hosts never captured, whatever recognised them (`host`, `host:port`, `*.suffix`). Env `TOKENTRACE_DENY_HOSTS`. */
  denyHosts?: string[];
  /** Count tokens with a tokenizer when the provider reports no usage (marked as estimated). Default true. */
  estimateMissingUsage?: boolean;
  /** The response cache (README, "Response cache"); headers turn it on per call even without this. */
  cache?: CacheConfig;
}
