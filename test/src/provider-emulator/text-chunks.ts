// Splits a scripted reply into the deltas a provider would stream. Real providers stream a few
// tokens per event; word groups are close enough and keep the deltas readable in test failures.
// The concatenation of the chunks is always exactly the input text.

/** Splits `text` into groups of `wordsPerChunk` words, whitespace kept with the following word. */
export function splitIntoChunks(text: string, wordsPerChunk = 2): string[] {
  if (text === '') return [];
  // `\s*\S+` covers every word with the whitespace before it; `\s+$` keeps trailing whitespace.
  const words = text.match(/\s*\S+|\s+$/g) ?? [text];
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerChunk) {
    chunks.push(words.slice(i, i + wordsPerChunk).join(''));
  }
  return chunks;
}

/** Splits a JSON arguments string into a few pieces, like providers stream tool-call arguments. */
export function splitArguments(json: string, pieces = 3): string[] {
  if (json === '') return [];
  const size = Math.max(1, Math.ceil(json.length / pieces));
  const parts: string[] = [];
  for (let i = 0; i < json.length; i += size) parts.push(json.slice(i, i + size));
  return parts;
}
