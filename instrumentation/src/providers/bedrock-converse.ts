/**
 * Codec for AWS Bedrock Converse (POST /model/{modelId}/converse) and ConverseStream
 * (/converse-stream), the model-agnostic Bedrock API. The model is in the URL. Stream events arrive
 * decoded from the binary AWS event stream: `event` is the `:event-type` header and `data` the
 * JSON payload; exceptions come with `exception: true`.
 */
import { normalizeFinishReason } from './finish-reasons.js';
import {
  blobPart,
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
  LlmEndpoint,
  MessagePart,
  ProviderCodec,
  ProviderError,
  RequestInfo,
  ResponseInfo,
  StreamAccumulator,
  StreamEvent,
  Usage,
} from './types.js';
import { arr, nonEmpty, num, obj, parseArguments, parseJson, str, strings, sumPresent, type JsonObject } from './wire-json.js';

export const bedrockConverseCodec: ProviderCodec = {
  api: 'bedrock.converse',
  parseRequest: (body, endpoint) => parseConverseRequest(body, endpoint),
  parseResponse: (body) => parseConverseResponse(body),
  createStreamAccumulator: () => new ConverseStreamAccumulator(),
  // Text, tool-input and reasoning deltas: output only (usage and stop reason come in metadata and messageStop).
  isOutputOnly: (event) => event.event === 'contentBlockDelta' && !event.exception,
};

function parseConverseRequest(body: unknown, endpoint: LlmEndpoint): RequestInfo {
  const stream = endpoint.urlStream === true;
  const b = obj(body);
  if (!b) return { stream, inputText: '' };
  const config = obj(b.inferenceConfig) ?? {};
  const extra = obj(b.additionalModelRequestFields) ?? {};
  const systemInstructions = blockParts(b.system);
  const inputMessages = messages(b.messages);
  return {
    stream,
    temperature: num(config.temperature),
    maxTokens: num(config.maxTokens),
    topP: num(config.topP),
    // top_k is model-specific, so it travels in additionalModelRequestFields: `top_k` for Anthropic
    // models, `inferenceConfig.topK` for Amazon Nova.
    topK: num(extra.top_k) ?? num(extra.topK) ?? num(obj(extra.inferenceConfig)?.topK),
    stopSequences: strings(config.stopSequences),
    inputMessages,
    systemInstructions: systemInstructions.length > 0 ? systemInstructions : undefined,
    inputText: inputTextOf(systemInstructions, inputMessages),
  };
}

function messages(value: unknown): InputMessage[] | undefined {
  const list = arr(value);
  if (!list) return undefined;
  const out: InputMessage[] = [];
  for (const entry of list) {
    const m = obj(entry);
    // Tool results travel in user messages on this API, and stay there.
    if (m) out.push({ role: nonEmpty(m.role) ?? 'user', parts: blockParts(m.content) });
  }
  return out;
}

const DOCUMENT_MIME: Record<string, string> = {
  pdf: 'application/pdf',
  csv: 'text/csv',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  html: 'text/html',
  txt: 'text/plain',
  md: 'text/markdown',
};

function mimeOf(modality: string, format: string | undefined): string | undefined {
  if (!format) return undefined;
  if (modality === 'document') return Object.hasOwn(DOCUMENT_MIME, format) ? DOCUMENT_MIME[format] : undefined;
  if (modality === 'video' && format === 'mov') return 'video/quicktime';
  return `${modality}/${format}`;
}

/** ContentBlock union members (docs: ContentBlock): text, image, document, video, toolUse, toolResult, reasoningContent, guardContent. */
function blockParts(blocks: unknown): MessagePart[] {
  const parts: MessagePart[] = [];
  for (const entry of arr(blocks) ?? []) {
    const block = obj(entry);
    if (!block) continue;
    const text = str(block.text);
    if (text !== undefined) {
      parts.push(textPart(text));
      continue;
    }
    const media = obj(block.image) ? 'image' : obj(block.document) ? 'document' : obj(block.video) ? 'video' : undefined;
    if (media) {
      mediaPart(media, obj(block[media])!, parts);
      continue;
    }
    const toolUse = obj(block.toolUse);
    if (toolUse) {
      parts.push(toolCallPart(nonEmpty(toolUse.toolUseId), str(toolUse.name) ?? '', toolUse.input));
      continue;
    }
    const toolResult = obj(block.toolResult);
    if (toolResult) {
      parts.push(toolResponsePart(nonEmpty(toolResult.toolUseId), toolResultValue(toolResult.content)));
      continue;
    }
    const reasoning = str(obj(obj(block.reasoningContent)?.reasoningText)?.text);
    if (reasoning) {
      parts.push(reasoningPart(reasoning));
      continue;
    }
    const guarded = str(obj(obj(block.guardContent)?.text)?.text);
    if (guarded) parts.push(textPart(guarded));
  }
  return parts;
}

