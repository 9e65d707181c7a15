/**
 * Codecs for Ollama's native API (https://docs.ollama.com/api): POST /api/chat (`messages`),
 * /api/generate (`prompt`, `system`) and /api/embed (`input`). Sampling options travel in
 * `options` (`temperature`, `top_p`, `top_k`, `num_predict`, `seed`, `stop`, ...). Chat and
 * generate stream by default (`stream` absent means true) as newline-delimited JSON
 * (application/x-ndjson): each line a partial answer, the last one `done: true` with `done_reason`,
 * `prompt_eval_count` (input tokens) and `eval_count` (output tokens).
 */
import { normalizeFinishReason } from './finish-reasons.js';
import { inputTextOf, joinText, outputTextOf, reasoningPart, textPart, toolCallPart } from './message-parts.js';
import type { InputMessage, MessagePart, ProviderCodec, ProviderError, RequestInfo, ResponseInfo, StreamAccumulator, StreamEvent, Usage } from './types.js';
import { arr, bool, nonEmpty, num, obj, parseJson, str, strings, type JsonObject } from './wire-json.js';

export const ollamaChatCodec: ProviderCodec = {
  api: 'ollama.chat',
  parseRequest: (body) => parseGenerationRequest(body, 'chat'),
  parseResponse: (body) => parseGenerationResponse(body),
  createStreamAccumulator: () => new NdjsonAccumulator(),
};

export const ollamaGenerateCodec: ProviderCodec = {
  api: 'ollama.generate',
  parseRequest: (body) => parseGenerationRequest(body, 'generate'),
  parseResponse: (body) => parseGenerationResponse(body),
  createStreamAccumulator: () => new NdjsonAccumulator(),
};

export const ollamaEmbedCodec: ProviderCodec = {
  api: 'ollama.embed',
  parseRequest: (body) => parseEmbedRequest(body),
  parseResponse: (body) => parseEmbedResponse(body),
  createStreamAccumulator: () => new NdjsonAccumulator(parseEmbedResponse),
};

function parseGenerationRequest(body: unknown, api: 'chat' | 'generate'): RequestInfo {
  const b = obj(body);
  if (!b) return { inputText: '' };
  const o = obj(b.options) ?? {};
  let inputMessages: InputMessage[] | undefined;
  let systemInstructions: MessagePart[] | undefined;
  if (api === 'chat') {
    inputMessages = [];
    for (const entry of arr(b.messages) ?? []) {
      const m = obj(entry);
      if (!m) continue;
      const role = nonEmpty(m.role) ?? 'user';
      const parts = messageParts(m);
      if (role === 'system') (systemInstructions ??= []).push(...parts);
      else inputMessages.push({ role, parts });
    }
  } else {
    const system = nonEmpty(b.system);
    if (system) systemInstructions = [textPart(system)];
    const prompt = str(b.prompt);
    inputMessages = prompt !== undefined ? [{ role: 'user', parts: [textPart(prompt)] }] : undefined;
  }
  const format = b.format;
  return {
    model: nonEmpty(b.model),
    stream: bool(b.stream) ?? true,
    temperature: num(o.temperature),
    maxTokens: num(o.num_predict),
    topP: num(o.top_p),
    topK: num(o.top_k),
    frequencyPenalty: num(o.frequency_penalty),
    presencePenalty: num(o.presence_penalty),
    seed: num(o.seed),
    stopSequences: strings(o.stop),
    outputType: format === 'json' || obj(format) ? 'json' : undefined,
    inputMessages,
    systemInstructions,
    inputText: inputTextOf(systemInstructions, inputMessages),
  };
}

function messageParts(m: JsonObject): MessagePart[] {
  const parts: MessagePart[] = [];
  const thinking = nonEmpty(m.thinking);
  if (thinking) parts.push(reasoningPart(thinking));
  const content = str(m.content);
  if (content) parts.push(textPart(content));
  for (const call of arr(m.tool_calls) ?? []) {
    const fn = obj(obj(call)?.function);
    const name = nonEmpty(fn?.name);
    if (name) parts.push(toolCallPart(undefined, name, fn?.arguments));
  }
  return parts;
}

