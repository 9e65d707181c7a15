// Deterministic pseudo-embeddings: the same input always yields the same unit vector, so tests
// can compare vectors across calls without a model. Values come from a hash of the text.
import { createHash } from 'node:crypto';

/** A unit-length vector of `dimensions` floats derived from `text`. */
export function embeddingFor(text: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 1 < digest.length && values.length < dimensions; i += 2) {
      values.push(digest.readInt16LE(i) / 32768);
    }
  }
  const norm = Math.hypot(...values) || 1;
  // Round through float32 so base64 and float encodings of one vector agree exactly.
  return values.map((v) => Math.fround(v / norm));
}

/** The little-endian float32 base64 encoding OpenAI uses for `encoding_format: base64`. */
export function embeddingToBase64(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}
