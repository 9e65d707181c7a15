/** @tokentrace/processors: the collector's pipeline stages. */
export * from './pipeline/span-record.js';
export * from './pipeline/processor.js';
export { ConfigError, resolvedUnder } from './pipeline/config-error.js';
export { NormalizeProcessor, createNormalizeProcessor } from './normalization/normalize-processor.js';
export { normalizeSpan } from './normalization/normalize-span.js';
export { normalizeProviderName } from './normalization/provider-names.js';
export { PricingProcessor, createPricingProcessor, validatePricingConfig, DEFAULT_PRICING_CONFIG, type PricingConfig } from './pricing/pricing-processor.js';
export { PriceFileError, loadPriceFile, parsePriceFile, type PriceFile, type PriceFileModel } from './pricing/price-file.js';
export { SessionProcessor, createSessionProcessor, sessionFields } from './session/session-processor.js';
export { sessionStep, normalizeSessionPath, type SessionStep } from './session/session-path.js';
export { ProcessingConsumer } from './pipeline/processing-consumer.js';
export { FanOutConsumer } from './pipeline/fan-out-consumer.js';
export { BatchProcessor, type BatchConfig } from './batch/batch-processor.js';
export { OtlpForwardExporter, RETRYABLE_HTTP_STATUSES, type ForwardConfig } from './forward/otlp-forward-exporter.js';
export { encodeOtlpJson } from './forward/otlp-json-encoder.js';
export * from './storage/index.js';
export * from './exporter-helper/index.js';
