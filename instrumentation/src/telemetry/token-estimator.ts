/**
 * Counts tokens with a real BPE tokenizer (js-tiktoken) for streams whose provider sent no usage.
 * The encodings are loaded lazily, on the first estimate, to keep process start-up fast.
 */
import type { Tiktoken } from 'js-tiktoken/lite';

type EncodingName = 'o200k_base' | 'cl100k_base';

const encoders = new Map<EncodingName, Promise<Tiktoken>>();

/** OpenAI's newer model families use o200k_base; everything else gets cl100k_base as an approximation. */
export function encodingForModel(model: string | undefined): EncodingName {
  const m = (model ?? '').toLowerCase().replace(/^.*\//, '');
  return /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d|chatgpt-4o|gpt-oss)/.test(m) ? 'o200k_base' : 'cl100k_base';
}

function loadEncoder(name: EncodingName): Promise<Tiktoken> {
  let encoder = encoders.get(name);
  if (!encoder) {
    encoder = (async () => {
      const { Tiktoken } = await import('js-tiktoken/lite');
      const ranks =
        name === 'o200k_base'
          ? (await import('js-tiktoken/ranks/o200k_base')).default
          : (await import('js-tiktoken/ranks/cl100k_base')).default;
      return new Tiktoken(ranks);
    })();
    encoders.set(name, encoder);
  }
  return encoder;
}

export async function countTokens(text: string, model: string | undefined): Promise<number> {
  if (!text) return 0;
  const encoder = await loadEncoder(encodingForModel(model));
  return encoder.encode(text).length;
}
