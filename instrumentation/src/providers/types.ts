/**
 * Internal shapes shared by the provider codecs: what a codec reads out of a request body, a
 * response body and a response stream. Codecs are pure: they see parsed JSON and decoded stream
 * events, never sockets, spans or timing.
 */

/** How a provider's HTTP API is spelled on the wire. OpenAI-compatible hosts all use `openai`. */
export type WireFormat = 'openai' | 'anthropic' | 'gemini' | 'bedrock' | 'ollama';

/** GenAI operation names (gen_ai.operation.name) that a model call can have. */
export type ModelOperation = 'chat' | 'text_completion' | 'embeddings' | 'generate_content';

/** Which API of a wire format a request goes to; selects the codec. */
export type ApiKind =
  | 'openai.chat_completions'
  | 'openai.responses'
  | 'openai.embeddings'
  | 'openai.completions'
  | 'anthropic.messages'
  | 'gemini.generate_content'
  | 'gemini.embed_content'
  | 'bedrock.converse'
  | 'bedrock.invoke_anthropic'
  | 'ollama.chat'
  | 'ollama.generate'
  | 'ollama.embed';

/**
 * How a call was recognised. `host`: the built-in host table or a configured endpoint, labelled as
 * a GenAI call from its start. `shape`: a provider path on a host nobody named; labelled only once
 * its request body turns out to be that wire format's request (see LlmCall).
 */
export type Detection = 'host' | 'shape';

/** A recognised LLM endpoint, derived from the request URL alone. */
export interface LlmEndpoint {
  provider: string; // gen_ai.provider.name
  api: ApiKind;
  operation: ModelOperation;
  /** Model named by the URL (Gemini `models/{m}:generateContent`, Bedrock `/model/{id}/converse`, Azure deployment). */
  urlModel?: string;
  /** True when the URL itself asks for a stream (Gemini `streamGenerateContent`, Bedrock `converse-stream`). */
  urlStream?: boolean;
  serverAddress: string;
  serverPort: number;
  detection: Detection;
  /** Shape detection only: the provider is inferred from the request's model name (OpenAI-compatible paths). */
  providerFromModel?: boolean;
}

/** One part of a message in the conventions' JSON shape (gen_ai.input.messages / output.messages). */
export type MessagePart =
  | { type: 'text'; content: string }
  | { type: 'reasoning'; content: string }
  | { type: 'tool_call'; id?: string; name: string; arguments?: unknown }
  | { type: 'tool_call_response'; id?: string; response: unknown }
  | { type: 'uri'; modality: string; uri: string; mime_type?: string }
  | { type: 'blob'; modality: string; mime_type?: string; content: string }
  | { type: string; [key: string]: unknown };

export interface InputMessage {
  role: string; // system | user | assistant | tool
  parts: MessagePart[];
  name?: string;
}

export interface OutputMessage {
  role: string;
  parts: MessagePart[];
  /** Normalized: stop | length | content_filter | tool_call | error. */
  finish_reason: string;
}

/** What a request body says (semconv gen_ai.request.*), plus the content for opt-in capture. */
export interface RequestInfo {
  model?: string;
  stream?: boolean;
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  topK?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  stopSequences?: string[];
  seed?: number;
  choiceCount?: number;
  encodingFormats?: string[];
  outputType?: string; // text | json | image | speech
  serviceTier?: string;
  inputMessages?: InputMessage[];
  systemInstructions?: MessagePart[];
  /** An embeddings call's inputs (texts, or token arrays as sent), for opt-in capture. */
  embeddingInputs?: unknown[];
  /** All input text, concatenated, for estimating input tokens when the provider reports none. */
  inputText: string;
}

/** Token usage in the conventions' sense: inputTokens includes cached (read and creation) tokens. */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  reasoningOutputTokens?: number;
}

/** An error the provider reported in a body or in a stream event. */
export interface ProviderError {
  type: string; // low cardinality, e.g. rate_limit_error, overloaded_error, ThrottlingException
  message?: string;
}

export interface ResponseInfo {
  id?: string;
  model?: string;
  /** Provider's own finish reasons, one per choice/candidate, as sent (e.g. `end_turn`, `STOP`). */
  finishReasons: string[];
  usage?: Usage;
  outputMessages?: OutputMessage[];
  /** All output text, concatenated, for estimating output tokens when the provider reports none. */
  outputText: string;
  serviceTier?: string;
  systemFingerprint?: string;
  embeddingDimensions?: number;
  error?: ProviderError;
}

/**
 * One decoded stream event. SSE: `event` is the `event:` field (may be absent), `data` the joined
 * data lines. AWS event stream: `event` is `:event-type` (or `:exception-type` with
 * `exception: true`), `data` the UTF-8 payload. A JSON-array stream yields one event per element.
 */
export interface StreamEvent {
  event?: string;
  data: string;
  exception?: boolean;
}

/** Folds a response stream, event by event, into the same ResponseInfo a non-stream body gives. */
export interface StreamAccumulator {
  accept(event: StreamEvent): void;
  result(): ResponseInfo;
  /**
   * True once the event that ends the provider's stream has arrived (`[DONE]`, `message_stop`,
   * ...) or an error event that ends it: the result is whole, so a client that lets go of the
   * body after this point cut nothing short.
   */
  isComplete(): boolean;
}

/** Everything the capture layer needs to know about one API. */
export interface ProviderCodec {
  readonly api: ApiKind;
  /** `body` is the parsed JSON request body, or undefined when there is none or it is not JSON. */
  parseRequest(body: unknown, endpoint: LlmEndpoint): RequestInfo;
  parseResponse(body: unknown, endpoint: LlmEndpoint): ResponseInfo;
  createStreamAccumulator(endpoint: LlmEndpoint): StreamAccumulator;
  /**
   * Whether a stream event carries output only (text deltas), nothing else the span records: such
   * events are not parsed while content capture is off (skimmed-stream.ts). A cheap test on the
   * event's name or text, never a parse; false when unsure.
   */
  readonly isOutputOnly?: (event: StreamEvent) => boolean;
}
