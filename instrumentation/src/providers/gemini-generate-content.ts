/**
 * Codec for Google Gemini `models/{model}:generateContent` and `:streamGenerateContent`, on the
 * Gemini API (generativelanguage.googleapis.com) and Vertex AI alike. The model is in the URL, not
 * the body. The API parses proto3 JSON, so every field is read in its lowerCamelCase and its
 * snake_case spelling (the REST docs use both).
 */
import { GEN_AI_FINISH_REASON, GEN_AI_OUTPUT_TYPE } from '@tokentrace/semconv';
import { normalizeFinishReason } from './finish-reasons.js';
import {
  blobPart,
  inputTextOf,
  joinText,
  modalityOf,
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
  OutputMessage,
  ProviderCodec,
  ProviderError,
  RequestInfo,
  ResponseInfo,
  StreamAccumulator,
  StreamEvent,
  Usage,
} from './types.js';
import { arr, field, nonEmpty, num, obj, parseJson, str, strings, sumPresent, type JsonObject } from './wire-json.js';

export const geminiGenerateContentCodec: ProviderCodec = {
  api: 'gemini.generate_content',
  parseRequest: (body, endpoint) => parseGenerateRequest(body, endpoint),
  parseResponse: (body) => parseGenerateResponse(body),
  createStreamAccumulator: () => new GenerateStreamAccumulator(),
};

function parseGenerateRequest(body: unknown, endpoint: LlmEndpoint): RequestInfo {
  const stream = endpoint.urlStream === true;
  const b = obj(body);
  if (!b) return { stream, inputText: '' };
  const config = obj(field(b, 'generationConfig', 'generation_config')) ?? {};
  const systemInstructions = systemParts(field(b, 'systemInstruction', 'system_instruction'));
  const inputMessages = contents(b.contents);
  return {
    stream,
    temperature: num(config.temperature),
    maxTokens: num(field(config, 'maxOutputTokens', 'max_output_tokens')),
    topP: num(field(config, 'topP', 'top_p')),
    topK: num(field(config, 'topK', 'top_k')),
    frequencyPenalty: num(field(config, 'frequencyPenalty', 'frequency_penalty')),
    presencePenalty: num(field(config, 'presencePenalty', 'presence_penalty')),
    stopSequences: strings(field(config, 'stopSequences', 'stop_sequences')),
    seed: num(config.seed),
    choiceCount: num(field(config, 'candidateCount', 'candidate_count')),
    outputType: outputType(config),
    inputMessages,
    systemInstructions,
    inputText: inputTextOf(systemInstructions, inputMessages),
  };
}

/** `responseModalities` IMAGE / AUDIO ask for image / speech; `responseMimeType: application/json` for JSON. */
function outputType(config: JsonObject): string | undefined {
  const modalities = arr(field(config, 'responseModalities', 'response_modalities'));
  if (modalities?.includes('IMAGE')) return GEN_AI_OUTPUT_TYPE.image;
  if (modalities?.includes('AUDIO')) return GEN_AI_OUTPUT_TYPE.speech;
  const mime = str(field(config, 'responseMimeType', 'response_mime_type'));
  if (mime === 'application/json') return GEN_AI_OUTPUT_TYPE.json;
  if (mime?.startsWith('text/')) return GEN_AI_OUTPUT_TYPE.text;
  return undefined;
}

/** `systemInstruction` is a Content (its role is ignored by the API); a bare string is accepted too. */
function systemParts(value: unknown): MessagePart[] | undefined {
  if (typeof value === 'string') return value.length > 0 ? [textPart(value)] : undefined;
  const content = obj(value);
  const parts = geminiParts(content ? content.parts : value);
  return parts.length > 0 ? parts : undefined;
}

/** Roles: `user`, `model` (→ assistant), and `function` for tool results in older Vertex samples (→ tool). */
function roleOf(role: unknown): string {
  if (role === 'model') return 'assistant';
  if (role === 'function') return 'tool';
  return nonEmpty(role) ?? 'user';
}

function contents(value: unknown): InputMessage[] | undefined {
  const single = obj(value);
  const list = single ? [single] : arr(value);
  if (!list) return undefined;
  const messages: InputMessage[] = [];
  for (const entry of list) {
    const content = obj(entry);
    if (content) messages.push({ role: roleOf(content.role), parts: geminiParts(content.parts) });
  }
  return messages;
}

