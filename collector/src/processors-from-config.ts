/** The processor chain every ingested batch runs through, in order: normalize → price → session. */
import { createNormalizeProcessor, createPricingProcessor, createSessionProcessor, type SpanProcessor } from '@tokentrace/processors';
import type { CollectorConfig } from './config/collector-config.js';

export function createProcessors(config: CollectorConfig): SpanProcessor[] {
  return [createNormalizeProcessor(), createPricingProcessor({ priceFile: config.pricing.priceFile }), createSessionProcessor()];
}
