/**
 * Public options of the OTLP receivers (HTTP and gRPC share them) and their defaults, in one
 * place. The collector's config resolves host, port and sizes; these are the fallbacks for
 * direct use.
 */
import type { SpanConsumer } from '@tokentrace/processors';
import type { Authenticate } from './api-key-auth.js';
import type { FailureKind } from './receiver-failure.js';
import type { SpanDecoder } from './span-decoder.js';
import type { OtlpEncoding } from './trace-codec.js';

export type OtlpSignal = 'traces' | 'metrics' | 'logs';

/**
 * Receives the raw (decompressed) body of a metrics or logs export with its Content-Type
 * (`application/x-protobuf` or `application/json`). Rejecting with BackpressureError /
 * PermanentError is answered like a span consumer's rejection.
 */
export type ForwardSignal = (signal: 'metrics' | 'logs', body: Uint8Array, contentType: string, projectId: string) => Promise<void>;

/**
 * Makes an accepted trace export durable before it is answered (the collector's write-ahead log,
 * collector/src/wal). Called once the pipeline took the request's spans; a rejection is answered
 * like the pipeline's (BackpressureError 429, anything else 503), and the sender retries.
 */
export interface TraceJournal {
  record(body: Uint8Array, encoding: OtlpEncoding, projectId: string): Promise<void>;
}

/** What happened to one export request, for the collector's counters. */
export interface ReceiverEvent {
  transport: 'http' | 'grpc';
  signal: OtlpSignal;
  /** Absent when the request failed before authentication. */
  projectId?: string;
  acceptedSpans: number;
  rejectedSpans: number;
  /** Of the accepted spans, those whose content was changed to be storable (`tokentrace.sanitized`). */
  sanitizedSpans: number;
  failure?: FailureKind;
}

export interface OtlpReceiverOptions {
  /** Where decoded spans go. */
  consumer: SpanConsumer;
  /** Request → project; default: auth off, everything in project `default`. */
  authenticate?: Authenticate;
  /** Target for `/v1/metrics` and `/v1/logs` (MetricsService, LogsService); without it they are acknowledged and dropped. */
  forward?: ForwardSignal;
  /** Largest request body accepted, in bytes, both as received and after gzip decompression. */
  maxBodyBytes?: number;
  /** How bodies become SpanRecords; default: on the event loop (the collector passes worker threads). */
  decoder?: SpanDecoder;
  /** Where accepted trace exports are logged before the answer; default: none (acknowledged once buffered). */
  journal?: TraceJournal;
  /** Called once per request; must not throw. */
  onRequest?: (event: ReceiverEvent) => void;
}

export const RECEIVER_DEFAULTS = {
  maxBodyBytes: 16 * 1024 * 1024,
  httpHost: '127.0.0.1',
  /** OTLP spec, "OTLP/HTTP Default Port". */
  httpPort: 4318,
  grpcHost: '127.0.0.1',
  /** OTLP spec, "OTLP/gRPC Default Port". */
  grpcPort: 4317,
} as const;
