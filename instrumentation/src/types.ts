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
  /** In-process retries of 429 and 5xx answers (the `Helicone-Retry-*` headers' meaning). */
  retry?: RetryOptions;
  /** Rate-limit policies in Helicone's grammar (`100;w=60;s=user`), as `Helicone-RateLimit-Policy` sets them. */
  rateLimitPolicies?: string[];
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

/** Helicone's retry options (https://docs.helicone.ai/features/advanced-usage/retries); unset fields take its defaults. */
export interface RetryOptions {
  /** `Helicone-Retry-Enabled`: retries happen only when true. */
  enabled?: boolean;
  /** `Helicone-Retry-Num`: retries after the first attempt. Default 5. */
  num?: number;
  /** `Helicone-Retry-Factor`: back-off growth per retry. Default 2. */
  factor?: number;
  /** `Helicone-Retry-Min-Timeout`: first wait, ms. Default 1000. */
  minTimeoutMs?: number;
  /** `Helicone-Retry-Max-Timeout`: longest wait, ms. Default 10000. */
  maxTimeoutMs?: number;
}

/** The programmatic retry option: defaults for every call, and how to wait. */
export interface RetryConfig extends RetryOptions {
  /** Replaces the timer between attempts (tests). */
  sleep?: (ms: number) => Promise<void>;
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
  /**
   * Keep the generic HTTP client span (instrumentation-undici / instrumentation-http) under each GenAI span tokentrace
   * opens. Default false: the GenAI span is the call's one client span and the trace context sent downstream names it.
   * Env `TOKENTRACE_HTTP_SPANS`.
   */
  httpSpans?: boolean;
  /** Count tokens with a tokenizer when the provider reports no usage (marked as estimated). Default true. */
  estimateMissingUsage?: boolean;
  /**
   * How long, in ms, a finished call waits for others to be completed with it (its span's attributes, metrics and
   * end: README, "Completion in batches"). Default 50 under `register` / `startTokentrace` (their flush completes
   * waiting calls first); 0 otherwise (the next turn of the event loop), so that flushing a tracer provider
   * tokentrace does not own still exports every call that has finished.
   */
  completionBatchMs?: number;
  /** The response cache (README, "Response cache"); headers turn it on per call even without this. */
  cache?: CacheConfig;
  /** Retry options for every call (headers and `withContext` win); `{ enabled: true }` turns retries on everywhere. */
  retry?: RetryConfig;
  /** Budgets and rate limits enforced before a call leaves the process. Env `TOKENTRACE_LIMITS_FILE` (JSON of the same shape). */
  limits?: LimitsConfig;
}

/** A budget or quota in the configuration (limits/limit-config.ts). Exactly one of `requests`, `usd`, `cents`. */
export interface BudgetConfig {
  /** Names the counter; defaults to the policy text. */
  name?: string;
  requests?: number;
  usd?: number;
  cents?: number;
  /** Fixed windows: `{ seconds }` (at least 60, aligned to the epoch), or the UTC calendar `day` or `month`; `{ seconds, rolling: true }`: the last `seconds` (to 1/60 of it). */
  window: { seconds: number; rolling?: boolean } | 'day' | 'month';
  /** One counter for the whole project (default), one per user, or one per value of a property. */
  per?: 'project' | 'user' | { property: string };
  /** Only calls with these tracking values count (e.g. `{ properties: { tier: 'free' } }`). */
  match?: { userId?: string; properties?: Record<string, string> };
  /** `enforce` (default): the call is answered 429; `warn`: recorded on the span, sent anyway. */
  mode?: 'enforce' | 'warn';
}

export interface LimitsConfig {
  budgets?: BudgetConfig[];
  /** Helicone policy strings for every call. */
  policies?: string[];
  /** `warn` records breaches of header policies without blocking. Default `enforce`. */
  mode?: 'enforce' | 'warn';
  /** Counters in Redis, shared by every process using it (env `TOKENTRACE_LIMITS_REDIS_URL`); in memory otherwise. */
  redis?: { url: string; keyPrefix?: string; timeoutMs?: number };
  /** Whose counters these are in a shared Redis. Default: `OTEL_SERVICE_NAME`, else `default`. */
  project?: string;
  /** The clock windows are computed from (tests). */
  now?: () => number;
}
