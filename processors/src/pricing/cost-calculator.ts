/**
 * One span's cost from its usage, its resolved price source and its start time. The price in
 * force at the span's start (genai-prices' dated and time-of-day prices, the price file's
 * `valid_from`) is chosen per span; the cost itself comes from the version's linear form
 * (linear-price.ts), derived from calcPrice once per price version and cached here.
 */
import { calcPrice, type ModelPrice, type Provider } from '@pydantic/genai-prices';
import type { CostFields } from '../pipeline/span-record.js';
import type { TokenUsage } from '../normalization/usage-extraction.js';
import { evaluate, linearPrice, type LinearPrice } from './linear-price.js';
import { priceAt, type PriceFileModel } from './price-file.js';
import type { ModelResolution } from './model-resolver.js';

const PRICE_FILE_PROVIDER_ID = 'price-file';
/** Seconds cached per time-dependent model; a re-price of old spans may touch many. */
const SECONDS_CACHE_LIMIT = 4096;

interface PriceSource {
  provider: Provider;
  modelId: string;
  pricedModel: string;
}

export function computeCost(resolution: ModelResolution, usage: TokenUsage, at: Date): CostFields {
  const source = priceSource(resolution, at);
  if (!source) return { status: 'unknown_model' };
  const { pricedModel } = source;
  if (usage.inputTokens === undefined && usage.outputTokens === undefined) return { status: 'no_usage', pricedModel };
  const price = linearPriceAt(source, at);
  if (!price) return { status: 'unknown_model', pricedModel };

  // Parts never exceed their whole (calcPrice would reject them); clamp what a buggy exporter sends.
  const input = Math.max(0, usage.inputTokens ?? 0);
  const output = Math.max(0, usage.outputTokens ?? 0);
  const cacheRead = Math.min(Math.max(0, usage.cacheReadInputTokens ?? 0), input);
  const cacheWrite = Math.min(Math.max(0, usage.cacheCreationInputTokens ?? 0), input - cacheRead);
  const reasoning = Math.min(Math.max(0, usage.reasoningOutputTokens ?? 0), output);
  return { status: 'priced', pricedModel, ...evaluate(price, { input, cacheRead, cacheWrite, output, reasoning }) };
}

/** The price file's entry when one is in force at `at`, else the catalog's. */
function priceSource(resolution: ModelResolution, at: Date): PriceSource | undefined {
  const fileModel = resolution.priceFileModel;
  const filePrices = fileModel && priceAt(fileModel, at);
  if (fileModel && filePrices) return priceFileSource(fileModel, filePrices);
  return resolution.catalog;
}

const priceFileSources = new WeakMap<ModelPrice, PriceSource>();

/** calcPrice takes custom prices as a provider object; one per price-file version, built once. */
function priceFileSource(model: PriceFileModel, prices: ModelPrice): PriceSource {
  let source = priceFileSources.get(prices);
  if (!source) {
    const provider = { id: PRICE_FILE_PROVIDER_ID, name: 'tokentrace price file', api_pattern: '', models: [{ id: model.id, match: { equals: model.id }, prices }] };
    source = { provider, modelId: model.id, pricedModel: `${PRICE_FILE_PROVIDER_ID}:${model.id}` };
    priceFileSources.set(prices, source);
  }
  return source;
}

interface SourceCache {
  /** Linear form per price version (genai-prices returns the same ModelPrice object for a version). */
  byVersion: WeakMap<ModelPrice, LinearPrice | null>;
  /** Version per whole second, for models whose price depends on the date or time of day. */
  bySecond: Map<number, LinearPrice | null>;
}

const caches = new WeakMap<Provider, SourceCache>();

function linearPriceAt(source: PriceSource, at: Date): LinearPrice | undefined {
  let cache = caches.get(source.provider);
  if (!cache) caches.set(source.provider, (cache = { byVersion: new WeakMap(), bySecond: new Map() }));
  const model = source.provider.models[0];
  if (model && !Array.isArray(model.prices)) return versionPrice(source, cache, model.prices, at) ?? undefined;

  // Price changes and time-of-day windows start on whole seconds, so one probe per second suffices.
  const second = Math.floor(at.getTime() / 1000);
  let price = cache.bySecond.get(second);
  if (price === undefined) {
    const secondStart = new Date(second * 1000);
    let version: ModelPrice | undefined;
    try {
      version = calcPrice({ input_tokens: 0 }, source.modelId, { provider: source.provider, timestamp: secondStart })?.model_price;
    } catch {
      version = undefined;
    }
    price = version ? versionPrice(source, cache, version, secondStart) : null;
    if (cache.bySecond.size >= SECONDS_CACHE_LIMIT) cache.bySecond.clear();
    cache.bySecond.set(second, price);
  }
  return price ?? undefined;
}

function versionPrice(source: PriceSource, cache: SourceCache, version: ModelPrice, at: Date): LinearPrice | null {
  let price = cache.byVersion.get(version);
  if (price === undefined) {
    try {
      price = linearPrice(source.provider, source.modelId, at, version);
    } catch {
      price = null;
    }
    cache.byVersion.set(version, price);
  }
  return price;
}
