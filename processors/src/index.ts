/** @tokentrace/processors: the collector's pipeline stages. */
export * from './pipeline/span-record.js';
export * from './pipeline/processor.js';
