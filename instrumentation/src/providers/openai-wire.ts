/**
 * Wire pieces the OpenAI APIs share (Chat Completions, legacy Completions, Embeddings, and the
 * error body of Responses): the `usage` object with `prompt_tokens`, and the error body.
 */
import type { ProviderError, RequestInfo, StreamEvent, Usage } from './types.js';
import { bool, num, nonEmpty, obj, str, strings, type JsonObject } from './wire-json.js';

/**
 * `usage` of Chat Completions / Completions / Embeddings. OpenAI's prompt_tokens already include
 * cached tokens and completion_tokens already include reasoning tokens, which is the conventions'
 * sense, so they map one to one. Two compatible hosts differ:
 * - DeepSeek reports its cache hits as `prompt_cache_hit_tokens` (prompt_tokens = hit + miss).
 * - xAI counts reasoning tokens on top of completion_tokens (its docs: "counted separately from
 *   completion_tokens, but counted in the total_tokens"). That shows as
 *   total = prompt + completion + reasoning, which cannot hold for OpenAI's subset semantics when
 *   reasoning > 0; then output = completion + reasoning.
 */
export function openAiUsage(value: unknown): Usage | undefined {
  const u = obj(value);
  if (!u) return undefined;
  const input = num(u.prompt_tokens);
  const completion = num(u.completion_tokens);
  if (input === undefined && completion === undefined) return undefined;
  const reasoning = num(obj(u.completion_tokens_details)?.reasoning_tokens);
  const output = outputWithReasoning(input, completion, reasoning, num(u.total_tokens));
  const usage: Usage = {};
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  const cached = num(obj(u.prompt_tokens_details)?.cached_tokens) ?? num(u.prompt_cache_hit_tokens);
  if (cached !== undefined) usage.cacheReadInputTokens = cached;
  if (reasoning !== undefined) usage.reasoningOutputTokens = reasoning;
  return usage;
}

/** Output tokens in the conventions' sense (reasoning included), also where a host counts reasoning on top. */
export function outputWithReasoning(
  input: number | undefined,
  output: number | undefined,
  reasoning: number | undefined,
  total: number | undefined,
): number | undefined {
  if (output === undefined || input === undefined || reasoning === undefined || reasoning <= 0) return output;
  return total === input + output + reasoning ? output + reasoning : output;
}

/**
 * The error of an OpenAI-style body or stream chunk: `{error: {message, type, param, code}}`
 * (OpenAI, Azure, most compatible hosts), `{error: "text"}` (Ollama), or vLLM's top-level
 * `{object: "error", message, type, code}`. `code` is preferred over `type` because OpenAI's `type`
 * is sometimes as vague as `requests` while `code` says `rate_limit_exceeded`.
 */
export function openAiError(body: unknown): ProviderError | undefined {
  const o = obj(body);
  if (!o) return undefined;
  if (typeof o.error === 'string') return { type: 'error', message: o.error };
  const e = obj(o.error) ?? (o.object === 'error' ? o : undefined);
  if (!e) return undefined;
  return errorOf(e);
}

/** The `data: [DONE]` event that ends a chat or legacy completions stream. */
export function isDoneSentinel(event: StreamEvent): boolean {
  const data = event.data;
  // Every other event is a JSON object: no trimmed copy of each chunk's text to tell.
  return data.charCodeAt(0) !== 123 /* { */ && data.trim() === '[DONE]';
}

/** `{code, type, message}` as a ProviderError, for the Responses API's `response.error` and error events too. */
export function errorOf(e: Record<string, unknown>): ProviderError {
  const code = e.code;
  const type =
    nonEmpty(code) ?? nonEmpty(e.type) ?? (typeof code === 'number' && Number.isFinite(code) ? String(code) : undefined) ?? 'error';
  const message = str(e.message);
  return message === undefined ? { type } : { type, message };
}

/** The request parameters that chat and legacy completions spell alike (sampling, stop, seed, n). */
export function openAiSamplingParams(b: JsonObject): Pick<RequestInfo, 'model' | 'stream' | 'temperature' | 'topP' | 'frequencyPenalty' | 'presencePenalty' | 'stopSequences' | 'seed' | 'choiceCount'> {
  return {
    model: nonEmpty(b.model),
    stream: bool(b.stream),
    temperature: num(b.temperature),
    topP: num(b.top_p),
    frequencyPenalty: num(b.frequency_penalty),
    presencePenalty: num(b.presence_penalty),
    stopSequences: strings(b.stop),
    seed: num(b.seed),
    choiceCount: num(b.n),
  };
}
