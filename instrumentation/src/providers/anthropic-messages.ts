/**
 * Codec for the Anthropic Messages API (POST /v1/messages): `system` apart from `messages`, content
 * blocks (text, image, document, tool_use, tool_result, thinking), and the SSE stream of
 * message_start / content_block_* / message_delta events, folded into a message of the non-stream
 * shape and read by the same code.
 */
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
  uriPart,
} from './message-parts.js';
import type {
  InputMessage,
  MessagePart,
  ProviderCodec,
  ProviderError,
  RequestInfo,
  ResponseInfo,
  StreamAccumulator,
  StreamEvent,
  Usage,
} from './types.js';
import { arr, bool, nonEmpty, num, obj, parseArguments, parseJson, str, strings, sumPresent, type JsonObject } from './wire-json.js';

export const anthropicMessagesCodec: ProviderCodec = {
  api: 'anthropic.messages',
  parseRequest: (body) => parseMessagesRequest(body),
  parseResponse: (body) => parseMessagesResponse(body),
  createStreamAccumulator: () => new MessagesStreamAccumulator(),
  // Text, tool-input and thinking deltas: output only (usage and stop reason come in message_start and message_delta).
  isOutputOnly: (event) => event.event === 'content_block_delta',
};

function parseMessagesRequest(body: unknown): RequestInfo {
  const b = obj(body);
  if (!b) return { inputText: '' };
  const systemInstructions = systemParts(b.system);
  const inputMessages = messages(b.messages);
  return {
    model: nonEmpty(b.model),
    stream: bool(b.stream),
    temperature: num(b.temperature),
    maxTokens: num(b.max_tokens),
    topP: num(b.top_p),
    topK: num(b.top_k),
    stopSequences: strings(b.stop_sequences),
    inputMessages,
    systemInstructions,
    inputText: inputTextOf(systemInstructions, inputMessages),
  };
}

/** `system` is a string or text blocks (with cache_control); it is separate from the conversation. */
function systemParts(system: unknown): MessagePart[] | undefined {
  if (typeof system === 'string') return system.length > 0 ? [textPart(system)] : undefined;
  const parts: MessagePart[] = [];
  blockParts(system, parts);
  return parts.length > 0 ? parts : undefined;
}

/** Tool results travel inside user messages on this API, and stay there (role `user`). */
function messages(value: unknown): InputMessage[] | undefined {
  const list = arr(value);
  if (!list) return undefined;
  const out: InputMessage[] = [];
  for (const entry of list) {
    const m = obj(entry);
    if (!m) continue;
    const parts: MessagePart[] = [];
    if (typeof m.content === 'string') parts.push(textPart(m.content));
    else blockParts(m.content, parts);
    out.push({ role: nonEmpty(m.role) ?? 'user', parts });
  }
  return out;
}

/** Content blocks of requests and responses alike. */
function blockParts(blocks: unknown, parts: MessagePart[]): void {
  for (const entry of arr(blocks) ?? []) {
    const block = obj(entry);
    if (!block) continue;
    const type = str(block.type);
    switch (type) {
      case 'text': {
        const text = str(block.text);
        if (text !== undefined) parts.push(textPart(text));
        break;
      }
      case 'thinking': {
        const thinking = str(block.thinking);
        if (thinking) parts.push(reasoningPart(thinking));
        break;
      }
      case 'image':
      case 'document':
        sourcePart(type === 'image' ? 'image' : 'document', obj(block.source), parts);
        break;
      case 'tool_use':
        parts.push(toolCallPart(nonEmpty(block.id), str(block.name) ?? '', block.input));
        break;
      case 'server_tool_use': {
        // Tools Anthropic runs itself (web_search, code_execution...).
        const name = str(block.name) ?? '';
        const part: MessagePart = { type: 'server_tool_call', name, server_tool_call: { type: name, input: block.input } };
        const id = nonEmpty(block.id);
        if (id !== undefined) part.id = id;
        parts.push(part);
        break;
      }
      case 'tool_result':
        parts.push(toolResponsePart(nonEmpty(block.tool_use_id), toolResult(block.content)));
        break;
    }
  }
}

/** A tool result is a string or blocks; text-only blocks read as their text. */
function toolResult(content: unknown): unknown {
  if (typeof content === 'string') return content;
  const list = arr(content);
  if (!list) return content ?? '';
  const texts: string[] = [];
  for (const entry of list) {
    const block = obj(entry);
    if (block?.type !== 'text' || typeof block.text !== 'string') return content;
    texts.push(block.text);
  }
  return joinText(texts);
}

/** `source` of image and document blocks: base64, url, file (Files API) or, for documents, plain text. */
function sourcePart(modality: string, source: JsonObject | undefined, parts: MessagePart[]): void {
  if (!source) return;
  const mime = nonEmpty(source.media_type);
  switch (source.type) {
    case 'base64': {
      const data = nonEmpty(source.data);
      if (data) parts.push(blobPart(modality, mime, data));
      break;
    }
    case 'url': {
      const url = nonEmpty(source.url);
      if (url) parts.push(uriPart(modality, url, mime));
      break;
    }
    case 'file': {
      const fileId = nonEmpty(source.file_id);
      if (fileId) parts.push(filePart(modality, fileId, mime));
      break;
    }
    case 'text': {
      const data = str(source.data);
      if (data) parts.push(textPart(data));
      break;
    }
  }
}

/**
 * Anthropic's `input_tokens` counts only the tokens after the last cache breakpoint; cache reads and
 * writes are reported beside it (docs: Prompt caching, "Tracking cache performance"). The
 * conventions' input tokens include both, so input = input_tokens + cache_read + cache_creation.
 */
