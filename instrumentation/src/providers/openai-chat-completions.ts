/**
 * Codec for OpenAI Chat Completions (POST .../chat/completions), the wire format of OpenAI, Azure
 * OpenAI and every OpenAI-compatible host (Groq, Together, DeepSeek, Mistral, OpenRouter, xAI,
 * Perplexity, Ollama, vLLM). The stream is folded into a body of the non-stream shape and read by
 * the same code, so a stream and a body with the same content give the same ResponseInfo.
 */
import { GEN_AI_OUTPUT_TYPE } from '@tokentrace/semconv';
import { normalizeFinishReason } from './finish-reasons.js';
import {
  blobPart,
  filePart,
  inputTextOf,
  joinText,
  outputTextOf,
  reasoningPart,
  textPart,
  toolCallPart,
  toolResponsePart,
  urlPart,
} from './message-parts.js';
import { isDoneSentinel, openAiError, openAiSamplingParams, openAiUsage } from './openai-wire.js';
import type {
  InputMessage,
  MessagePart,
  OutputMessage,
  ProviderCodec,
  ProviderError,
  RequestInfo,
  ResponseInfo,
  StreamAccumulator,
  StreamEvent,
} from './types.js';
import { arr, nonEmpty, num, obj, parseArguments, parseJson, str, type JsonObject } from './wire-json.js';

export const openAiChatCompletionsCodec: ProviderCodec = {
  api: 'openai.chat_completions',
  parseRequest: (body) => parseChatRequest(body),
  parseResponse: (body) => parseChatResponse(body),
  createStreamAccumulator: () => new ChatStreamAccumulator(),
  isOutputOnly: (event) => isContentDelta(event.data),
};

const FINISH = '"finish_reason"';
/** How OpenAI ends a delta chunk, but for its closing brace: no finish reason, then `"usage":null` when usage was asked for. */
const DELTA_END = '"finish_reason":null}]';
const DELTA_END_USAGE = '"finish_reason":null}],"usage":null';
/** OpenAI's padding field, last in each delta chunk (`stream_options.include_obfuscation`). */
const OBFUSCATION = ',"obfuscation":"';

/**
 * A chunk that ends as OpenAI ends a delta (DELTA_END, then maybe OBFUSCATION), with no other
 * finish reason, usage or error in it: only its delta (output), and ids and model that the chunks
 * ending the stream repeat. Found on the text, from its end (a quote inside a JSON string is
 * escaped, so these keys cannot be matched inside content); anything else (spaces after the
 * colons, several choices, other fields last) is parsed.
 */
function isContentDelta(data: string): boolean {
  let close = data.length - 1;
  if (data.charCodeAt(close) !== 125 /* } */) return false;
  if (data.charCodeAt(close - 1) === 34 /* " */) {
    const padding = data.lastIndexOf(OBFUSCATION, close);
    if (padding === -1 || data.indexOf('"', padding + OBFUSCATION.length) !== close - 1) return false;
    close = padding;
  }
  const end = data.endsWith(DELTA_END_USAGE, close) ? close - DELTA_END_USAGE.length : data.endsWith(DELTA_END, close) ? close - DELTA_END.length : -1;
  if (end < 0 || data.lastIndexOf(FINISH, end - 1) !== -1) return false;
  const usage = data.indexOf('usage"');
  return (usage === -1 || usage > end) && !data.includes('"error"');
}

function parseChatRequest(body: unknown): RequestInfo {
  const b = obj(body);
  if (!b) return { inputText: '' };
  // The messages are read when first asked for (content capture, a token estimate; most calls need
  // neither): issue 12, building them for every call was part of the capture's cost per call.
  let inputMessages: InputMessage[] | undefined | null = null;
  let inputText: string | undefined;
  const messages = () => (inputMessages === null ? (inputMessages = chatMessages(b.messages)) : inputMessages);
  return {
    ...openAiSamplingParams(b),
    // max_tokens is deprecated in favour of max_completion_tokens (o-series reject max_tokens).
    maxTokens: num(b.max_completion_tokens) ?? num(b.max_tokens),
    outputType: chatOutputType(b),
    serviceTier: nonEmpty(b.service_tier),
    get inputMessages() {
      return messages();
    },
    get inputText() {
      return (inputText ??= inputTextOf(undefined, messages()));
    },
  };
}

