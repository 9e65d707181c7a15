/**
 * Codec for the OpenAI Responses API (POST .../responses), OpenAI's and Azure's newer generation
 * API. Input is a string or a list of items (messages, function calls and their outputs, reasoning);
 * output is a list of items folded here into one assistant message, since one response is one
 * "choice" in the conventions' sense.
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
  uriPart,
  urlPart,
} from './message-parts.js';
import { errorOf, openAiError, outputWithReasoning } from './openai-wire.js';
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
import { arr, bool, nonEmpty, num, obj, parseArguments, parseJson, str, type JsonObject } from './wire-json.js';

export const openAiResponsesCodec: ProviderCodec = {
  api: 'openai.responses',
  parseRequest: (body) => parseResponsesRequest(body),
  parseResponse: (body) => parseResponsesResponse(body),
  createStreamAccumulator: () => new ResponsesStreamAccumulator(),
  // `response.output_text.delta`, `…function_call_arguments.delta`, …: output only, or not read at all
  // (ids, model, usage and status come in response.created / .completed; a stream cut short has no finish reason).
  isOutputOnly: (event) => event.event !== undefined && event.event.endsWith('.delta'),
};

function parseResponsesRequest(body: unknown): RequestInfo {
  const b = obj(body);
  if (!b) return { inputText: '' };
  // `instructions` is given apart from the conversation: gen_ai.system_instructions.
  const instructions = nonEmpty(b.instructions);
  const systemInstructions = instructions !== undefined ? [textPart(instructions)] : undefined;
  const inputMessages = inputItems(b.input);
  return {
    model: nonEmpty(b.model),
    stream: bool(b.stream),
    temperature: num(b.temperature),
    maxTokens: num(b.max_output_tokens),
    topP: num(b.top_p),
    outputType: outputType(obj(obj(b.text)?.format)?.type),
    serviceTier: nonEmpty(b.service_tier),
    inputMessages,
    systemInstructions,
    inputText: inputTextOf(systemInstructions, inputMessages),
  };
}

function outputType(format: unknown): string | undefined {
  if (format === 'json_schema' || format === 'json_object') return GEN_AI_OUTPUT_TYPE.json;
  if (format === 'text') return GEN_AI_OUTPUT_TYPE.text;
  return undefined;
}

/**
 * `input`: a string (one user message) or items. Consecutive assistant-side items (an earlier
 * response's reasoning, message and function calls, passed back) form one assistant message, as
 * they came from one model turn; every other item is a message of its own.
 */
function inputItems(input: unknown): InputMessage[] | undefined {
  if (typeof input === 'string') return [{ role: 'user', parts: [textPart(input)] }];
  const list = arr(input);
  if (!list) return undefined;
  const messages: InputMessage[] = [];
  const add = (role: string, parts: MessagePart[]): void => {
    const last = messages[messages.length - 1];
    if (role === 'assistant' && last?.role === 'assistant') last.parts.push(...parts);
    else messages.push({ role, parts });
  };
  for (const entry of list) {
    const item = obj(entry);
    if (!item) continue;
    const type = str(item.type);
    if (type === undefined || type === 'message') {
      const parts: MessagePart[] = [];
      contentParts(item.content, parts);
      add(nonEmpty(item.role) ?? 'user', parts);
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      add('tool', [toolResponsePart(nonEmpty(item.call_id), item.output ?? '')]);
    } else {
      const parts: MessagePart[] = [];
      outputItemParts(item, parts);
      if (parts.length > 0) add('assistant', parts); // e.g. reasoning passed back with only encrypted content
    }
  }
  return messages;
}