function messagesUsage(value: unknown): Usage | undefined {
  const u = obj(value);
  if (!u) return undefined;
  const input = num(u.input_tokens);
  const output = num(u.output_tokens);
  const cacheRead = num(u.cache_read_input_tokens);
  const cacheCreation = num(u.cache_creation_input_tokens);
  if (input === undefined && output === undefined) return undefined;
  const usage: Usage = {};
  const total = sumPresent(input, cacheRead, cacheCreation);
  if (total !== undefined) usage.inputTokens = total;
  if (output !== undefined) usage.outputTokens = output;
  if (cacheRead !== undefined) usage.cacheReadInputTokens = cacheRead;
  if (cacheCreation !== undefined) usage.cacheCreationInputTokens = cacheCreation;
  return usage;
}

/** `{type: "error", error: {type, message}}`, as a body and as a stream event. */
function messagesError(b: JsonObject): ProviderError | undefined {
  if (b.type !== 'error') return undefined;
  const e = obj(b.error);
  const type = nonEmpty(e?.type) ?? 'error';
  const message = str(e?.message);
  return message === undefined ? { type } : { type, message };
}

function parseMessagesResponse(body: unknown): ResponseInfo {
  const b = obj(body);
  if (!b) return { finishReasons: [], outputText: '' };
  const error = messagesError(b);
  if (error) return { finishReasons: [], outputText: '', error };
  const parts: MessagePart[] = [];
  blockParts(b.content, parts);
  const raw = nonEmpty(b.stop_reason);
  // A stream cut before any block or stop reason produced no message at all.
  const outputMessages =
    parts.length > 0 || raw !== undefined
      ? [{ role: nonEmpty(b.role) ?? 'assistant', parts, finish_reason: normalizeFinishReason('anthropic', raw) }]
      : undefined;
  return {
    id: nonEmpty(b.id),
    model: nonEmpty(b.model),
    finishReasons: raw !== undefined ? [raw] : [],
    usage: messagesUsage(b.usage),
    outputMessages,
    outputText: outputMessages ? outputTextOf(outputMessages) : '',
  };
}

interface BlockState {
  block: JsonObject;
  text: string[];
  json: string[];
  thinking: string[];
}

/**
 * Folds the SSE events (docs: Streaming Messages). `message_start` carries id, model and the input
 * usage; `message_delta` the stop reason and the cumulative output_tokens (newer API versions repeat
 * the input and cache counts there too, so any count it has replaces the earlier one).
 */
class MessagesStreamAccumulator implements StreamAccumulator {
  private message: JsonObject = {};
  private readonly usage: JsonObject = {};
  private stopReason?: string;
  private error?: ProviderError;
  private stopped = false;
  private readonly blocks = new Map<number, BlockState>();

  accept(event: StreamEvent): void {
    const data = obj(parseJson(event.data));
    if (!data) return;
    switch (str(data.type) ?? event.event) {
      case 'message_start': {
        const message = obj(data.message);
        if (!message) break;
        this.message = message;
        this.mergeUsage(message.usage);
        break;
      }
      case 'content_block_start': {
        const index = num(data.index);
        const block = obj(data.content_block);
        if (index !== undefined && block) this.blocks.set(index, { block, text: [], json: [], thinking: [] });
        break;
      }
      case 'content_block_delta': {
        const state = this.blocks.get(num(data.index) ?? -1);
        const delta = obj(data.delta);
        if (!state || !delta) break;
        if (delta.type === 'text_delta') push(state.text, delta.text);
        else if (delta.type === 'input_json_delta') push(state.json, delta.partial_json);
        else if (delta.type === 'thinking_delta') push(state.thinking, delta.thinking);
        break;
      }
      case 'message_delta':
        this.stopReason = nonEmpty(obj(data.delta)?.stop_reason) ?? this.stopReason;
        this.mergeUsage(data.usage);
        break;
      case 'message_stop':
        this.stopped = true;
        break;
      case 'error':
        this.error = messagesError({ ...data, type: 'error' });
        break;
    }
  }

  private mergeUsage(value: unknown): void {
    const u = obj(value);
    if (!u) return;
    for (const key of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens']) {
      if (num(u[key]) !== undefined) this.usage[key] = u[key];
    }
  }

  result(): ResponseInfo {
    const content: JsonObject[] = [];
    for (const index of [...this.blocks.keys()].sort((a, b) => a - b)) {
      const { block, text, json, thinking } = this.blocks.get(index)!;
      const built: JsonObject = { ...block };
      if (text.length > 0) built.text = joinText(prefixed(block.text, text), '');
      if (thinking.length > 0) built.thinking = joinText(prefixed(block.thinking, thinking), '');
      // tool_use and server_tool_use start with `input: {}` and stream the JSON text of the input.
      if (json.length > 0) built.input = parseArguments(joinText(json, ''));
      content.push(built);
    }
    const info = parseMessagesResponse({
      ...this.message,
      type: 'message',
      content,
      stop_reason: this.stopReason ?? null,
      usage: this.usage,
    });
    if (this.error) info.error = this.error;
    return info;
  }

  /** `message_stop` is the last event of a stream; an `error` event ends a failed one. */
  isComplete(): boolean {
    return this.stopped || this.error !== undefined;
  }
}

function push(into: string[], value: unknown): void {
  if (typeof value === 'string' && value.length > 0) into.push(value);
}

/** Text a block started with (normally empty), then its deltas. */
function prefixed(start: unknown, pieces: string[]): string[] {
  return typeof start === 'string' && start.length > 0 ? [start, ...pieces] : pieces;
}
