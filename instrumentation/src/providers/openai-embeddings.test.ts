import { describe, expect, it } from 'vitest';
import { openAiEmbeddingsCodec as codec } from './openai-embeddings.js';
import { openAiEndpoint } from './openai-endpoint.fixture.js';

const endpoint = openAiEndpoint('openai.embeddings', 'embeddings');

/** base64 of little-endian float32s, as the API sends with encoding_format "base64". */
function base64Floats(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString('base64');
}

describe('openai embeddings', () => {
  it('reads the request', () => {
    expect(
      codec.parseRequest({ model: 'text-embedding-3-small', input: ['The food was delicious', 'and the waiter...'], encoding_format: 'float', dimensions: 256 }, endpoint),
    ).toEqual({
      model: 'text-embedding-3-small',
      encodingFormats: ['float'],
      embeddingInputs: ['The food was delicious', 'and the waiter...'],
      inputText: 'The food was delicious\nand the waiter...',
    });
    expect(codec.parseRequest({ model: 'm', input: 'one' }, endpoint)).toMatchObject({ inputText: 'one', embeddingInputs: ['one'] });
    expect(codec.parseRequest({ model: 'm', input: [[1, 2], [3]] }, endpoint)).toMatchObject({ inputText: '', embeddingInputs: [[1, 2], [3]] });
    // One input of token ids is one input, not one per token.
    expect(codec.parseRequest({ model: 'm', input: [1, 2, 3] }, endpoint).embeddingInputs).toEqual([[1, 2, 3]]);
  });

  it('reads float embeddings and usage', () => {
    expect(
      codec.parseResponse(
        {
          object: 'list',
          data: [{ object: 'embedding', embedding: [0.0023064255, -0.009327292, 0.015797347], index: 0 }],
          model: 'text-embedding-3-small',
          usage: { prompt_tokens: 8, total_tokens: 8 },
        },
        endpoint,
      ),
    ).toEqual({
      model: 'text-embedding-3-small',
      finishReasons: [],
      usage: { inputTokens: 8 },
      outputText: '',
      embeddingDimensions: 3,
    });
  });

  it('counts dimensions of base64 embeddings (the Node SDK default) without decoding them', () => {
    for (const n of [1, 2, 3, 256, 1536]) {
      const data = [{ object: 'embedding', index: 0, embedding: base64Floats(Array.from({ length: n }, (_, i) => i / 7)) }];
      expect(codec.parseResponse({ object: 'list', data, model: 'm', usage: { prompt_tokens: 1, total_tokens: 1 } }, endpoint).embeddingDimensions).toBe(n);
    }
  });

  it('reads errors and never throws on odd input', () => {
    expect(codec.parseResponse({ error: { message: 'Invalid input', type: 'invalid_request_error', param: 'input', code: null } }, endpoint).error).toEqual({
      type: 'invalid_request_error',
      message: 'Invalid input',
    });
    for (const odd of [undefined, null, 0, 'x', [], { data: 'x' }, { data: [null] }, { data: [{ embedding: 'abc' }] }, { data: [{ embedding: {} }] }]) {
      expect(() => codec.parseRequest(odd, endpoint)).not.toThrow();
      expect(codec.parseResponse(odd, endpoint).embeddingDimensions).toBeUndefined();
    }
  });
});