/** Media `source` is `bytes` (base64 in JSON), `s3Location.uri`, or for documents `text`. */
function mediaPart(modality: string, media: JsonObject, parts: MessagePart[]): void {
  const mime = mimeOf(modality, nonEmpty(media.format));
  const source = obj(media.source);
  const bytes = nonEmpty(source?.bytes);
  const uri = nonEmpty(obj(source?.s3Location)?.uri);
  const text = nonEmpty(source?.text);
  if (bytes) parts.push(blobPart(modality, mime, bytes));
  else if (uri) parts.push(uriPart(modality, uri, mime));
  else if (text) parts.push(textPart(text));
}

/** A toolResult's content blocks: one `text` or `json` block reads as its value; text-only blocks as their text. */
function toolResultValue(content: unknown): unknown {
  const list = arr(content);
  if (!list) return content ?? '';
  if (list.length === 1 && obj(list[0])?.json !== undefined) return obj(list[0])!.json;
  const texts: string[] = [];
  for (const entry of list) {
    const text = str(obj(entry)?.text);
    if (text === undefined) return content;
    texts.push(text);
  }
  return joinText(texts);
}

/**
 * Bedrock's `inputTokens` leaves out the tokens read from and written to the prompt cache, which
 * are reported beside it (docs: Prompt caching, "cacheReadInputTokens / cacheWriteInputTokens").
 * The conventions' input tokens include them: input = inputTokens + cacheRead + cacheWrite.
 */
function converseUsage(value: unknown): Usage | undefined {
  const u = obj(value);
  if (!u) return undefined;
  const input = num(u.inputTokens);
  const output = num(u.outputTokens);
  if (input === undefined && output === undefined) return undefined;
  const cacheRead = num(u.cacheReadInputTokens);
  const cacheWrite = num(u.cacheWriteInputTokens);
  const usage: Usage = {};
  const total = sumPresent(input, cacheRead, cacheWrite);
  if (total !== undefined) usage.inputTokens = total;
  if (output !== undefined) usage.outputTokens = output;
  if (cacheRead !== undefined) usage.cacheReadInputTokens = cacheRead;
  if (cacheWrite !== undefined) usage.cacheCreationInputTokens = cacheWrite;
  return usage;
}

/**
 * The error type AWS sends in the `x-amzn-errortype` header or a `__type` field, without the
 * namespace and URL decorations: `ThrottlingException:http://internal...` and
 * `com.amazon.coral.service#ThrottlingException` both give `ThrottlingException`. The body itself
 * only has the message, so the capture layer may pass the header value through this.
 */
export function bedrockErrorType(raw: string): string {
  const hash = raw.lastIndexOf('#');
  const name = hash === -1 ? raw : raw.slice(hash + 1);
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(0, colon);
}

/** An error body is `{message}` (sometimes `{Message}`) with no `output`. */
function converseError(b: JsonObject): ProviderError | undefined {
  if (b.output !== undefined) return undefined;
  const message = str(b.message) ?? str(b.Message);
  const type = nonEmpty(b.__type);
  if (message === undefined && type === undefined) return undefined;
  const error: ProviderError = { type: type ? bedrockErrorType(type) : 'error' };
  if (message !== undefined) error.message = message;
  return error;
}

function parseConverseResponse(body: unknown): ResponseInfo {
  const b = obj(body);
  if (!b) return { finishReasons: [], outputText: '' };
  const error = converseError(b);
  if (error) return { finishReasons: [], outputText: '', error };
  const message = obj(obj(b.output)?.message);
  const raw = nonEmpty(b.stopReason);
  const outputMessages =
    message || raw !== undefined
      ? [{ role: nonEmpty(message?.role) ?? 'assistant', parts: blockParts(message?.content), finish_reason: normalizeFinishReason('bedrock', raw) }]
      : undefined;
  return {
    finishReasons: raw !== undefined ? [raw] : [],
    usage: converseUsage(b.usage),
    outputMessages,
    outputText: outputMessages ? outputTextOf(outputMessages) : '',
  };
}