/** `modalities: ["text", "audio"]` asks for speech; `response_format` json_object / json_schema for JSON. */
function chatOutputType(b: JsonObject): string | undefined {
  if (arr(b.modalities)?.includes('audio')) return GEN_AI_OUTPUT_TYPE.speech;
  const type = obj(b.response_format)?.type;
  if (type === 'json_object' || type === 'json_schema') return GEN_AI_OUTPUT_TYPE.json;
  if (type === 'text') return GEN_AI_OUTPUT_TYPE.text;
  return undefined;
}

/**
 * `messages`, all of them, in order. System and developer messages stay here: the conventions put
 * instructions that are part of the chat history in gen_ai.input.messages, and keep
 * gen_ai.system_instructions for APIs that take them separately (Anthropic `system`, Responses
 * `instructions`, Gemini `systemInstruction`).
 */
function chatMessages(value: unknown): InputMessage[] | undefined {
  const list = arr(value);
  if (!list) return undefined;
  const messages: InputMessage[] = [];
  for (const item of list) {
    const m = obj(item);
    if (!m) continue;
    const role = nonEmpty(m.role) ?? 'user';
    const parts: MessagePart[] = [];
    let message: InputMessage;
    if (role === 'tool' || role === 'function') {
      // `function` is the deprecated functions API; its result has a name but no call id.
      parts.push(toolResponsePart(nonEmpty(m.tool_call_id), toolResult(m.content)));
      message = { role: 'tool', parts };
    } else {
      messageParts(m, parts);
      message = { role, parts };
    }
    const name = nonEmpty(m.name);
    if (name !== undefined) message.name = name;
    messages.push(message);
  }
  return messages;
}

/** A tool message's content: a string, or text parts (joined). */
function toolResult(content: unknown): unknown {
  if (typeof content === 'string') return content;
  const list = arr(content);
  if (!list) return content ?? '';
  const texts: string[] = [];
  for (const item of list) {
    const text = str(obj(item)?.text);
    if (text !== undefined) texts.push(text);
  }
  return joinText(texts);
}

/**
 * The parts of a message, in the order the model produced them: reasoning (DeepSeek, vLLM
 * `reasoning_content`; OpenRouter `reasoning`), content, refusal, audio, tool calls.
 */
function messageParts(m: JsonObject, parts: MessagePart[]): void {
  const reasoning = str(m.reasoning_content) ?? str(m.reasoning);
  if (reasoning) parts.push(reasoningPart(reasoning));
  contentParts(m.content, parts);
  const refusal = str(m.refusal);
  if (refusal) parts.push(textPart(refusal));
  const audio = obj(m.audio);
  const audioData = str(audio?.data);
  if (audio && audioData) parts.push(blobPart('audio', undefined, audioData, str(audio.transcript)));
  for (const item of arr(m.tool_calls) ?? []) {
    const call = obj(item);
    if (!call) continue;
    const fn = obj(call.function);
    const custom = obj(call.custom);
    if (fn) parts.push(toolCallPart(nonEmpty(call.id), str(fn.name) ?? '', parseArguments(fn.arguments)));
    else if (custom) parts.push(toolCallPart(nonEmpty(call.id), str(custom.name) ?? '', custom.input));
  }
  const legacy = obj(m.function_call);
  if (legacy) parts.push(toolCallPart(undefined, str(legacy.name) ?? '', parseArguments(legacy.arguments)));
}