function parseEmbedRequest(body: unknown): RequestInfo {
  const b = obj(body);
  if (!b) return { inputText: '' };
  const inputs = typeof b.input === 'string' ? [b.input] : arr(b.input) ? [...(b.input as unknown[])] : undefined;
  return {
    model: nonEmpty(b.model),
    embeddingInputs: inputs,
    inputText: joinText((inputs ?? []).filter((i): i is string => typeof i === 'string')),
  };
}

function usageOf(b: JsonObject): Usage | undefined {
  const input = num(b.prompt_eval_count);
  const output = num(b.eval_count);
  if (input === undefined && output === undefined) return undefined;
  return { inputTokens: input, outputTokens: output };
}

function errorOf(b: JsonObject): ProviderError | undefined {
  const message = str(b.error);
  return message === undefined ? undefined : { type: 'error', message };
}

function parseGenerationResponse(body: unknown): ResponseInfo {
  const b = obj(body);
  if (!b) return { finishReasons: [], outputText: '' };
  const error = errorOf(b);
  if (error) return { finishReasons: [], outputText: '', error };
  const message = obj(b.message);
  const parts = message ? messageParts(message) : [];
  const response = str(b.response);
  if (response) parts.push(textPart(response));
  if (!message) {
    const thinking = nonEmpty(b.thinking);
    if (thinking) parts.unshift(reasoningPart(thinking));
  }
  const raw = nonEmpty(b.done_reason);
  const hasToolCall = parts.some((p) => p.type === 'tool_call');
  const outputMessages = parts.length > 0 || raw !== undefined
    ? [{ role: nonEmpty(message?.role) ?? 'assistant', parts, finish_reason: hasToolCall ? 'tool_call' : normalizeFinishReason('ollama', raw) }]
    : undefined;
  return {
    model: nonEmpty(b.model),
    finishReasons: raw !== undefined ? [raw] : [],
    usage: usageOf(b),
    outputMessages,
    outputText: outputMessages ? outputTextOf(outputMessages) : '',
  };
}

function parseEmbedResponse(body: unknown): ResponseInfo {
  const b = obj(body);
  if (!b) return { finishReasons: [], outputText: '' };
  const error = errorOf(b);
  if (error) return { finishReasons: [], outputText: '', error };
  const first = arr(arr(b.embeddings)?.[0]);
  const input = num(b.prompt_eval_count);
  return {
    model: nonEmpty(b.model),
    finishReasons: [],
    outputText: '',
    usage: input === undefined ? undefined : { inputTokens: input },
    embeddingDimensions: first && first.length > 0 ? first.length : undefined,
  };
}

/** Folds the NDJSON lines: text and thinking pieces concatenated, the last line's counts and reason. */
class NdjsonAccumulator implements StreamAccumulator {
  private last: JsonObject = {};
  private readonly text: string[] = [];
  private readonly thinking: string[] = [];
  private readonly toolCalls: unknown[] = [];
  private role?: string;
  private done = false;
  private error?: ProviderError;

  constructor(private readonly whole?: (body: unknown) => ResponseInfo) {}

  accept(event: StreamEvent): void {
    const line = obj(parseJson(event.data));
    if (!line) return;
    this.last = line;
    const error = errorOf(line);
    if (error) this.error = error;
    const message = obj(line.message);
    const piece = message ? str(message.content) : str(line.response);
    if (piece) this.text.push(piece);
    const thinking = message ? str(message.thinking) : str(line.thinking);
    if (thinking) this.thinking.push(thinking);
    if (message) {
      this.role = nonEmpty(message.role) ?? this.role;
      for (const call of arr(message.tool_calls) ?? []) this.toolCalls.push(call);
    }
    if (line.done === true) this.done = true;
  }

  result(): ResponseInfo {
    if (this.whole) return this.whole(this.last);
    const info = parseGenerationResponse({
      ...this.last,
      message: { role: this.role ?? 'assistant', content: joinText(this.text, ''), thinking: joinText(this.thinking, ''), tool_calls: this.toolCalls },
      response: undefined,
      error: undefined,
    });
    if (this.error) info.error = this.error;
    return info;
  }

  /** The `done: true` line ends a stream; an `error` line ends a failed one. */
  isComplete(): boolean {
    return this.done || this.error !== undefined;
  }
}
