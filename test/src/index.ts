// Public surface of @tokentrace/test: provider emulators speaking each LLM provider's wire format,
// an OTLP/HTTP receiver for out-of-process tests, and a ClickHouse HTTP server on the embedded engine.
export * from './provider-emulator/index.js';
export * from './clickhouse-http/index.js';
export { OtlpReceiver, startOtlpReceiver, type OtlpReceiverOptions, type OtlpSignal, type ReceivedExport } from './otlp-receiver.js';
export type {
  OtlpAttributes, OtlpValue, ReceivedDataPoint, ReceivedMetricType, ReceivedSpan, ReceivedSpanKind,
} from './otlp-json.js';
export { flattenMetrics, flattenTraces } from './otlp-json.js';
export { startRedisServer, type RedisServer } from './redis/redis-server.js';
