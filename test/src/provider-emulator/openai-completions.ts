// OpenAI legacy Completions (POST /v1/completions) and Embeddings (POST /v1/embeddings) bodies
// (https://platform.openai.com/docs/api-reference/completions, /embeddings).
import { embeddingFor, embeddingToBase64 } from './embedding-vectors.js';
import { finishReasonFor } from './finish-reasons.js';
import { newId } from './ids.js';
import { chatUsage, type OpenAiRender } from './openai-chat.js';
import type { ResolvedReply } from './scripted-reply.js';
import { sseEvent } from './sse-writer.js';
import { splitIntoChunks } from './text-chunks.js';

/** The text_completion object. Legacy usage has no *_details objects. */
export function completionBody({ reply, model }: OpenAiRender): Record<string, unknown> {
  return {
    id: newId.completion(),
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ text: reply.text, index: 0, logprobs: null, finish_reason: finishReasonFor('openai', reply) }],
    usage: legacyUsage(reply),
  };
}

function legacyUsage(reply: ResolvedReply): Record<string, unknown> {
  const { prompt_tokens, completion_tokens, total_tokens } = chatUsage(reply);
  return { prompt_tokens, completion_tokens, total_tokens };
}

/** Streamed text_completion chunks, optional usage chunk (stream_options.include_usage), [DONE]. */
export function completionEvents({ reply, model }: OpenAiRender, includeUsage: boolean): string[] {
  const base = { id: newId.completion(), object: 'text_completion', created: Math.floor(Date.now() / 1000), model };
  const chunk = (text: string, finishReason: string | null): string => sseEvent({
    ...base, choices: [{ text, index: 0, logprobs: null, finish_reason: finishReason }], ...(includeUsage ? { usage: null } : {}),
  });
  const deltas = splitIntoChunks(reply.text);
  const cut = reply.streamErrorEvent ? Math.max(1, Math.floor(deltas.length / 2)) : deltas.length;
  const events = deltas.slice(0, cut).map((text) => chunk(text, null));
  if (reply.streamErrorEvent) {
    events.push(sseEvent({ error: { message: reply.streamErrorEvent.message, type: reply.streamErrorEvent.type, param: null, code: null } }));
    return events;
  }
  events.push(chunk('', finishReasonFor('openai', reply)));
  if (includeUsage) events.push(sseEvent({ ...base, choices: [], usage: legacyUsage(reply) }));
  events.push(sseEvent('[DONE]'));
  return events;
}

/** Default vector length when neither request nor reply says: text-embedding-3-small's 1536. */
const DEFAULT_DIMENSIONS = 1536;

/**
 * The embeddings list. The openai SDK asks for `encoding_format: base64` unless the caller chose
 * one and decodes it back to floats, so base64 must be honoured exactly.
 */
export function embeddingsBody(body: Record<string, unknown>, reply: ResolvedReply, model: string): Record<string, unknown> {
  const inputs = Array.isArray(body.input) && body.input.every((i) => typeof i === 'string')
    ? body.input as string[]
    : Array.isArray(body.input) && body.input.every((i) => Array.isArray(i))
      ? (body.input as unknown[]).map((i) => JSON.stringify(i))
      : [typeof body.input === 'string' ? body.input : JSON.stringify(body.input ?? '')];
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : reply.embeddingDimensions ?? DEFAULT_DIMENSIONS;
  const base64 = body.encoding_format === 'base64';
  return {
    object: 'list',
    data: inputs.map((input, index) => {
      const vector = embeddingFor(input, dimensions);
      return { object: 'embedding', index, embedding: base64 ? embeddingToBase64(vector) : vector };
    }),
    model,
    usage: { prompt_tokens: reply.inputTokens, total_tokens: reply.inputTokens },
  };
}
