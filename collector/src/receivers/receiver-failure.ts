/**
 * Why a receiver refused a request, independent of the transport, and the one table that maps
 * each reason to its OTLP/HTTP status and OTLP/gRPC code. This is where the pipeline's
 * PermanentError / BackpressureError marks are read (STYLE: "checked in exactly two places").
 *
 * OTLP spec: HTTP 429/502/503/504 are retryable, every other 4xx/5xx is not ("Failures"); gRPC
 * backpressure "MUST return ... Unavailable" with RetryInfo ("OTLP/gRPC Throttling");
 * RESOURCE_EXHAUSTED without RetryInfo is not retried, which is what an oversized message should
 * get. A content type this server does not decode is answered 415 (RFC 9110 §15.5.16; the
 * Collector's otlpreceiver does the same): the client learns it is the encoding, not the data.
 */
import { BackpressureError, isPermanent } from '@tokentrace/processors';
import { status as GrpcStatus } from '@grpc/grpc-js';

export type FailureKind =
  | 'bad_data'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unauthenticated'
  | 'forbidden'
  | 'throttled'
  | 'unavailable'
  | 'internal';

export const HTTP_STATUS: Record<FailureKind, number> = {
  bad_data: 400,
  too_large: 400,
  unsupported_media_type: 415,
  unauthenticated: 401,
  forbidden: 403,
  throttled: 429,
  unavailable: 503,
  internal: 500,
};

export const GRPC_CODE: Record<FailureKind, GrpcStatus> = {
  bad_data: GrpcStatus.INVALID_ARGUMENT,
  too_large: GrpcStatus.RESOURCE_EXHAUSTED,
  unsupported_media_type: GrpcStatus.INVALID_ARGUMENT,
  unauthenticated: GrpcStatus.UNAUTHENTICATED,
  forbidden: GrpcStatus.PERMISSION_DENIED,
  throttled: GrpcStatus.UNAVAILABLE,
  unavailable: GrpcStatus.UNAVAILABLE,
  internal: GrpcStatus.INTERNAL,
};

export class ReceiverFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    /** Sent as Retry-After (HTTP) and RetryInfo.retry_delay (gRPC) for `throttled`. */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ReceiverFailure';
  }
}

/**
 * A rejection from the pipeline (SpanConsumer.consume or the forward callback): backpressure
 * asks the client to come back later, a permanent error is bad data, anything else is retryable.
 */
export function failureFromPipeline(err: unknown): ReceiverFailure {
  if (err instanceof ReceiverFailure) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof BackpressureError) {
    return new ReceiverFailure('throttled', `pipeline is full, retry later: ${message}`, err.retryAfterSeconds, { cause: err });
  }
  if (isPermanent(err)) return new ReceiverFailure('bad_data', `pipeline refused the data: ${message}`, undefined, { cause: err });
  return new ReceiverFailure('unavailable', `pipeline failed, retry: ${message}`, undefined, { cause: err });
}