interface BlockState {
  toolUse?: { toolUseId?: string; name?: string };
  text: string[];
  input: string[];
  reasoning: string[];
}

const EVENT_TYPES = new Set(['messageStart', 'contentBlockStart', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata']);

/**
 * Folds ConverseStream events (docs: ConverseStreamOutput): messageStart, contentBlockStart (a
 * tool use's id and name), contentBlockDelta (text, toolUse.input JSON text, reasoningContent.text),
 * contentBlockStop, messageStop (stopReason), metadata (usage, metrics).
 */
class ConverseStreamAccumulator implements StreamAccumulator {
  private role?: string;
  private stopReason?: string;
  private usage?: JsonObject;
  private error?: ProviderError;
  private sawMetadata = false;
  private readonly blocks = new Map<number, BlockState>();

  accept(event: StreamEvent): void {
    let data = obj(parseJson(event.data));
    let type = event.event;
    if (event.exception || (type && type.endsWith('Exception'))) {
      // `:exception-type` is the union member name (throttlingException); the header and the
      // non-stream errors spell the type ThrottlingException.
      const name = type ? type.charAt(0).toUpperCase() + type.slice(1) : 'error';
      const message = str(data?.message) ?? str(data?.Message);
      this.error = message === undefined ? { type: name } : { type: name, message };
      return;
    }
    if (!data) return;
    // Payloads wrapped in their member name (`{"contentBlockDelta": {...}}`) are unwrapped.
    if (type === undefined) type = Object.keys(data).find((k) => EVENT_TYPES.has(k));
    if (type !== undefined && obj(data[type])) data = obj(data[type])!;
    switch (type) {
      case 'messageStart':
        this.role = nonEmpty(data.role) ?? this.role;
        break;
      case 'contentBlockStart': {
        const toolUse = obj(obj(data.start)?.toolUse);
        if (toolUse) this.block(data).toolUse = { toolUseId: nonEmpty(toolUse.toolUseId), name: str(toolUse.name) };
        break;
      }
      case 'contentBlockDelta': {
        const delta = obj(data.delta);
        if (!delta) break;
        const state = this.block(data);
        push(state.text, delta.text);
        push(state.input, obj(delta.toolUse)?.input);
        push(state.reasoning, obj(delta.reasoningContent)?.text);
        break;
      }
      case 'messageStop':
        this.stopReason = nonEmpty(data.stopReason) ?? this.stopReason;
        break;
      case 'metadata':
        this.usage = obj(data.usage) ?? this.usage;
        this.sawMetadata = true;
        break;
    }
  }

  private block(data: JsonObject): BlockState {
    const index = num(data.contentBlockIndex) ?? 0;
    let state = this.blocks.get(index);
    if (!state) {
      state = { text: [], input: [], reasoning: [] };
      this.blocks.set(index, state);
    }
    return state;
  }

  result(): ResponseInfo {
    const content: JsonObject[] = [];
    for (const index of [...this.blocks.keys()].sort((a, b) => a - b)) {
      const s = this.blocks.get(index)!;
      if (s.toolUse) {
        const input = s.input.length > 0 ? parseArguments(joinText(s.input, '')) : {};
        content.push({ toolUse: { ...s.toolUse, input } });
      }
      if (s.reasoning.length > 0) content.push({ reasoningContent: { reasoningText: { text: joinText(s.reasoning, '') } } });
      if (s.text.length > 0) content.push({ text: joinText(s.text, '') });
    }
    const started = this.role !== undefined || content.length > 0;
    const info = parseConverseResponse({
      output: started ? { message: { role: this.role ?? 'assistant', content } } : undefined,
      stopReason: this.stopReason,
      usage: this.usage,
    });
    if (this.error) info.error = this.error;
    return info;
  }

  /** `metadata` (usage, metrics) follows `messageStop` and is the last event; an exception ends a failed stream. */
  isComplete(): boolean {
    return this.sawMetadata || this.error !== undefined;
  }
}

function push(into: string[], value: unknown): void {
  if (typeof value === 'string' && value.length > 0) into.push(value);
}
