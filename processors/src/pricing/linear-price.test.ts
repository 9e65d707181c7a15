/**
 * Conformance of the linear form with genai-prices' calcPrice, over every model of the bundled
 * catalog: whatever the price units, tiers or per-request fees, the cached dot product must give
 * what calcPrice gives.
 */
import { calcPrice, waitForUpdate, type Provider, type Usage } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { evaluate, linearPrice, type TokenCounts } from './linear-price.js';

const AT = new Date('2025-09-01T18:00:00Z');

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function usages(next: () => number, tierStarts: number[]): TokenCounts[] {
  const inputs = [0, 1, 999, 150_000, 400_000, ...tierStarts, ...tierStarts.map((s) => s + 1), Math.floor(next() * 300_000)];
  return inputs.map((input) => {
    const cacheRead = Math.floor(next() * input * 0.7);
    const cacheWrite = Math.floor(next() * (input - cacheRead));
    const output = Math.floor(next() * 20_000);
    return { input, cacheRead, cacheWrite, output, reasoning: Math.floor(next() * output) };
  });
}

describe('linearPrice', () => {
  it('matches calcPrice for every catalog model', async () => {
    const providers = (await waitForUpdate()) as Provider[];
    const next = random(42);
    let compared = 0;
    for (const catalog of providers) {
      for (const model of catalog.models) {
        const provider: Provider = { id: catalog.id, name: catalog.name, api_pattern: '', models: [{ ...model, match: { equals: model.id } }] };
        const version = calcPrice({ input_tokens: 0 }, model.id, { provider, timestamp: AT })?.model_price;
        if (!version) continue;
        const linear = linearPrice(provider, model.id, AT, version);
        for (const t of usages(next, linear.tierStarts)) {
          const usage: Usage = { input_tokens: t.input, cache_read_tokens: t.cacheRead, cache_write_tokens: t.cacheWrite, output_tokens: t.output, output_reasoning_tokens: t.reasoning };
          const expected = calcPrice(usage, model.id, { provider, timestamp: AT });
          const actual = evaluate(linear, t);
          const context = `${catalog.id}:${model.id} ${JSON.stringify(t)}`;
          expect(Math.abs(actual.inputUsd - expected!.input_price), context).toBeLessThanOrEqual(1e-12 + 1e-12 * expected!.input_price);
          expect(Math.abs(actual.outputUsd - expected!.output_price), context).toBeLessThanOrEqual(1e-12 + 1e-12 * expected!.output_price);
          expect(Math.abs(actual.totalUsd - expected!.total_price), context).toBeLessThanOrEqual(1e-12 + 1e-12 * expected!.total_price);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  });

  it('shows the cache parts of the input cost at their rates, and per-request fees in the total only', () => {
    // Perplexity sonar-pro: $3 input, $15 output, $14 per 1,000 requests.
    const provider = { id: 'p', name: 'p', api_pattern: '', models: [{ id: 'm', match: { equals: 'm' }, prices: { input_mtok: 3, output_mtok: 15, cache_read_mtok: 0.3, requests_kcount: 14 } }] };
    const linear = linearPrice(provider, 'm', AT, provider.models[0]!.prices);
    const cost = evaluate(linear, { input: 1_000, cacheRead: 400, cacheWrite: 100, output: 10, reasoning: 0 });
    expect(cost.cacheReadUsd).toBeCloseTo((400 * 0.3) / 1e6, 15);
    expect(cost.cacheWriteUsd).toBeCloseTo((100 * 3) / 1e6, 15);
    expect(cost.inputUsd).toBeCloseTo((600 * 3 + 400 * 0.3) / 1e6, 15);
    expect(cost.totalUsd).toBeCloseTo(cost.inputUsd + cost.outputUsd + 14 / 1000, 15);
  });
});
