/**
 * OTLP/gRPC (OTLP spec, "OTLP/gRPC") on @grpc/grpc-js, 4317 by default: TraceService/Export
 * decoded into SpanRecords for the pipeline; MetricsService/Export and LogsService/Export handed
 * to the forward callback as received. Credentials come from the `authorization` / `x-api-key`
 * metadata.
 *
 * grpc-js itself accepts `grpc-encoding: gzip` (and deflate) and enforces
 * `grpc.max_receive_message_length` on the decompressed message, answering RESOURCE_EXHAUSTED,
 * which without RetryInfo clients do not retry. Backpressure is UNAVAILABLE with a RetryInfo in
 * `grpc-status-details-bin` ("OTLP/gRPC Throttling": the server "MUST return ... Unavailable").
 */
import { Metadata, Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { Lifecycle } from '@tokentrace/processors';
import { DEFAULT_PROJECT_ID, projectFor, type RequestHeaders } from './api-key-auth.js';
import { encodeStatus } from './google-rpc-status.js';
import { logsServiceDefinition, metricsServiceDefinition, traceServiceDefinition } from './otlp-grpc-services.js';
import { failureFromPipeline, GRPC_CODE, ReceiverFailure } from './receiver-failure.js';
import { encodeTraceResponse } from './trace-codec.js';
import { exportTraces } from './trace-export.js';
import { RECEIVER_DEFAULTS, type OtlpReceiverOptions, type ReceiverEvent } from './types.js';

export interface OtlpGrpcReceiverOptions extends OtlpReceiverOptions {
  host?: string;
  /** 0 picks a free port; read it back from `port` after start(). */
  port?: number;
  /** How long shutdown() waits for calls in flight before cancelling them. */
  shutdownGraceMs?: number;
}

type ExportCall = ServerUnaryCall<Buffer, Uint8Array>;
type ExportCallback = sendUnaryData<Uint8Array>;

export class OtlpGrpcReceiver implements Lifecycle {
  private readonly server: Server;
  private readonly options: OtlpGrpcReceiverOptions;
  private boundPort = -1;

  constructor(options: OtlpGrpcReceiverOptions) {
    this.options = options;
    this.server = new Server({ 'grpc.max_receive_message_length': options.maxBodyBytes ?? RECEIVER_DEFAULTS.maxBodyBytes });
    this.server.addService(traceServiceDefinition, { Export: (call: ExportCall, callback: ExportCallback) => this.respond('traces', call, callback) });
    this.server.addService(metricsServiceDefinition, { Export: (call: ExportCall, callback: ExportCallback) => this.respond('metrics', call, callback) });
    this.server.addService(logsServiceDefinition, { Export: (call: ExportCall, callback: ExportCallback) => this.respond('logs', call, callback) });
  }

  async start(): Promise<void> {
    const host = this.options.host ?? RECEIVER_DEFAULTS.grpcHost;
    const port = this.options.port ?? RECEIVER_DEFAULTS.grpcPort;
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
    });
  }

  /** The port listened on (useful with port 0). */
  get port(): number {
    return this.boundPort;
  }

  /** Stops accepting, waits for calls in flight (within the grace period), then cancels the rest. */
  async shutdown(): Promise<void> {
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => this.server.forceShutdown(), this.options.shutdownGraceMs ?? 5000);
      force.unref();
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private respond(signal: ReceiverEvent['signal'], call: ExportCall, callback: ExportCallback): void {
    const event: ReceiverEvent = { transport: 'grpc', signal, acceptedSpans: 0, rejectedSpans: 0, sanitizedSpans: 0 };
    this.handle(signal, call, event).then(
      (response) => callback(null, response),
      (err: unknown) => {
        const failure = err instanceof ReceiverFailure ? err : new ReceiverFailure('internal', `receiver error: ${(err as Error).message}`, undefined, { cause: err });
        event.failure = failure.kind;
        callback(toServiceError(failure));
      },
    ).finally(() => this.options.onRequest?.(event));
  }

  private async handle(signal: ReceiverEvent['signal'], call: ExportCall, event: ReceiverEvent): Promise<Uint8Array> {
    const projectId = projectFor(this.options.authenticate ?? (() => DEFAULT_PROJECT_ID), headersOf(call.metadata));
    event.projectId = projectId;
    if (signal === 'traces') {
      const result = await exportTraces(this.options.consumer, call.request, 'protobuf', projectId, this.options.decoder, this.options.journal);
      event.acceptedSpans = result.acceptedSpans;
      event.rejectedSpans = result.rejectedSpans;
      event.sanitizedSpans = result.sanitizedSpans;
      return encodeTraceResponse('protobuf', result.rejectedSpans, result.errorMessage);
    }
    if (this.options.forward) {
      try {
        await this.options.forward(signal, call.request, 'application/x-protobuf', projectId);
      } catch (err) {
        throw failureFromPipeline(err);
      }
    }
    // Export{Metrics,Logs}ServiceResponse with nothing set encodes to zero bytes.
    return new Uint8Array(0);
  }
}

/** gRPC metadata as request headers: keys are already lower-case; binary (-bin) values are skipped. */
function headersOf(metadata: Metadata): RequestHeaders {
  const headers: RequestHeaders = {};
  for (const [key, value] of Object.entries(metadata.getMap())) if (typeof value === 'string') headers[key] = value;
  return headers;
}

function toServiceError(failure: ReceiverFailure): Partial<ServiceError> {
  const code = GRPC_CODE[failure.kind];
  const metadata = new Metadata();
  const status = { code, message: failure.message, ...(failure.retryAfterSeconds !== undefined && { retryDelaySeconds: failure.retryAfterSeconds }) };
  metadata.set('grpc-status-details-bin', Buffer.from(encodeStatus(status)));
  return { code, details: failure.message, metadata };
}
