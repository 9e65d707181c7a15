/** @tokentrace/semconv: the one place where attribute, metric and value names are spelled. */
export * from './gen-ai-attributes.js';
export * from './gen-ai-values.js';
export * from './gen-ai-metrics.js';
export * from './tokentrace-attributes.js';
export * from './foreign-attributes.js';
export * from './rate-limit-attributes.js';