/** String content, or content parts: text, refusal, image_url, input_audio, file. */
function contentParts(content: unknown, parts: MessagePart[]): void {
  if (typeof content === 'string') {
    if (content.length > 0) parts.push(textPart(content));
    return;
  }
  for (const item of arr(content) ?? []) {
    const p = obj(item);
    if (!p) continue;
    switch (p.type) {
      case 'text': {
        const text = str(p.text);
        if (text !== undefined) parts.push(textPart(text));
        break;
      }
      case 'refusal': {
        const text = str(p.refusal);
        if (text !== undefined) parts.push(textPart(text));
        break;
      }
      case 'image_url': {
        // Documented as {url, detail}; some compatible clients send the URL string itself.
        const url = str(obj(p.image_url)?.url) ?? str(p.image_url);
        if (url) parts.push(urlPart(url, 'image'));
        break;
      }
      case 'input_audio': {
        const audio = obj(p.input_audio);
        const data = str(audio?.data);
        if (data) parts.push(blobPart('audio', audioMime(str(audio?.format)), data));
        break;
      }
      case 'file': {
        const file = obj(p.file);
        const fileId = nonEmpty(file?.file_id);
        const fileData = nonEmpty(file?.file_data);
        if (fileId) parts.push(filePart('document', fileId));
        else if (fileData) parts.push(urlPart(fileData, 'document'));
        break;
      }
    }
  }
}

function audioMime(format: string | undefined): string | undefined {
  if (!format) return undefined;
  return format === 'mp3' ? 'audio/mpeg' : `audio/${format}`;
}

function parseChatResponse(body: unknown): ResponseInfo {
  const b = obj(body);
  if (!b) return { finishReasons: [], outputText: '' };
  const choices = arr(b.choices) ?? [];
  const finishReasons: string[] = [];
  for (const item of choices) {
    const raw = nonEmpty(obj(item)?.finish_reason);
    if (raw !== undefined) finishReasons.push(raw);
  }
  // Read when first asked for, as the request's messages are (parseChatRequest).
  let outputMessages: OutputMessage[] | undefined;
  let outputText: string | undefined;
  const messages = () => (outputMessages ??= chatOutputMessages(choices));
  return {
    id: nonEmpty(b.id),
    model: nonEmpty(b.model),
    finishReasons,
    usage: openAiUsage(b.usage),
    get outputMessages() {
      const list = messages();
      return list.length > 0 ? list : undefined;
    },
    get outputText() {
      return (outputText ??= outputTextOf(messages()));
    },
    serviceTier: nonEmpty(b.service_tier),
    systemFingerprint: nonEmpty(b.system_fingerprint),
    error: openAiError(b),
  };
}

function chatOutputMessages(choices: readonly unknown[]): OutputMessage[] {
  const outputMessages: OutputMessage[] = [];
  for (const item of choices) {
    const choice = obj(item);
    if (!choice) continue;
    const message = obj(choice.message);
    const parts: MessagePart[] = [];
    if (message) messageParts(message, parts);
    outputMessages.push({
      role: nonEmpty(message?.role) ?? 'assistant',
      parts,
      finish_reason: normalizeFinishReason('openai', nonEmpty(choice.finish_reason)),
    });
  }
  return outputMessages;
}

interface ToolCallState {
  id?: string;
  type?: string;
  name?: string;
  args: string[];
}

interface ChoiceState {
  role?: string;
  content: string[];
  reasoning: string[];
  refusal: string[];
  audioData: string[];
  audioTranscript: string[];
  toolCalls: Map<number, ToolCallState>;
  finishReason?: string;
}

/**
 * Folds `data: {chunk}` events (docs: "The chat completion chunk object"). Deltas are collected per
 * choice index and tool calls per tool-call index, then joined once. Usage arrives in a last chunk
 * with empty `choices` when the client sent `stream_options.include_usage`; some hosts send it on
 * every chunk (cumulative: the last wins) and older Groq streams put it in `x_groq.usage`.
 */
