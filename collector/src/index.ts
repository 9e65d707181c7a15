/** @tokentrace/collector: OTLP in, priced and session-aware spans out. */
export { loadCollectorConfig, validate, DEFAULT_CONFIG, type CollectorConfig } from './config/collector-config.js';
export { Collector, type CollectorOptions } from './collector.js';
export * from './receivers/index.js';
export { CollectorCounters } from './telemetry/collector-counters.js';
export * from './queries/index.js';
export { WriteAheadLog, DEFAULT_WAL_CONFIG, type WalConfig, type WalSync, type WalTicket } from './wal/write-ahead-log.js';
export { encodeRequestRecord, decodeRequestRecord, type RequestRecord } from './wal/request-record.js';
export * from './insights/explain/index.js';
export * from './insights/forecast/index.js';
export * from './alerts/index.js';
export { DEFAULT_ALERTS_CONFIG, resolveAlertsConfig, type AlertsConfig, type ConfiguredRule } from './config/alerts-config.js';
export { HOURS_NEAR_READS, RollupBuilder, type RollupBuilderOptions, type RollupRound } from './rollup/rollup-builder.js';
export { DEFAULT_ROLLUP_CONFIG, validateRollupConfig, type RollupConfig } from './rollup/rollup-config.js';