/** Parts of a Content: text (thought → reasoning), inlineData, fileData, functionCall, functionResponse, code execution. */
function geminiParts(value: unknown): MessagePart[] {
  const parts: MessagePart[] = [];
  for (const entry of arr(value) ?? []) {
    const p = obj(entry);
    if (!p) continue;
    const text = str(p.text);
    if (text !== undefined) {
      // Empty text parts only carry a thoughtSignature (and end streams); there is nothing to record.
      if (text.length > 0) parts.push(p.thought === true ? reasoningPart(text) : textPart(text));
      continue;
    }
    const inline = obj(field(p, 'inlineData', 'inline_data'));
    if (inline) {
      const mime = nonEmpty(field(inline, 'mimeType', 'mime_type'));
      const data = nonEmpty(inline.data);
      if (data) parts.push(blobPart(modalityOf(mime), mime, data));
      continue;
    }
    const file = obj(field(p, 'fileData', 'file_data'));
    if (file) {
      const mime = nonEmpty(field(file, 'mimeType', 'mime_type'));
      const uri = nonEmpty(field(file, 'fileUri', 'file_uri'));
      if (uri) parts.push(uriPart(modalityOf(mime), uri, mime));
      continue;
    }
    const call = obj(field(p, 'functionCall', 'function_call'));
    if (call) {
      parts.push(toolCallPart(nonEmpty(call.id), str(call.name) ?? '', call.args));
      continue;
    }
    const response = obj(field(p, 'functionResponse', 'function_response'));
    if (response) {
      parts.push(toolResponsePart(nonEmpty(response.id), response.response ?? {}));
      continue;
    }
    const code = obj(field(p, 'executableCode', 'executable_code'));
    if (code) {
      parts.push({ type: 'server_tool_call', name: 'code_execution', server_tool_call: { type: 'code_execution', language: code.language, code: code.code } });
      continue;
    }
    const result = obj(field(p, 'codeExecutionResult', 'code_execution_result'));
    if (result) {
      parts.push({ type: 'server_tool_call_response', server_tool_call_response: { type: 'code_execution', outcome: result.outcome, output: result.output } });
    }
  }
  return parts;
}

/**
 * usageMetadata (docs: UsageMetadata). promptTokenCount already includes cachedContentTokenCount;
 * toolUsePromptTokenCount (tool results fed back by server-side tools) is reported beside it and
 * is input too. thoughtsTokenCount is reported beside candidatesTokenCount but billed as output,
 * so output = candidates + thoughts, with thoughts as the reasoning tokens.
 */
function generateUsage(value: unknown): Usage | undefined {
  const u = obj(value);
  if (!u) return undefined;
  const prompt = num(field(u, 'promptTokenCount', 'prompt_token_count'));
  const toolUse = num(field(u, 'toolUsePromptTokenCount', 'tool_use_prompt_token_count'));
  const candidates = num(field(u, 'candidatesTokenCount', 'candidates_token_count'));
  const thoughts = num(field(u, 'thoughtsTokenCount', 'thoughts_token_count'));
  const cached = num(field(u, 'cachedContentTokenCount', 'cached_content_token_count'));
  const input = sumPresent(prompt, toolUse);
  const output = sumPresent(candidates, thoughts);
  if (input === undefined && output === undefined) return undefined;
  const usage: Usage = {};
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  if (cached !== undefined) usage.cacheReadInputTokens = cached;
  if (thoughts !== undefined) usage.reasoningOutputTokens = thoughts;
  return usage;
}

/** Google's error body `{error: {code, message, status}}`; status (e.g. RESOURCE_EXHAUSTED) is the type. */
export function geminiError(b: JsonObject): ProviderError | undefined {
  const e = obj(b.error);
  if (!e) return undefined;
  const code = num(e.code);
  const type = nonEmpty(e.status) ?? (code !== undefined ? String(code) : 'error');
  const message = str(e.message);
  return message === undefined ? { type } : { type, message };
}

