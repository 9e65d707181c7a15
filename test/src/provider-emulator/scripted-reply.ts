// What a test scripts for the next call to an emulator, and how it is completed with defaults.
// One shape serves all five providers; each provider module maps it onto its own wire format
// (token semantics, finish reasons, error shapes), so a conformance suite can script them alike.

/** A tool (function) call the model should make. */
export interface ScriptedToolCall {
  /** Provider-format id; generated (call_…, toolu_…, tooluse_…) when omitted. */
  id?: string;
  name: string;
  /** Arguments as an object, or as the exact JSON text the provider should send. */
  arguments: Record<string, unknown> | string;
}

/** An HTTP error body's fields; anything omitted gets the provider's usual value for the status. */
export interface ScriptedError {
  /** OpenAI `error.type`, Anthropic `error.type`, Gemini `error.status`, Bedrock `x-amzn-errortype`. */
  type?: string;
  /** OpenAI `error.code`. */
  code?: string;
  message?: string;
  /** OpenAI `error.param`. */
  param?: string;
}

/** An error the provider reports inside an already started stream. */
export interface ScriptedStreamError {
  /** e.g. `overloaded_error` (Anthropic), `server_error` (OpenAI), `INTERNAL` (Gemini), `modelStreamErrorException` (Bedrock). */
  type: string;
  message: string;
}

export interface ScriptedReply {
  /** The assistant text; may be empty when only a tool call is scripted. */
  text?: string;
  /** The model the response reports; by default derived from the request (see each provider). */
  model?: string;
  /** Total prompt tokens, cached and cache-creation tokens included. */
  inputTokens?: number;
  /** Total output tokens, reasoning tokens included. */
  outputTokens?: number;
  /** Prompt tokens read from the provider's prompt cache (part of inputTokens). */
  cachedInputTokens?: number;
  /** Prompt tokens written to the cache (Anthropic, Bedrock; part of inputTokens). */
  cacheCreationInputTokens?: number;
  /** Output tokens spent on reasoning (part of outputTokens). */
  reasoningTokens?: number;
  /** `stop`, `length`, `tool_call`, `content_filter` (mapped per provider) or a provider-native value. */
  finishReason?: string;
  toolCall?: ScriptedToolCall;
  /** HTTP status >= 400 makes the call fail with the provider's error body. */
  status?: number;
  error?: ScriptedError;
  /** Destroy the socket after this many body chunks (0: before any body byte). */
  failAfterChunks?: number;
  /** Send the provider's in-stream error event part-way through the stream, then end it. */
  streamErrorEvent?: ScriptedStreamError;
  /** Overrides the emulator's firstChunkDelayMs for this reply. */
  firstChunkDelayMs?: number;
  /** Overrides the emulator's chunkDelayMs for this reply. */
  chunkDelayMs?: number;
  /** gzip the body when the request accepts gzip. */
  gzip?: boolean;
  /** Extra response headers (e.g. `retry-after`, `x-should-retry`). */
  headers?: Record<string, string>;
  /** Embedding length when the request does not say (`dimensions` / `outputDimensionality`). */
  embeddingDimensions?: number;
  /**
   * Sends these exact bytes instead of the provider's answer (status `status` or 200): a body that
   * is no answer, such as truncated JSON, an HTML error page or an empty body.
   */
  rawBody?: { contentType: string; body: string };
}

/** A reply with every number decided; what the provider modules render. */
export interface ResolvedReply {
  text: string;
  model: string | undefined;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheCreationInputTokens: number;
  reasoningTokens: number;
  finishReason: string | undefined;
  toolCall: { id: string | undefined; name: string; arguments: string } | undefined;
  status: number | undefined;
  error: ScriptedError | undefined;
  failAfterChunks: number | undefined;
  streamErrorEvent: ScriptedStreamError | undefined;
  firstChunkDelayMs: number;
  chunkDelayMs: number;
  gzip: boolean;
  headers: Record<string, string>;
  embeddingDimensions: number | undefined;
  rawBody: { contentType: string; body: string } | undefined;
}

export const DEFAULT_REPLY_TEXT =
  'This reply comes from the tokentrace provider emulator, a local stand-in for the real API.';

const COUNTS = ['inputTokens', 'outputTokens', 'cachedInputTokens', 'cacheCreationInputTokens', 'reasoningTokens',
  'failAfterChunks', 'firstChunkDelayMs', 'chunkDelayMs', 'embeddingDimensions'] as const;

/** Throws an error naming the offending key when a scripted reply cannot be rendered. */
export function validateScriptedReply(reply: ScriptedReply): void {
  for (const key of COUNTS) {
    const value = reply[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new TypeError(`ScriptedReply.${key} must be a non-negative integer, got ${String(value)}`);
    }
  }
  if (reply.status !== undefined && (!Number.isInteger(reply.status) || reply.status < 100 || reply.status > 599)) {
    throw new TypeError(`ScriptedReply.status must be an HTTP status code, got ${String(reply.status)}`);
  }
  const input = reply.inputTokens;
  const cached = (reply.cachedInputTokens ?? 0) + (reply.cacheCreationInputTokens ?? 0);
  if (input !== undefined && cached > input) {
    throw new RangeError(`ScriptedReply.inputTokens (${input}) must include cachedInputTokens + cacheCreationInputTokens (${cached})`);
  }
  if (reply.outputTokens !== undefined && (reply.reasoningTokens ?? 0) > reply.outputTokens) {
    throw new RangeError(`ScriptedReply.outputTokens (${reply.outputTokens}) must include reasoningTokens (${reply.reasoningTokens})`);
  }
}

/** Rough token estimate (~4 characters per token) used when a test does not script counts. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Completes a scripted reply; `requestBody` feeds the input-token estimate. */
export function resolveReply(reply: ScriptedReply, timing: { firstChunkDelayMs: number; chunkDelayMs: number },
  requestBody: string): ResolvedReply {
  const text = reply.text ?? (reply.toolCall ? '' : DEFAULT_REPLY_TEXT);
  const args = reply.toolCall === undefined ? undefined
    : typeof reply.toolCall.arguments === 'string' ? reply.toolCall.arguments : JSON.stringify(reply.toolCall.arguments);
  const cachedInputTokens = reply.cachedInputTokens ?? 0;
  const cacheCreationInputTokens = reply.cacheCreationInputTokens ?? 0;
  const reasoningTokens = reply.reasoningTokens ?? 0;
  const inputTokens = reply.inputTokens ?? estimateTokens(requestBody) + cachedInputTokens + cacheCreationInputTokens;
  const visibleOutput = text === '' && args === undefined ? 1 : estimateTokens(text + (args ?? ''));
  return {
    text,
    model: reply.model,
    inputTokens,
    outputTokens: reply.outputTokens ?? visibleOutput + reasoningTokens,
    cachedInputTokens,
    cacheCreationInputTokens,
    reasoningTokens,
    finishReason: reply.finishReason,
    toolCall: reply.toolCall && args !== undefined ? { id: reply.toolCall.id, name: reply.toolCall.name, arguments: args } : undefined,
    status: reply.status,
    error: reply.error,
    failAfterChunks: reply.failAfterChunks,
    streamErrorEvent: reply.streamErrorEvent,
    firstChunkDelayMs: reply.firstChunkDelayMs ?? timing.firstChunkDelayMs,
    chunkDelayMs: reply.chunkDelayMs ?? timing.chunkDelayMs,
    gzip: reply.gzip ?? false,
    headers: reply.headers ?? {},
    embeddingDimensions: reply.embeddingDimensions,
    rawBody: reply.rawBody,
  };
}
