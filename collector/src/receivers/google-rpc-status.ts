/**
 * google.rpc.Status, the body of every OTLP/HTTP 4xx/5xx (OTLP spec, "Failures"), and the
 * google.rpc.RetryInfo detail gRPC backpressure carries in `grpc-status-details-bin` ("OTLP/gRPC
 * Throttling"). The messages are declared from googleapis google/rpc/status.proto and
 * error_details.proto and google/protobuf/any.proto and duration.proto (the same field numbers),
 * and encoded by protobufjs: no npm package ships them short of `google-proto-files` (9 MB).
 */
import protobuf from 'protobufjs';

const root = new protobuf.Root();
protobuf.parse(
  `syntax = "proto3";
   package google.protobuf;
   message Any { string type_url = 1; bytes value = 2; }
   message Duration { int64 seconds = 1; int32 nanos = 2; }`,
  root,
);
protobuf.parse(
  `syntax = "proto3";
   package google.rpc;
   message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
   message RetryInfo { google.protobuf.Duration retry_delay = 1; }`,
  root,
);
root.resolveAll();

const Status = root.lookupType('google.rpc.Status');
const RetryInfo = root.lookupType('google.rpc.RetryInfo');

export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

export interface RpcStatus {
  /** A google.rpc.Code (the gRPC status code); OTLP/HTTP clients ignore it. */
  code: number;
  message: string;
  /** Adds a RetryInfo detail with this delay. */
  retryDelaySeconds?: number;
}

export function encodeStatus(status: RpcStatus): Uint8Array {
  const details =
    status.retryDelaySeconds === undefined
      ? []
      : [{ typeUrl: RETRY_INFO_TYPE_URL, value: RetryInfo.encode(RetryInfo.create({ retryDelay: { seconds: status.retryDelaySeconds, nanos: 0 } })).finish() }];
  return Status.encode(Status.create({ code: status.code, message: status.message, details })).finish();
}

/** Status in the proto3 JSON mapping (details left out: an Any needs its type's JSON form). */
export function statusJson(status: RpcStatus): string {
  return JSON.stringify({ code: status.code, message: status.message });
}

/** Reads a Status back, RetryInfo included; for clients and tests. */
export function decodeStatus(bytes: Uint8Array): RpcStatus {
  const decoded = Status.toObject(Status.decode(bytes), { longs: Number, defaults: true }) as {
    code: number;
    message: string;
    details: { typeUrl: string; value: Uint8Array }[];
  };
  const result: RpcStatus = { code: decoded.code, message: decoded.message };
  const retry = decoded.details.find((d) => d.typeUrl === RETRY_INFO_TYPE_URL);
  if (retry) {
    const info = RetryInfo.toObject(RetryInfo.decode(retry.value), { longs: Number, defaults: true }) as { retryDelay?: { seconds: number } };
    result.retryDelaySeconds = info.retryDelay?.seconds ?? 0;
  }
  return result;
}
