/**
 * OTLP/HTTP (OTLP spec, "OTLP/HTTP") as an express Router: `POST /v1/traces` decoded into
 * SpanRecords for the pipeline, `POST /v1/metrics` and `/v1/logs` handed to the forward callback
 * as they came. Binary protobuf and JSON on the same paths, chosen by Content-Type; every answer
 * in the request's encoding. Mount it before any body-parsing middleware: it reads the raw body.
 *
 * Order of checks: content type (415), credentials (401/403) before reading a byte of the body,
 * then size (400), decoding (400), and the pipeline's verdict (200 / 429 / 503).
 */
import express, { type Request, type Response, type Router } from 'express';
import { projectFor, DEFAULT_PROJECT_ID, type RequestHeaders } from './api-key-auth.js';
import { encodeStatus, statusJson } from './google-rpc-status.js';
import { failureFromPipeline, GRPC_CODE, HTTP_STATUS, ReceiverFailure } from './receiver-failure.js';
import { BodyBufferPool } from './body-buffer-pool.js';
import { readRequestBody } from './request-body.js';
import { CONTENT_TYPES, encodeTraceResponse, encodingOf, type OtlpEncoding } from './trace-codec.js';
import { exportTraces } from './trace-export.js';
import { RECEIVER_DEFAULTS, type OtlpReceiverOptions, type OtlpSignal, type ReceiverEvent } from './types.js';

export function createOtlpHttpRouter(options: OtlpReceiverOptions): Router {
  const authenticate = options.authenticate ?? (() => DEFAULT_PROJECT_ID);
  const maxBodyBytes = options.maxBodyBytes ?? RECEIVER_DEFAULTS.maxBodyBytes;
  const router = express.Router();
  const bodies = new BodyBufferPool();

  const handle = (signal: OtlpSignal) => async (req: Request, res: Response): Promise<void> => {
    const event: ReceiverEvent = { transport: 'http', signal, acceptedSpans: 0, rejectedSpans: 0, sanitizedSpans: 0 };
    const encoding = encodingOf(req.headers['content-type']);
    let body: Buffer | undefined;
    try {
      if (!encoding) {
        throw new ReceiverFailure('unsupported_media_type', `Content-Type ${req.headers['content-type'] ?? '(none)'} is not supported: send application/x-protobuf or application/json`);
      }
      const projectId = projectFor(authenticate, req.headers as RequestHeaders);
      event.projectId = projectId;
      body = await readRequestBody(req, maxBodyBytes, bodies);
      if (signal === 'traces') {
        const result = await exportTraces(options.consumer, body, encoding, projectId, options.decoder, options.journal);
        event.acceptedSpans = result.acceptedSpans;
        event.rejectedSpans = result.rejectedSpans;
        event.sanitizedSpans = result.sanitizedSpans;
        send(res, 200, encoding, encodeTraceResponse(encoding, result.rejectedSpans, result.errorMessage));
      } else {
        if (options.forward) {
          try {
            await options.forward(signal, body, CONTENT_TYPES[encoding], projectId);
          } catch (err) {
            throw failureFromPipeline(err);
          }
        }
        // Export{Metrics,Logs}ServiceResponse with nothing set: empty in protobuf, {} in JSON.
        send(res, 200, encoding, encoding === 'json' ? Buffer.from('{}') : new Uint8Array(0));
      }
    } catch (err) {
      const failure = err instanceof ReceiverFailure ? err : new ReceiverFailure('internal', `receiver error: ${(err as Error).message}`, undefined, { cause: err });
      event.failure = failure.kind;
      sendFailure(res, failure, encoding ?? 'json');
    } finally {
      // Answered: decoded (strings copied out), in the pipeline, in the write-ahead log, forwarded.
      if (body) bodies.giveBack(body);
      options.onRequest?.(event);
    }
  };

  for (const signal of ['traces', 'metrics', 'logs'] as const) {
    router.post(`/v1/${signal}`, handle(signal));
    router.all(`/v1/${signal}`, (_req, res) => {
      res.setHeader('Allow', 'POST');
      sendFailure(res, new ReceiverFailure('bad_data', 'OTLP/HTTP accepts POST only'), 'json', 405);
    });
  }
  return router;
}

function send(res: Response, status: number, encoding: OtlpEncoding, body: Uint8Array): void {
  res.status(status).setHeader('Content-Type', CONTENT_TYPES[encoding]);
  res.end(body);
}

/**
 * A google.rpc.Status body in the request's encoding (JSON when the request's own content type
 * was not understood). A body left unread (refused before reading, or too large) ends the
 * connection, so the client's next request does not start in the middle of it.
 */
function sendFailure(res: Response, failure: ReceiverFailure, encoding: OtlpEncoding, status = HTTP_STATUS[failure.kind]): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const rpcStatus = { code: GRPC_CODE[failure.kind], message: failure.message };
  if (failure.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.max(0, Math.ceil(failure.retryAfterSeconds))));
  if (!res.req.complete) res.setHeader('Connection', 'close');
  send(res, status, encoding, encoding === 'json' ? Buffer.from(statusJson(rpcStatus)) : encodeStatus(rpcStatus));
}
