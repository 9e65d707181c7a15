/**
 * The processor chain every ingested batch runs through, in order: normalize → price → session,
 * then, when the storage takes RowBinary (the embedded engine) and nothing else reads the spans
 * (no forward), each span encoded into its row on arrival, in the request's own array
 * (processors' storage/encoded-span.ts: the batch then holds rows, not records; encodeSpansInPlace).
 */
import { createNormalizeProcessor, createPricingProcessor, createSessionProcessor, encodeSpansInPlace, type SpanProcessor } from '@tokentrace/processors';
import type { CollectorConfig } from './config/collector-config.js';

export interface ProcessorOptions {
  /** Encode each span into the exporter's RowBinary row after the processors. */
  encodeRows?: boolean;
}

export function createProcessors(config: CollectorConfig, options: ProcessorOptions = {}): SpanProcessor[] {
  const processors: SpanProcessor[] = [createNormalizeProcessor(), createPricingProcessor({ priceFile: config.pricing.priceFile }), createSessionProcessor()];
  if (options.encodeRows) processors.push({ name: 'encode-rows', process: encodeSpansInPlace });
  return processors;
}
