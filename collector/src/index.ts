/** @tokentrace/collector: OTLP in, priced and session-aware spans out. */
export { loadCollectorConfig, validate, DEFAULT_CONFIG, CollectorConfigError, type CollectorConfig } from './config/collector-config.js';
