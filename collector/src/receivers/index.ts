/** The OTLP receivers' public API: HTTP and gRPC servers, the HTTP router, API-key auth, and the OTLP trace decoding. */
export { OtlpHttpReceiver, type OtlpHttpReceiverOptions } from './otlp-http-receiver.js';
export { createOtlpHttpRouter } from './otlp-http-router.js';
export { OtlpGrpcReceiver, type OtlpGrpcReceiverOptions } from './otlp-grpc-receiver.js';
export { createApiKeyAuthenticator, apiKeyFrom, DEFAULT_PROJECT_ID, type Authenticate, type RequestHeaders } from './api-key-auth.js';
export { ReceiverFailure, type FailureKind } from './receiver-failure.js';
export { decodeTraceRequest, encodingOf, OtlpDecodeError, type OtlpEncoding } from './trace-codec.js';
export { toSpanRecords, type SpanConversion } from './span-records.js';
export { RECEIVER_DEFAULTS, type ForwardSignal, type OtlpReceiverOptions, type OtlpSignal, type ReceiverEvent, type TraceJournal } from './types.js';
export { createInlineSpanDecoder, inlineSpanDecoder, type SpanDecoder } from './span-decoder.js';
export { DEFAULT_SPAN_LIMITS, resolveSpanLimits, type SpanLimits } from './span-limits.js';
export { WorkerSpanDecoder } from './worker-span-decoder.js';
