/**
 * Prices for cost budgets (`u=cents`, `usd`), from the same `@pydantic/genai-prices` catalog the
 * collector prices spans with, loaded on first use: only a process with a cost-based limit pays
 * for it. The model id is matched by genai-prices itself (providers mapped as the collector maps
 * them for the big three; others left to the catalog's match on the model id).
 */
import type { Usage } from '../providers/types.js';

type PricesModule = typeof import('@pydantic/genai-prices');
let loading: Promise<PricesModule> | undefined;

const CATALOG_PROVIDERS: Record<string, string> = { openai: 'openai', anthropic: 'anthropic', 'gcp.gemini': 'google', 'gcp.vertex_ai': 'google' };

/** Starts loading the catalog (called when a cost-based policy first applies). */
export function loadPrices(): Promise<PricesModule> {
  return (loading ??= import('@pydantic/genai-prices'));
}

/** What `usage` costs on `model`, in cents; undefined when the catalog does not know the model. */
export async function costCents(provider: string, model: string | undefined, usage: Usage): Promise<number | undefined> {
  if (!model) return undefined;
  const { calcPrice } = await loadPrices();
  const input = usage.inputTokens ?? 0;
  const cacheRead = Math.min(usage.cacheReadInputTokens ?? 0, input);
  const cacheWrite = Math.min(usage.cacheCreationInputTokens ?? 0, input - cacheRead);
  try {
    const price = calcPrice(
      { input_tokens: input, output_tokens: usage.outputTokens ?? 0, cache_read_tokens: cacheRead, cache_write_tokens: cacheWrite },
      model,
      { providerId: CATALOG_PROVIDERS[provider] },
    );
    return price ? price.total_price * 100 : undefined;
  } catch {
    return undefined;
  }
}

/** Tokens in a request body, estimated before the call at ~4 characters per token (no tokenizer on the app's path). */
export function estimateInputTokens(inputText: string): number {
  return Math.ceil(inputText.length / 4);
}
