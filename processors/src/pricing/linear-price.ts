/**
 * genai-prices' `calcPrice` is the calculator of record, but it re-validates the model's price
 * units on every call (tens of µs), too slow for every ingested span. Within one price version
 * and one context-length tier its result is linear in the token counts: input tokens are the
 * whole, cache read/write tokens parts of them, reasoning tokens part of the output (its README,
 * "Cached input tokens"). So a few calcPrice probes per (model, price version) give exact
 * per-token coefficients, and each span costs a dot product. Tiers are chosen by total input
 * tokens, a tier applying above its `start`, as in calcPrice.
 */
import { calcPrice, type ModelPrice, type Provider, type TieredPrices, type Usage } from '@pydantic/genai-prices';

/** USD per token of each kind, on top of the kinds it is part of (cache read: cache rate − input rate). */
export interface Coefficients {
  constant: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

export interface LinearPrice {
  /** Ascending tier starts; band i applies when input tokens > tierStarts[i - 1]. */
  tierStarts: number[];
  /** Per band: coefficients of calcPrice's input_price and output_price. */
  bands: Array<{ input: Coefficients; output: Coefficients }>;
  /** Per-call charges in neither direction (`requests_kcount`). */
  otherUsd: number;
}

export interface TokenCounts {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

const PROBE = 1_000_000;

/** Probes calcPrice at `at` (one price version of the model) and returns that version's linear form, with its ModelPrice. */
export function linearPrice(provider: Provider, modelId: string, at: Date, modelPrice: ModelPrice): LinearPrice {
  const calc = (usage: Usage) => {
    const result = calcPrice(usage, modelId, { provider, timestamp: at });
    if (!result) throw new Error(`genai-prices did not price ${modelId}`);
    return result;
  };
  const zero = calc({ input_tokens: 0 });
  const tierStarts = tierStartsOf(modelPrice);
  const bands = [0, ...tierStarts].map((start, band) => {
    // A probe input inside the band: up to the first tier's start for band 0, just above a tier's start otherwise.
    const n = band === 0 ? (tierStarts[0] ?? PROBE) : start + 1;
    const base = calc({ input_tokens: n });
    const read = n > 0 ? calc({ input_tokens: n, cache_read_tokens: n }) : base;
    const write = n > 0 ? calc({ input_tokens: n, cache_write_tokens: n }) : base;
    const out = calc({ input_tokens: n, output_tokens: PROBE });
    const reasoning = calc({ input_tokens: n, output_tokens: PROBE, output_reasoning_tokens: PROBE });
    const coefficients = (key: 'input_price' | 'output_price'): Coefficients => ({
      constant: zero[key],
      input: n > 0 ? (base[key] - zero[key]) / n : 0,
      cacheRead: n > 0 ? (read[key] - base[key]) / n : 0,
      cacheWrite: n > 0 ? (write[key] - base[key]) / n : 0,
      output: (out[key] - base[key]) / PROBE,
      reasoning: (reasoning[key] - out[key]) / PROBE,
    });
    return { input: coefficients('input_price'), output: coefficients('output_price') };
  });
  return { tierStarts, bands, otherUsd: zero.total_price - zero.input_price - zero.output_price };
}

export interface CostBreakdown {
  inputUsd: number;
  outputUsd: number;
  cacheReadUsd: number;
  cacheWriteUsd: number;
  totalUsd: number;
}

export function evaluate(price: LinearPrice, t: TokenCounts): CostBreakdown {
  let band = 0;
  while (band < price.tierStarts.length && t.input > (price.tierStarts[band] as number)) band++;
  const { input, output } = price.bands[band] as LinearPrice['bands'][number];
  const dot = (c: Coefficients) => c.constant + c.input * t.input + c.cacheRead * t.cacheRead + c.cacheWrite * t.cacheWrite + c.output * t.output + c.reasoning * t.reasoning;
  const inputUsd = dot(input);
  const outputUsd = dot(output);
  return {
    inputUsd,
    outputUsd,
    // What the cached tokens cost within inputUsd: the input rate plus the cache kind's difference.
    cacheReadUsd: (input.input + input.cacheRead) * t.cacheRead,
    cacheWriteUsd: (input.input + input.cacheWrite) * t.cacheWrite,
    totalUsd: inputUsd + outputUsd + price.otherUsd,
  };
}

function tierStartsOf(modelPrice: ModelPrice): number[] {
  const starts = new Set<number>();
  for (const value of Object.values(modelPrice)) {
    if (typeof value === 'object') for (const tier of (value as TieredPrices).tiers) starts.add(tier.start);
  }
  return [...starts].sort((a, b) => a - b);
}