function parseGenerateResponse(body: unknown): ResponseInfo {
  const b = obj(body);
  if (!b) return { finishReasons: [], outputText: '' };
  const error = geminiError(b);
  if (error) return { finishReasons: [], outputText: '', error };
  const finishReasons: string[] = [];
  const outputMessages: OutputMessage[] = [];
  for (const entry of arr(b.candidates) ?? []) {
    const candidate = obj(entry);
    if (!candidate) continue;
    const raw = nonEmpty(field(candidate, 'finishReason', 'finish_reason'));
    if (raw !== undefined) finishReasons.push(raw);
    const content = obj(candidate.content);
    const parts = geminiParts(content?.parts);
    let finish = normalizeFinishReason('gemini', raw);
    // Gemini ends a turn that calls functions with STOP; the conventions call that tool_call.
    if (finish === GEN_AI_FINISH_REASON.stop && parts.some((p) => p.type === 'tool_call')) finish = GEN_AI_FINISH_REASON.toolCall;
    outputMessages.push({ role: roleOf(content?.role ?? 'model'), parts, finish_reason: finish });
  }
  return {
    id: nonEmpty(field(b, 'responseId', 'response_id')),
    model: nonEmpty(field(b, 'modelVersion', 'model_version')),
    finishReasons,
    usage: generateUsage(field(b, 'usageMetadata', 'usage_metadata')),
    outputMessages: outputMessages.length > 0 ? outputMessages : undefined,
    outputText: outputTextOf(outputMessages),
  };
}

/** A run of streamed text parts of one kind (answer or thought), or any other part kept whole. */
type PartRun = { thought: boolean; text: string[] } | { part: JsonObject };

interface CandidateState {
  role?: unknown;
  finishReason?: string;
  runs: PartRun[];
}

/**
 * Folds stream chunks: each SSE `data:` (alt=sse) or array element is a whole
 * GenerateContentResponse holding the next text of each candidate. Consecutive text parts of one
 * kind are joined, so the result has the parts a non-stream response has. usageMetadata is
 * cumulative (the last wins); finishReason comes on the last chunk.
 */
class GenerateStreamAccumulator implements StreamAccumulator {
  private id?: string;
  private model?: string;
  private usage?: unknown;
  private error?: ProviderError;
  private readonly candidates = new Map<number, CandidateState>();

  accept(event: StreamEvent): void {
    const parsed = parseJson(event.data);
    const list = arr(parsed);
    if (list) for (const item of list) this.acceptChunk(obj(item));
    else this.acceptChunk(obj(parsed));
  }

  private acceptChunk(chunk: JsonObject | undefined): void {
    if (!chunk) return;
    const error = geminiError(chunk);
    if (error) {
      this.error = error;
      return;
    }
    this.id = nonEmpty(field(chunk, 'responseId', 'response_id')) ?? this.id;
    this.model = nonEmpty(field(chunk, 'modelVersion', 'model_version')) ?? this.model;
    this.usage = obj(field(chunk, 'usageMetadata', 'usage_metadata')) ?? this.usage;
    const candidates = arr(chunk.candidates) ?? [];
    for (let i = 0; i < candidates.length; i++) {
      const c = obj(candidates[i]);
      if (!c) continue;
      const index = num(c.index) ?? i; // proto3 JSON omits index 0
      let state = this.candidates.get(index);
      if (!state) {
        state = { runs: [] };
        this.candidates.set(index, state);
      }
      state.finishReason = nonEmpty(field(c, 'finishReason', 'finish_reason')) ?? state.finishReason;
      const content = obj(c.content);
      if (!content) continue;
      state.role ??= content.role;
      for (const entry of arr(content.parts) ?? []) {
        const part = obj(entry);
        if (part) addPart(state.runs, part);
      }
    }
  }

  result(): ResponseInfo {
    const candidates: JsonObject[] = [];
    for (const index of [...this.candidates.keys()].sort((a, b) => a - b)) {
      const state = this.candidates.get(index)!;
      const parts = state.runs.map((run) =>
        'part' in run ? run.part : run.thought ? { text: joinText(run.text, ''), thought: true } : { text: joinText(run.text, '') },
      );
      candidates.push({ index, content: { role: state.role ?? 'model', parts }, finishReason: state.finishReason });
    }
    const info = parseGenerateResponse({ responseId: this.id, modelVersion: this.model, candidates, usageMetadata: this.usage });
    if (this.error) info.error = this.error;
    return info;
  }

  /**
   * Gemini sends no end-of-stream event: the last chunk is the one where every candidate has its
   * finishReason (the final usageMetadata comes with it). An error chunk ends a failed stream.
   */
  isComplete(): boolean {
    if (this.error) return true;
    if (this.candidates.size === 0) return false;
    for (const state of this.candidates.values()) if (state.finishReason === undefined) return false;
    return true;
  }
}

function addPart(runs: PartRun[], part: JsonObject): void {
  const text = part.text;
  if (typeof text !== 'string') {
    runs.push({ part });
    return;
  }
  const thought = part.thought === true;
  const last = runs[runs.length - 1];
  if (last && 'text' in last && last.thought === thought) last.text.push(text);
  else runs.push({ thought, text: [text] });
}
