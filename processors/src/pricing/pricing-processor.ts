/**
 * Prices every model-call span (`span.cost`) with `@pydantic/genai-prices`' bundled data, offline
 * (its `updatePrices` auto-update is never enabled), under the user's price file. Wrapper spans
 * (agents, workflows, tools, the AI SDK's outer spans) get `not_a_model_call`, so a trace's total
 * is the sum of its spans; an unknown model gets `unknown_model` and no USD, never 0.
 * `reprice()` re-prices stored spans after a price change (new package data or price file).
 */
import type { SpanProcessor } from '../pipeline/processor.js';
import { ConfigError } from '../pipeline/config-error.js';
import type { CostFields, SpanRecord } from '../pipeline/span-record.js';
import { normalizeSpan } from '../normalization/normalize-span.js';
import { cacheHitCost, isCacheHit, originalUsage } from './cache-savings.js';
import { computeCost } from './cost-calculator.js';
import { ModelResolver } from './model-resolver.js';
import { loadPriceFile, type PriceFile } from './price-file.js';

export interface PricingConfig {
  /** Path of the user's JSON price file; '' for none. */
  priceFile: string;
}

export const DEFAULT_PRICING_CONFIG: PricingConfig = { priceFile: '' };

const NOT_A_MODEL_CALL: Readonly<CostFields> = Object.freeze({ status: 'not_a_model_call' });
const NANOS_PER_MILLI = 1_000_000n;

export class PricingProcessor implements SpanProcessor {
  readonly name = 'pricing';
  private readonly resolver: ModelResolver;

  constructor(priceFile: PriceFile = { models: [] }) {
    this.resolver = new ModelResolver(priceFile);
  }

  process(spans: SpanRecord[]): SpanRecord[] {
    for (const span of spans) span.cost = this.priceSpan(span);
    return spans;
  }

  /** Re-prices spans in place; returns those whose cost changed (the ones to write back). */
  reprice(spans: SpanRecord[]): SpanRecord[] {
    const changed: SpanRecord[] = [];
    for (const span of spans) {
      const cost = this.priceSpan(span);
      if (!sameCost(span.cost, cost)) changed.push(span);
      span.cost = cost;
    }
    return changed;
  }

  /** The cost of one span at the prices in force at its start time. Fills `genAi` when no NormalizeProcessor ran. */
  priceSpan(span: SpanRecord): CostFields {
    const genAi = (span.genAi ??= normalizeSpan(span));
    if (!genAi.isModelCall) return { ...NOT_A_MODEL_CALL };
    const resolution = this.resolver.resolve(genAi.provider, genAi.responseModel, genAi.requestModel);
    if (!resolution) return isCacheHit(span.attributes) ? cacheHitCost({ status: 'unknown_model' }) : { status: 'unknown_model' };
    if (isCacheHit(span.attributes)) return cacheHitCost(computeCost(resolution, originalUsage(span.attributes), spanTime(span)));
    return computeCost(resolution, genAi, spanTime(span));
  }
}

/** Throws a ConfigError naming the key. */
export function validatePricingConfig(config: PricingConfig): void {
  if (typeof config.priceFile !== 'string') throw new ConfigError('priceFile', 'a file path or an empty string', config.priceFile);
}

/** Validates the config and loads the price file it names (once, at start-up). */
export function createPricingProcessor(config: Partial<PricingConfig> = {}): PricingProcessor {
  const resolved = { ...DEFAULT_PRICING_CONFIG, ...config };
  validatePricingConfig(resolved);
  return new PricingProcessor(resolved.priceFile ? loadPriceFile(resolved.priceFile) : undefined);
}

/** A span without a start time (a broken exporter) is priced at today's prices. */
function spanTime(span: SpanRecord): Date {
  return span.startTimeUnixNano > 0n ? new Date(Number(span.startTimeUnixNano / NANOS_PER_MILLI)) : new Date();
}

function sameCost(a: CostFields | undefined, b: CostFields): boolean {
  return (
    a !== undefined &&
    a.status === b.status &&
    a.pricedModel === b.pricedModel &&
    a.inputUsd === b.inputUsd &&
    a.outputUsd === b.outputUsd &&
    a.cacheReadUsd === b.cacheReadUsd &&
    a.cacheWriteUsd === b.cacheWriteUsd &&
    a.totalUsd === b.totalUsd &&
    a.savedUsd === b.savedUsd
  );
}
