/**
 * Codec for OpenAI's legacy Completions API (POST .../completions), still served by many
 * OpenAI-compatible hosts (vLLM, Together, Fireworks). A prompt in, `choices[].text` out; the
 * stream is the same chunk shape with `choices[].text` deltas.
 */
import { normalizeFinishReason } from './finish-reasons.js';
import { inputTextOf, joinText, outputTextOf, textPart } from './message-parts.js';
import { isDoneSentinel, openAiError, openAiSamplingParams, openAiUsage } from './openai-wire.js';
import type {
  InputMessage,
  OutputMessage,
  ProviderCodec,
  ProviderError,
  RequestInfo,
  ResponseInfo,
  StreamAccumulator,
  StreamEvent,
} from './types.js';
import { arr, nonEmpty, num, obj, parseJson, str, strings, type JsonObject } from './wire-json.js';

export const openAiCompletionsCodec: ProviderCodec = {
  api: 'openai.completions',
  parseRequest: (body) => parseCompletionRequest(body),
  parseResponse: (body) => parseCompletionResponse(body),
  createStreamAccumulator: () => new CompletionStreamAccumulator(),
};

function parseCompletionRequest(body: unknown): RequestInfo {
  const b = obj(body);
  if (!b) return { inputText: '' };
  const inputMessages = promptMessages(b.prompt);
  return {
    ...openAiSamplingParams(b),
    maxTokens: num(b.max_tokens),
    inputMessages,
    inputText: inputTextOf(undefined, inputMessages),
  };
}

/**
 * `prompt` is a string, an array of strings (a batch: one completion per prompt), or token ids,
 * which carry no text to record. Each prompt string becomes a text part of one user message.
 */
function promptMessages(prompt: unknown): InputMessage[] | undefined {
  const texts = strings(prompt);
  return texts ? [{ role: 'user', parts: texts.map(textPart) }] : undefined;
}

function parseCompletionResponse(body: unknown): ResponseInfo {
  const b = obj(body);
  if (!b) return { finishReasons: [], outputText: '' };
  const finishReasons: string[] = [];
  const outputMessages: OutputMessage[] = [];
  for (const item of arr(b.choices) ?? []) {
    const choice = obj(item);
    if (!choice) continue;
    const raw = nonEmpty(choice.finish_reason);
    if (raw !== undefined) finishReasons.push(raw);
    const text = str(choice.text);
    outputMessages.push({
      role: 'assistant',
      parts: text ? [textPart(text)] : [],
      finish_reason: normalizeFinishReason('openai', raw),
    });
  }
  return {
    id: nonEmpty(b.id),
    model: nonEmpty(b.model),
    finishReasons,
    usage: openAiUsage(b.usage),
    outputMessages: outputMessages.length > 0 ? outputMessages : undefined,
    outputText: outputTextOf(outputMessages),
    systemFingerprint: nonEmpty(b.system_fingerprint),
    error: openAiError(b),
  };
}

interface ChoiceState {
  text: string[];
  finishReason?: string;
}

/** Folds `data: {chunk}` events; usage comes last when the client sent `stream_options.include_usage`. */
class CompletionStreamAccumulator implements StreamAccumulator {
  private id?: string;
  private model?: string;
  private systemFingerprint?: string;
  private usage?: JsonObject;
  private error?: ProviderError;
  private done = false;
  private readonly choices = new Map<number, ChoiceState>();

  accept(event: StreamEvent): void {
    if (isDoneSentinel(event)) {
      this.done = true;
      return;
    }
    const chunk = obj(parseJson(event.data));
    if (!chunk) return;
    const error = openAiError(chunk);
    if (error) {
      this.error = error;
      return;
    }
    this.id = nonEmpty(chunk.id) ?? this.id;
    this.model = nonEmpty(chunk.model) ?? this.model;
    this.systemFingerprint = nonEmpty(chunk.system_fingerprint) ?? this.systemFingerprint;
    this.usage = obj(chunk.usage) ?? this.usage;
    const choices = arr(chunk.choices) ?? [];
    for (let i = 0; i < choices.length; i++) {
      const c = obj(choices[i]);
      if (!c) continue;
      const index = num(c.index) ?? i;
      let state = this.choices.get(index);
      if (!state) {
        state = { text: [] };
        this.choices.set(index, state);
      }
      const text = str(c.text);
      if (text) state.text.push(text);
      state.finishReason = nonEmpty(c.finish_reason) ?? state.finishReason;
    }
  }

  result(): ResponseInfo {
    const choices = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, s]) => ({ index, text: joinText(s.text, ''), finish_reason: s.finishReason ?? null }));
    const info = parseCompletionResponse({
      id: this.id,
      model: this.model,
      choices,
      usage: this.usage,
      system_fingerprint: this.systemFingerprint,
    });
    if (this.error) info.error = this.error;
    return info;
  }

  /** Ended by `data: [DONE]`, as chat completions are; an error chunk ends a failed stream. */
  isComplete(): boolean {
    return this.done || this.error !== undefined;
  }
}