/** Message content: a string, or input_text / output_text / refusal / input_image / input_file / input_audio parts. */
function contentParts(content: unknown, parts: MessagePart[]): void {
  if (typeof content === 'string') {
    if (content.length > 0) parts.push(textPart(content));
    return;
  }
  for (const entry of arr(content) ?? []) {
    const p = obj(entry);
    if (!p) continue;
    switch (p.type) {
      case 'input_text':
      case 'output_text':
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
      case 'input_image': {
        const url = nonEmpty(p.image_url);
        const fileId = nonEmpty(p.file_id);
        if (url) parts.push(urlPart(url, 'image'));
        else if (fileId) parts.push(filePart('image', fileId));
        break;
      }
      case 'input_file': {
        const fileId = nonEmpty(p.file_id);
        const data = nonEmpty(p.file_data);
        const url = nonEmpty(p.file_url);
        if (fileId) parts.push(filePart('document', fileId));
        else if (data) parts.push(urlPart(data, 'document'));
        else if (url) parts.push(uriPart('document', url));
        break;
      }
      case 'input_audio': {
        const audio = obj(p.input_audio);
        const data = nonEmpty(audio?.data);
        const format = nonEmpty(audio?.format);
        if (data) parts.push(blobPart('audio', format ? (format === 'mp3' ? 'audio/mpeg' : `audio/${format}`) : undefined, data));
        break;
      }
    }
  }
}

/** Tool calls the app executes; their results come back as `*_output` items. */
const CLIENT_TOOL_CALLS = new Set(['function_call', 'custom_tool_call', 'computer_call', 'local_shell_call']);

/**
 * Parts of one output item. Returns what kind of item it was: `tool` for a call the app must run
 * (finish reason tool_call), `other` for content, `none` for an item with nothing to record.
 */
function outputItemParts(item: JsonObject, parts: MessagePart[]): 'tool' | 'other' | 'none' {
  const type = str(item.type);
  switch (type) {
    case 'message':
      contentParts(item.content, parts);
      return 'other';
    case 'reasoning':
      // `summary` (summary_text) from OpenAI's models; `content` (reasoning_text) from open-weight ones.
      for (const s of arr(item.summary) ?? []) pushReasoning(obj(s)?.text, parts);
      for (const c of arr(item.content) ?? []) pushReasoning(obj(c)?.text, parts);
      return 'other';
    case 'function_call':
      parts.push(toolCallPart(nonEmpty(item.call_id), str(item.name) ?? '', parseArguments(item.arguments)));
      return 'tool';
    case 'custom_tool_call':
      parts.push(toolCallPart(nonEmpty(item.call_id), str(item.name) ?? '', item.input));
      return 'tool';
    case undefined:
      return 'none';
    default:
      if (CLIENT_TOOL_CALLS.has(type)) {
        parts.push(toolCallPart(nonEmpty(item.call_id), type, item.action));
        return 'tool';
      }
      if (type.endsWith('_call')) {
        // Tools OpenAI runs itself (web_search_call, file_search_call, code_interpreter_call, mcp_call...).
        const part: MessagePart = { type: 'server_tool_call', name: type, server_tool_call: { type } };
        const id = nonEmpty(item.id);
        if (id !== undefined) part.id = id;
        parts.push(part);
        return 'other';
      }
      return 'none';
  }
}

function pushReasoning(text: unknown, parts: MessagePart[]): void {
  if (typeof text === 'string' && text.length > 0) parts.push(reasoningPart(text));
}

/**
 * A Response object, or an HTTP error body `{error: {...}}`. The API has no per-choice finish
 * reason, so one is derived (and normalized in finish-reasons.ts):
 * - status `completed`: `tool_call` when the output has a call the app must run, else `stop`;
 * - status `incomplete`: `incomplete_details.reason` (`max_output_tokens` → length,
 *   `content_filter` → content_filter);
 * - status `failed` / `cancelled`: that status (→ error);
 * - `in_progress` / `queued` (background mode): none yet.
 */
function parseResponsesResponse(body: unknown): ResponseInfo {
  const b = obj(body);
  if (!b) return { finishReasons: [], outputText: '' };
  if (b.object !== 'response' && !Array.isArray(b.output) && typeof b.status !== 'string') {
    return { finishReasons: [], outputText: '', error: openAiError(b) };
  }
  const parts: MessagePart[] = [];
  let toolCall = false;
  for (const entry of arr(b.output) ?? []) {
    const item = obj(entry);
    if (item && outputItemParts(item, parts) === 'tool') toolCall = true;
  }
  const raw = finishReason(b, toolCall);
  const outputMessages = parts.length > 0 ? [{ role: 'assistant', parts, finish_reason: normalizeFinishReason('openai', raw) }] : undefined;
  const error = obj(b.error);
  return {
    id: nonEmpty(b.id),
    model: nonEmpty(b.model),
    finishReasons: raw !== undefined ? [raw] : [],
    usage: responsesUsage(b.usage),
    outputMessages,
    outputText: outputMessages ? outputTextOf(outputMessages) : '',
    serviceTier: nonEmpty(b.service_tier),
    error: error ? errorOf(error) : undefined,
  };
}