class ChatStreamAccumulator implements StreamAccumulator {
  private id?: string;
  private model?: string;
  private serviceTier?: string;
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
    const chunk = obj(parseJson(event.data)); // keep-alives are not JSON objects
    if (!chunk) return;
    const error = openAiError(chunk);
    if (error) {
      this.error = error;
      return;
    }
    this.id = nonEmpty(chunk.id) ?? this.id;
    this.model = nonEmpty(chunk.model) ?? this.model;
    this.serviceTier = nonEmpty(chunk.service_tier) ?? this.serviceTier;
    this.systemFingerprint = nonEmpty(chunk.system_fingerprint) ?? this.systemFingerprint;
    this.usage = obj(chunk.usage) ?? obj(obj(chunk.x_groq)?.usage) ?? this.usage;
    const choices = arr(chunk.choices);
    if (!choices) return;
    for (let i = 0; i < choices.length; i++) {
      const c = obj(choices[i]);
      if (c) this.acceptChoice(num(c.index) ?? i, c);
    }
  }

  private acceptChoice(index: number, c: JsonObject): void {
    let state = this.choices.get(index);
    if (!state) {
      state = { content: [], reasoning: [], refusal: [], audioData: [], audioTranscript: [], toolCalls: new Map() };
      this.choices.set(index, state);
    }
    state.finishReason = nonEmpty(c.finish_reason) ?? state.finishReason;
    const delta = obj(c.delta);
    if (!delta) return;
    state.role = nonEmpty(delta.role) ?? state.role;
    pushString(state.content, delta.content);
    pushString(state.reasoning, delta.reasoning_content ?? delta.reasoning);
    pushString(state.refusal, delta.refusal);
    const audio = obj(delta.audio);
    if (audio) {
      pushString(state.audioData, audio.data);
      pushString(state.audioTranscript, audio.transcript);
    }
    const calls = arr(delta.tool_calls);
    if (calls) for (let i = 0; i < calls.length; i++) acceptToolCall(state.toolCalls, obj(calls[i]), i);
  }

  result(): ResponseInfo {
    const choices: JsonObject[] = [];
    for (const index of [...this.choices.keys()].sort((a, b) => a - b)) {
      const s = this.choices.get(index)!;
      const message: JsonObject = { role: s.role ?? 'assistant', content: joinedOrNull(s.content) };
      if (s.reasoning.length > 0) message.reasoning_content = joinText(s.reasoning, '');
      if (s.refusal.length > 0) message.refusal = joinText(s.refusal, '');
      if (s.audioData.length > 0) message.audio = { data: joinText(s.audioData, ''), transcript: joinText(s.audioTranscript, '') };
      if (s.toolCalls.size > 0) {
        message.tool_calls = [...s.toolCalls.keys()]
          .sort((a, b) => a - b)
          .map((k) => {
            const t = s.toolCalls.get(k)!;
            const args = joinText(t.args, '');
            return t.type === 'custom'
              ? { id: t.id, type: 'custom', custom: { name: t.name, input: args } }
              : { id: t.id, type: 'function', function: { name: t.name, arguments: args } };
          });
      }
      choices.push({ index, finish_reason: s.finishReason ?? null, message });
    }
    const info = parseChatResponse({
      id: this.id,
      model: this.model,
      choices,
      usage: this.usage,
      service_tier: this.serviceTier,
      system_fingerprint: this.systemFingerprint,
    });
    if (this.error) info.error = this.error;
    return info;
  }

  /** `data: [DONE]` ends every stream (after the usage chunk); an error chunk ends a failed one. */
  isComplete(): boolean {
    return this.done || this.error !== undefined;
  }
}

/**
 * A tool-call delta: `{index, id, type, function: {name, arguments}}`, where only the first delta of
 * a call carries id and name and the rest append to `arguments`. Hosts that send each call whole
 * without `index` get one slot per new id.
 */
function acceptToolCall(calls: Map<number, ToolCallState>, d: JsonObject | undefined, position: number): void {
  if (!d) return;
  const id = nonEmpty(d.id);
  let index = num(d.index);
  if (index === undefined) {
    for (const [k, t] of calls) if (id !== undefined && t.id === id) index = k;
    index ??= id !== undefined ? calls.size : Math.max(position, calls.size - 1);
  }
  let state = calls.get(index);
  if (!state) {
    state = { args: [] };
    calls.set(index, state);
  }
  state.id ??= id;
  state.type ??= nonEmpty(d.type);
  const fn = obj(d.function) ?? obj(d.custom);
  if (!fn) return;
  state.name ??= nonEmpty(fn.name);
  pushString(state.args, fn.arguments ?? fn.input);
}

function pushString(into: string[], value: unknown): void {
  if (typeof value === 'string' && value.length > 0) into.push(value);
}

function joinedOrNull(pieces: string[]): string | null {
  return pieces.length > 0 ? joinText(pieces, '') : null;
}
