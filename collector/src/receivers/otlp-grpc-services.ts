/**
 * The three OTLP/gRPC services (opentelemetry/proto/collector/{trace,metrics,logs}/v1/*_service.proto:
 * `rpc Export(Export<Signal>ServiceRequest) returns (Export<Signal>ServiceResponse) {}`) as
 * grpc-js service definitions that pass message bytes through untouched. Traces are decoded in the
 * handler, where a decoding failure can be answered INVALID_ARGUMENT with its reason (a throwing
 * deserializer would surface as INTERNAL); metrics and logs are forwarded as received.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';

function exportMethod(service: string) {
  return {
    path: `/${service}/Export`,
    requestStream: false,
    responseStream: false,
    requestSerialize: (bytes: Buffer): Buffer => bytes,
    requestDeserialize: (bytes: Buffer): Buffer => bytes,
    responseSerialize: (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    responseDeserialize: (bytes: Buffer): Uint8Array => bytes,
    originalName: 'export',
  } as const;
}

export type RawExportService = ServiceDefinition<{ Export: unknown }>;

export const TRACE_SERVICE = 'opentelemetry.proto.collector.trace.v1.TraceService';
export const METRICS_SERVICE = 'opentelemetry.proto.collector.metrics.v1.MetricsService';
export const LOGS_SERVICE = 'opentelemetry.proto.collector.logs.v1.LogsService';

export const traceServiceDefinition: RawExportService = { Export: exportMethod(TRACE_SERVICE) };
export const metricsServiceDefinition: RawExportService = { Export: exportMethod(METRICS_SERVICE) };
export const logsServiceDefinition: RawExportService = { Export: exportMethod(LOGS_SERVICE) };
