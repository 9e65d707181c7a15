// Gemini API bodies (https://ai.google.dev/api/generate-content): GenerateContentResponse for
// generateContent and for each streamed chunk, plus embeddings. Token semantics: promptTokenCount
// INCLUDES cachedContentTokenCount; candidatesTokenCount EXCLUDES thoughtsTokenCount; total is the
// sum of prompt, candidates and thoughts. Zero-valued optional counts are omitted, as the API does.
import { embeddingFor } from './embedding-vectors.js';
import { finishReasonFor } from './finish-reasons.js';
import type { ResolvedReply } from './scripted-reply.js';
import { splitIntoChunks } from './text-chunks.js';

/** usageMetadata; pass the candidates count reached so far for intermediate stream chunks. */
export function usageMetadata(reply: ResolvedReply, candidatesTokenCount = reply.outputTokens - reply.reasoningTokens): Record<string, unknown> {
  const usage: Record<string, unknown> = {
    promptTokenCount: reply.inputTokens,
    candidatesTokenCount,
    totalTokenCount: reply.inputTokens + candidatesTokenCount + reply.reasoningTokens,
  };
  if (reply.cachedInputTokens > 0) usage.cachedContentTokenCount = reply.cachedInputTokens;
  usage.promptTokensDetails = [{ modality: 'TEXT', tokenCount: reply.inputTokens }];
  if (reply.cachedInputTokens > 0) usage.cacheTokensDetails = [{ modality: 'TEXT', tokenCount: reply.cachedInputTokens }];
  if (reply.reasoningTokens > 0) usage.thoughtsTokenCount = reply.reasoningTokens;
  return usage;
}

export interface GeminiRender {
  reply: ResolvedReply;
  modelVersion: string;
  responseId: string;
}

function functionCallPart(reply: ResolvedReply): Record<string, unknown> | undefined {
  return reply.toolCall && { functionCall: { name: reply.toolCall.name, args: JSON.parse(reply.toolCall.arguments) } };
}

function response(render: GeminiRender, parts: unknown[], finished: boolean, candidatesTokens?: number): Record<string, unknown> {
  const candidate: Record<string, unknown> = { content: { parts, role: 'model' } };
  if (finished) candidate.finishReason = finishReasonFor('gemini', render.reply);
  candidate.index = 0;
  return {
    candidates: [candidate],
    usageMetadata: usageMetadata(render.reply, candidatesTokens),
    modelVersion: render.modelVersion,
    responseId: render.responseId,
  };
}

/** The generateContent response. */
export function generateContentBody(render: GeminiRender): Record<string, unknown> {
  const parts: unknown[] = [];
  if (render.reply.text !== '' || !render.reply.toolCall) parts.push({ text: render.reply.text });
  const call = functionCallPart(render.reply);
  if (call) parts.push(call);
  return response(render, parts, true);
}

/**
 * The streamGenerateContent chunks, each a full GenerateContentResponse with the text delta and
 * cumulative usage; the last carries finishReason. A scripted stream error becomes an
 * `{error:{code,message,status}}` element after half the chunks, as the API reports mid-stream failures.
 */
export function streamChunks(render: GeminiRender): Array<Record<string, unknown>> {
  const { reply } = render;
  const parts: unknown[][] = splitIntoChunks(reply.text).map((text) => [{ text }]);
  const call = functionCallPart(reply);
  if (call) parts.push([call]);
  if (parts.length === 0) parts.push([{ text: '' }]);
  const finalCandidates = reply.outputTokens - reply.reasoningTokens;
  const chunks = parts.map((p, i) => {
    const last = i === parts.length - 1;
    return response(render, p, last, last ? finalCandidates : Math.round((finalCandidates * (i + 1)) / parts.length));
  });
  if (!reply.streamErrorEvent) return chunks;
  const cut = Math.max(1, Math.floor(chunks.length / 2));
  return [...chunks.slice(0, cut), geminiErrorBody(statusCode(reply.streamErrorEvent.type), reply.streamErrorEvent.type, reply.streamErrorEvent.message)];
}

/** google.rpc.Code names and the HTTP status the API pairs them with. */
const STATUS_CODES: Record<string, number> = {
  INVALID_ARGUMENT: 400, FAILED_PRECONDITION: 400, UNAUTHENTICATED: 401, PERMISSION_DENIED: 403, NOT_FOUND: 404,
  RESOURCE_EXHAUSTED: 429, CANCELLED: 499, INTERNAL: 500, UNAVAILABLE: 503, DEADLINE_EXCEEDED: 504,
};

export function statusCode(status: string): number {
  return STATUS_CODES[status] ?? 500;
}

export function statusName(code: number): string {
  return Object.entries(STATUS_CODES).find(([, c]) => c === code)?.[0] ?? (code >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
}

/** The `{error:{code,message,status}}` body. */
export function geminiErrorBody(code: number, status: string, message: string): Record<string, unknown> {
  return { error: { code, message, status } };
}

/** embedContent: `{embedding:{values}}`. */
export function embedContentBody(body: Record<string, unknown>, reply: ResolvedReply): Record<string, unknown> {
  return { embedding: { values: embeddingFor(textOf(body.content), dimensionsOf(body, reply)) } };
}

/** batchEmbedContents: `{embeddings:[{values}…]}`, one per request. */
export function batchEmbedContentsBody(body: Record<string, unknown>, reply: ResolvedReply): Record<string, unknown> {
  const requests = Array.isArray(body.requests) ? body.requests as Array<Record<string, unknown>> : [];
  return { embeddings: requests.map((r) => ({ values: embeddingFor(textOf(r.content), dimensionsOf(r, reply)) })) };
}

function textOf(content: unknown): string {
  const parts = (content as { parts?: Array<{ text?: unknown }> } | undefined)?.parts ?? [];
  return parts.map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
}

/** Default: text-embedding-004's 768 dimensions. */
function dimensionsOf(body: Record<string, unknown>, reply: ResolvedReply): number {
  return typeof body.outputDimensionality === 'number' ? body.outputDimensionality : reply.embeddingDimensions ?? 768;
}
