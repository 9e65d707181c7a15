/**
 * Codec for Gemini embeddings: `models/{model}:embedContent` (one `content`) and
 * `:batchEmbedContents` (`requests[].content`). The response gives `embedding.values` or
 * `embeddings[].values`; token usage is usually absent (Vertex AI may send usageMetadata).
 */
import { geminiError } from './gemini-generate-content.js';
import { joinText } from './message-parts.js';
import type { ProviderCodec, RequestInfo, ResponseInfo, StreamAccumulator, StreamEvent, Usage } from './types.js';
import { arr, field, num, obj, parseJson, str } from './wire-json.js';

export const geminiEmbedContentCodec: ProviderCodec = {
  api: 'gemini.embed_content',
  parseRequest: (body) => parseEmbedRequest(body),
  parseResponse: (body) => parseEmbedResponse(body),
  createStreamAccumulator: () => new WholeBodyAccumulator(),
};

function parseEmbedRequest(body: unknown): RequestInfo {
  const b = obj(body);
  if (!b) return { inputText: '' };
  const texts: string[] = [];
  contentText(b.content, texts);
  for (const request of arr(b.requests) ?? []) contentText(obj(request)?.content, texts);
  // One input per content (its parts' text joined), as the API embeds them.
  const contents = b.content !== undefined ? [b.content] : (arr(b.requests) ?? []).map((r) => obj(r)?.content);
  const embeddingInputs = contents.map((c) => {
    const parts: string[] = [];
    contentText(c, parts);
    return joinText(parts);
  });
  return { inputText: joinText(texts), embeddingInputs: embeddingInputs.length > 0 ? embeddingInputs : undefined };
}

function contentText(content: unknown, out: string[]): void {
  for (const part of arr(obj(content)?.parts) ?? []) {
    const text = str(obj(part)?.text);
    if (text) out.push(text);
  }
}

function parseEmbedResponse(body: unknown): ResponseInfo {
  const b = obj(body);
  if (!b) return { finishReasons: [], outputText: '' };
  const error = geminiError(b);
  if (error) return { finishReasons: [], outputText: '', error };
  const first = obj(b.embedding) ?? obj(arr(b.embeddings)?.[0]);
  const values = arr(first?.values);
  return {
    finishReasons: [],
    outputText: '',
    usage: embedUsage(field(b, 'usageMetadata', 'usage_metadata')),
    embeddingDimensions: values && values.length > 0 ? values.length : undefined,
  };
}

function embedUsage(value: unknown): Usage | undefined {
  const u = obj(value);
  const prompt = u ? num(field(u, 'promptTokenCount', 'prompt_token_count')) : undefined;
  return prompt === undefined ? undefined : { inputTokens: prompt };
}

/** Embeddings never stream; a body delivered as one event is read whole. */
class WholeBodyAccumulator implements StreamAccumulator {
  private body: unknown;

  accept(event: StreamEvent): void {
    this.body = parseJson(event.data) ?? this.body;
  }

  result(): ResponseInfo {
    return parseEmbedResponse(this.body);
  }

  /** The body is whole once its one event arrived. */
  isComplete(): boolean {
    return this.body !== undefined;
  }
}