function finishReason(b: JsonObject, toolCall: boolean): string | undefined {
  switch (b.status) {
    case 'completed':
      return toolCall ? 'tool_call' : 'stop';
    case 'incomplete':
      return nonEmpty(obj(b.incomplete_details)?.reason) ?? 'incomplete';
    case 'failed':
    case 'cancelled':
      return b.status;
    default:
      return undefined;
  }
}

/** Responses usage has the same subset semantics as Chat's: input includes cached, output includes reasoning. */
function responsesUsage(value: unknown): Usage | undefined {
  const u = obj(value);
  if (!u) return undefined;
  const input = num(u.input_tokens);
  const output = num(u.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const reasoning = num(obj(u.output_tokens_details)?.reasoning_tokens);
  const cached = num(obj(u.input_tokens_details)?.cached_tokens);
  const usage: Usage = {};
  if (input !== undefined) usage.inputTokens = input;
  const out = outputWithReasoning(input, output, reasoning, num(u.total_tokens));
  if (out !== undefined) usage.outputTokens = out;
  if (cached !== undefined) usage.cacheReadInputTokens = cached;
  if (reasoning !== undefined) usage.reasoningOutputTokens = reasoning;
  return usage;
}

/**
 * Folds the typed SSE events (docs: Streaming events). The terminal `response.completed`,
 * `response.incomplete` or `response.failed` event carries the whole Response, which is read like a
 * body. When it never comes (connection cut), the result is rebuilt from `response.created`, the
 * finished output items, and the text and argument deltas of unfinished ones.
 */
class ResponsesStreamAccumulator implements StreamAccumulator {
  private final?: JsonObject;
  private latest?: JsonObject;
  private error?: ProviderError;
  private readonly items = new Map<number, { item: JsonObject; done: boolean }>();
  private readonly deltas = new Map<number, string[]>();

  accept(event: StreamEvent): void {
    const data = obj(parseJson(event.data));
    if (!data) return;
    const type = str(data.type) ?? event.event;
    switch (type) {
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
        this.latest = obj(data.response) ?? this.latest;
        break;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        this.final = obj(data.response) ?? this.final;
        break;
      case 'response.output_item.added':
      case 'response.output_item.done': {
        const item = obj(data.item);
        const index = num(data.output_index);
        if (item && index !== undefined) this.items.set(index, { item, done: type === 'response.output_item.done' });
        break;
      }
      case 'response.output_text.delta':
      case 'response.function_call_arguments.delta': {
        const index = num(data.output_index);
        const delta = str(data.delta);
        if (index === undefined || !delta) break;
        const pieces = this.deltas.get(index);
        if (pieces) pieces.push(delta);
        else this.deltas.set(index, [delta]);
        break;
      }
      case 'error':
        // `{type: "error", code, message, param}`; older streams nest it as `{error: {...}}`.
        this.error = errorOf(obj(data.error) ?? data);
        break;
    }
  }

  result(): ResponseInfo {
    const info = parseResponsesResponse(this.final ?? this.rebuilt());
    if (this.error && !info.error) info.error = this.error;
    return info;
  }

  /** The terminal event (completed, incomplete or failed) is the last; so is an `error` event. */
  isComplete(): boolean {
    return this.final !== undefined || this.error !== undefined;
  }

  private rebuilt(): JsonObject {
    const indexes = new Set([...this.items.keys(), ...this.deltas.keys()]);
    const output: JsonObject[] = [];
    for (const index of [...indexes].sort((a, b) => a - b)) {
      const entry = this.items.get(index);
      const pieces = this.deltas.get(index);
      if (entry?.done || !pieces) {
        if (entry) output.push(entry.item);
        continue;
      }
      const text = joinText(pieces, '');
      if (entry?.item.type === 'function_call') output.push({ ...entry.item, arguments: text });
      else output.push({ ...entry?.item, type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });
    }
    // The status stays `in_progress`: no finish reason for a response that never finished.
    return { ...this.latest, object: 'response', output };
  }
}
