/**
 * Codec for OpenAI Embeddings (POST .../embeddings) and the compatible hosts. Reads the model,
 * the encoding format and the input text from the request, and the dimension count and usage from
 * the response. Embeddings do not stream.
 */
import { joinText } from './message-parts.js';
import { openAiError, openAiUsage } from './openai-wire.js';
import type { ProviderCodec, RequestInfo, ResponseInfo, StreamAccumulator, StreamEvent } from './types.js';
import { arr, nonEmpty, obj, parseJson } from './wire-json.js';

export const openAiEmbeddingsCodec: ProviderCodec = {
  api: 'openai.embeddings',
  parseRequest: (body) => parseEmbeddingsRequest(body),
  parseResponse: (body) => parseEmbeddingsResponse(body),
  createStreamAccumulator: () => new WholeBodyAccumulator(),
};

function parseEmbeddingsRequest(body: unknown): RequestInfo {
  const b = obj(body);
  if (!b) return { inputText: '' };
  const format = nonEmpty(b.encoding_format);
  return {
    model: nonEmpty(b.model),
    encodingFormats: format ? [format] : undefined,
    embeddingInputs: b.input === undefined ? undefined : Array.isArray(b.input) && !b.input.every((i) => typeof i === 'number') ? [...b.input] : [b.input],
    inputText: inputText(b.input),
  };
}

/** `input` is a string, an array of strings, or token ids (one array or an array of them), which carry no text. */
function inputText(input: unknown): string {
  if (typeof input === 'string') return input;
  const texts: string[] = [];
  for (const item of arr(input) ?? []) if (typeof item === 'string') texts.push(item);
  return joinText(texts);
}

function parseEmbeddingsResponse(body: unknown): ResponseInfo {
  const b = obj(body);
  if (!b) return { finishReasons: [], outputText: '' };
  return {
    model: nonEmpty(b.model),
    finishReasons: [],
    usage: openAiUsage(b.usage),
    outputText: '',
    embeddingDimensions: dimensionsOf(obj(arr(b.data)?.[0])?.embedding),
    error: openAiError(b),
  };
}

/**
 * Length of the first embedding. With `encoding_format: "base64"` (the default of the official
 * Node SDK) the embedding is the base64 of little-endian float32s, so the count is the decoded byte
 * length / 4, computed from the string length without decoding it.
 */
function dimensionsOf(embedding: unknown): number | undefined {
  if (Array.isArray(embedding)) return embedding.length > 0 ? embedding.length : undefined;
  if (typeof embedding !== 'string' || embedding.length === 0) return undefined;
  let padding = 0;
  if (embedding.endsWith('==')) padding = 2;
  else if (embedding.endsWith('=')) padding = 1;
  const bytes = Math.floor(((embedding.length - padding) * 3) / 4);
  return bytes % 4 === 0 && bytes > 0 ? bytes / 4 : undefined;
}

/** Embeddings never stream; should a host send the JSON body as one event anyway, it is read whole. */
class WholeBodyAccumulator implements StreamAccumulator {
  private body: unknown;

  accept(event: StreamEvent): void {
    this.body = parseJson(event.data) ?? this.body;
  }

  result(): ResponseInfo {
    return parseEmbeddingsResponse(this.body);
  }

  /** The body is whole once its one event arrived. */
  isComplete(): boolean {
    return this.body !== undefined;
  }
}
