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
}
