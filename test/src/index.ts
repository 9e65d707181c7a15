// Public surface of @tokentrace/test: provider emulators speaking each LLM provider's wire format,
// and an OTLP/HTTP receiver for out-of-process tests.
export * from './provider-emulator/index.js';
export { OtlpReceiver, startOtlpReceiver, type OtlpReceiverOptions, type OtlpSignal, type ReceivedExport } from './otlp-receiver.js';
export type {
  OtlpAttributes, OtlpValue, ReceivedDataPoint, ReceivedMetricType, ReceivedSpan, ReceivedSpanKind,
} from './otlp-json.js';
export { flattenMetrics, flattenTraces } from './otlp-json.js';
