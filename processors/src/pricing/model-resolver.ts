/**
 * Finds the price source for a span's model: the user's price file first, then the
 * `@pydantic/genai-prices` catalog. Prefers the response model (the deployed snapshot; on Azure
 * the request "model" is a deployment name) and falls back to the request model. Each distinct
 * (provider, response model, request model) is resolved once and cached: the search walks
 * candidate ids and the catalog's matchers, which is too slow for every span.
 */
import { calcPrice, type ModelInfo, type Provider } from '@pydantic/genai-prices';
import { modelIdCandidates, type ModelIdCandidate } from './model-id-candidates.js';
import type { PriceFile, PriceFileModel } from './price-file.js';
import { catalogProviderId, vendorProviderId } from './provider-ids.js';

export interface CatalogModel {
  /** A provider holding only this model, matched by its id: calcPrice then does no search per span. */
  provider: Provider;
  modelId: string;
  /** `<catalog provider>:<catalog model>`, e.g. `openai:gpt-4o`. */
  pricedModel: string;
}

export interface ModelResolution {
  /** The price file's entry; it applies from its first `valid_from`, the catalog before that. */
  priceFileModel?: PriceFileModel;
  catalog?: CatalogModel;
}

const DEFAULT_CACHE_LIMIT = 10_000;
const PROBE_USAGE = { input_tokens: 0 };

export class ModelResolver {
  private readonly cache = new Map<string, ModelResolution | null>();

  constructor(
    private readonly priceFile: PriceFile = { models: [] },
    private readonly cacheLimit = DEFAULT_CACHE_LIMIT,
  ) {}

  resolve(provider: string | undefined, responseModel: string | undefined, requestModel: string | undefined): ModelResolution | undefined {
    const key = `${provider ?? ''}\u0000${responseModel ?? ''}\u0000${requestModel ?? ''}`;
    let resolution = this.cache.get(key);
    if (resolution === undefined) {
      resolution = this.search(provider, responseModel, requestModel) ?? null;
      // Distinct models are few; a flood of junk ids must not grow memory without bound.
      if (this.cache.size >= this.cacheLimit) this.cache.clear();
      this.cache.set(key, resolution);
    }
    return resolution ?? undefined;
  }

  private search(provider: string | undefined, responseModel: string | undefined, requestModel: string | undefined): ModelResolution | undefined {
    const models = requestModel === responseModel ? [responseModel] : [responseModel, requestModel];
    for (const model of models) {
      if (model === undefined || model === '') continue;
      const candidates = modelIdCandidates(model);
      const priceFileModel = this.findInPriceFile(provider, candidates);
      const catalog = findInCatalog(provider, candidates);
      if (priceFileModel || catalog) return { ...(priceFileModel && { priceFileModel }), ...(catalog && { catalog }) };
    }
    return undefined;
  }

  private findInPriceFile(provider: string | undefined, candidates: ModelIdCandidate[]): PriceFileModel | undefined {
    for (const candidate of candidates) {
      for (const model of this.priceFile.models) {
        if ((model.provider === undefined || model.provider === provider) && model.matches(candidate.id)) return model;
      }
    }
    return undefined;
  }
}

/**
 * With a provider we can map: its catalog list, then the vendor named in the id (Claude on Bedrock
 * not yet in Bedrock's list is priced as Anthropic's). Without one: genai-prices picks the
 * provider from the id. Self-hosted providers (null) are never priced from the catalog.
 */
function findInCatalog(provider: string | undefined, candidates: ModelIdCandidate[]): CatalogModel | undefined {
  const mapped = catalogProviderId(provider);
  if (mapped === null) return undefined;
  if (mapped !== undefined) {
    for (const candidate of candidates) {
      const found = lookup(candidate.id, mapped);
      if (found) return found;
    }
  }
  for (const candidate of candidates) {
    const vendor = candidate.vendor === undefined ? undefined : vendorProviderId(candidate.vendor);
    if (mapped !== undefined && (vendor === undefined || vendor === mapped)) continue;
    const found = lookup(candidate.id, vendor);
    if (found) return found;
  }
  return undefined;
}

function lookup(modelId: string, providerId: string | undefined): CatalogModel | undefined {
  let result: ReturnType<typeof calcPrice>;
  try {
    result = calcPrice(PROBE_USAGE, modelId, providerId === undefined ? {} : { providerId });
  } catch {
    return undefined;
  }
  if (!result) return undefined;
  return { provider: singleModelProvider(result.provider, result.model), modelId: result.model.id, pricedModel: `${result.provider.id}:${result.model.id}` };
}

function singleModelProvider(provider: Provider, model: ModelInfo): Provider {
  return { id: provider.id, name: provider.name, api_pattern: provider.api_pattern, models: [{ ...model, match: { equals: model.id } }] };
}
