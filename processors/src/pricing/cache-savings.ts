/**
 * What a response-cache hit saved (issue 14): a hit's span has no gen_ai.usage (the provider was
 * not called, nothing was billed) but carries the usage of the call whose answer it replayed
 * (`tokentrace.cache.original.*`). The instrumentation has no prices, so the collector prices that
 * usage here with the same catalog and time as any span: the hit costs 0 (`cost.status`
 * `cache_hit`) and `savedUsd` says what it would have cost (column `cost_saved_usd`, migration 8;
 * attribute `tokentrace.cost.saved_usd` on forwarded spans).
 */
import {
  ATTR_TOKENTRACE_CACHE_ORIGINAL_CACHE_READ_INPUT_TOKENS,
  ATTR_TOKENTRACE_CACHE_ORIGINAL_INPUT_TOKENS,
  ATTR_TOKENTRACE_CACHE_ORIGINAL_OUTPUT_TOKENS,
  ATTR_TOKENTRACE_CACHE_STATUS,
  TOKENTRACE_CACHE_STATUS,
} from '@tokentrace/semconv';
import { numberValue } from '../normalization/attribute-readers.js';
import type { TokenUsage } from '../normalization/usage-extraction.js';
import type { Attributes, CostFields } from '../pipeline/span-record.js';

export function isCacheHit(attributes: Attributes): boolean {
  return attributes[ATTR_TOKENTRACE_CACHE_STATUS] === TOKENTRACE_CACHE_STATUS.HIT;
}

/** The usage of the call a hit replayed. */
export function originalUsage(attributes: Attributes): TokenUsage {
  return {
    inputTokens: numberValue(attributes[ATTR_TOKENTRACE_CACHE_ORIGINAL_INPUT_TOKENS]),
    outputTokens: numberValue(attributes[ATTR_TOKENTRACE_CACHE_ORIGINAL_OUTPUT_TOKENS]),
    cacheReadInputTokens: numberValue(attributes[ATTR_TOKENTRACE_CACHE_ORIGINAL_CACHE_READ_INPUT_TOKENS]),
  };
}

/** A hit's cost: 0 spent, and what its original usage costs as `savedUsd` (absent when unpriced). */
export function cacheHitCost(original: CostFields): CostFields {
  const cost: CostFields = { status: 'cache_hit', inputUsd: 0, outputUsd: 0, totalUsd: 0 };
  if (original.pricedModel) cost.pricedModel = original.pricedModel;
  if (original.status === 'priced' && original.totalUsd !== undefined) cost.savedUsd = original.totalUsd;
  return cost;
}
