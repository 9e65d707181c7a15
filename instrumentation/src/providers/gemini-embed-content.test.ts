import { describe, expect, it } from 'vitest';
import { geminiEmbedContentCodec as codec } from './gemini-embed-content.js';
import type { LlmEndpoint } from './types.js';

const endpoint: LlmEndpoint = {
  provider: 'gcp.gemini',
  api: 'gemini.embed_content',
  operation: 'embeddings',
  urlModel: 'gemini-embedding-001',
  serverAddress: 'generativelanguage.googleapis.com',
  serverPort: 443,
};

describe('gemini embedContent', () => {
  it('reads the text of one content and of a batch', () => {
    expect(codec.parseRequest({ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'What is the meaning of life?' }] }, taskType: 'RETRIEVAL_QUERY' }, endpoint)).toEqual({
      inputText: 'What is the meaning of life?',
      embeddingInputs: ['What is the meaning of life?'],
    });
    expect(
      codec.parseRequest(
        {
          requests: [
            { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'What is the meaning of life?' }] } },
            { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'How much wood?' }] }, outputDimensionality: 768 },
          ],
        },
        endpoint,
      ),
    ).toMatchObject({ inputText: 'What is the meaning of life?\nHow much wood?', embeddingInputs: ['What is the meaning of life?', 'How much wood?'] });
  });

  it('counts dimensions of one embedding and of a batch, and reads Vertex usage', () => {
    expect(codec.parseResponse({ embedding: { values: [0.1, -0.2, 0.3, 0.4] } }, endpoint)).toEqual({ finishReasons: [], outputText: '', embeddingDimensions: 4 });
    expect(codec.parseResponse({ embeddings: [{ values: [1, 2, 3] }, { values: [4, 5, 6] }] }, endpoint).embeddingDimensions).toBe(3);
    expect(codec.parseResponse({ embedding: { values: [1, 2] }, usageMetadata: { promptTokenCount: 9 } }, endpoint).usage).toEqual({ inputTokens: 9 });
  });

  it('reads errors and never throws on odd input', () => {
    expect(codec.parseResponse({ error: { code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT' } }, endpoint).error).toEqual({
      type: 'INVALID_ARGUMENT',
      message: 'API key not valid.',
    });
    for (const odd of [undefined, null, 1, 'x', [], { content: 'x', requests: [null, 1] }, { embedding: { values: 'x' } }, { embeddings: [null] }]) {
      expect(() => codec.parseRequest(odd, endpoint)).not.toThrow();
      expect(codec.parseResponse(odd, endpoint).embeddingDimensions).toBeUndefined();
    }
  });
});
