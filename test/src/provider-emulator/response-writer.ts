// Puts a planned response on the wire with the scripted timing and failures: headers first
// (flushed at once for streams, so time-to-first-chunk is measured against firstChunkDelayMs),
// then each chunk, optionally gzip-compressed, optionally cut off by destroying the socket.
// Every byte written is copied into the RecordedResponse.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { setTimeout as sleep } from 'node:timers/promises';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { RecordingWire, SyncFlushGzip } from './recording-wire.js';
import type { RecordedResponse } from './recorded-exchange.js';

/** An HTTP/1.1 request, or an HTTP/2 one through node:http2's compatibility API. */
export type EmulatorRequest = IncomingMessage | Http2ServerRequest;
export type EmulatorResponse = ServerResponse | Http2ServerResponse;

export interface JsonPlan {
  kind: 'json';
  status: number;
  headers?: Record<string, string>;
  body: unknown;
  /** Sent verbatim instead of the JSON of `body` (with the content-type in `headers`). */
  raw?: string;
}

export interface StreamPlan {
  kind: 'stream';
  status: number;
  headers?: Record<string, string>;
  contentType: string;
  /** Each element is written separately, with chunkDelayMs between them. */
  chunks: ReadonlyArray<string | Uint8Array>;
}

export type PlannedResponse = JsonPlan | StreamPlan;

export interface DeliveryOptions {
  firstChunkDelayMs: number;
  chunkDelayMs: number;
  failAfterChunks: number | undefined;
  /** Already combined with the request's accept-encoding. */
  gzip: boolean;
}

/** Writes the plan to `res`, recording into `record`; resolves when done or aborted. */
export async function deliver(res: EmulatorResponse, plan: PlannedResponse, options: DeliveryOptions,
  record: RecordedResponse): Promise<void> {
  const wire = new RecordingWire(res, record);
  try {
    if (plan.kind === 'json') await deliverJson(wire, plan, options);
    else await deliverStream(wire, plan, options);
  } finally {
    record.text = decodeBody(record);
  }
}

async function deliverJson(wire: RecordingWire, plan: JsonPlan, options: DeliveryOptions): Promise<void> {
  // A non-streamed reply arrives all at once, after the model "thought" for firstChunkDelayMs.
  if (options.firstChunkDelayMs > 0) await sleep(options.firstChunkDelayMs);
  if (wire.closed) return;
  let body: Buffer = Buffer.from(plan.raw ?? JSON.stringify(plan.body));
  const headers: Record<string, string> = { 'content-type': 'application/json', ...plan.headers };
  if (options.gzip) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = String(body.length);
  if (options.failAfterChunks === 0) return wire.destroy();
  wire.writeHead(plan.status, headers);
  if (options.failAfterChunks !== undefined) {
    // Cut the body in half: the client sees headers and a truncated body.
    await wire.write(body.subarray(0, Math.floor(body.length / 2)));
    return wire.destroy();
  }
  await wire.write(body);
  await wire.end();
}

async function deliverStream(wire: RecordingWire, plan: StreamPlan, options: DeliveryOptions): Promise<void> {
  const headers: Record<string, string> = {
    'content-type': plan.contentType,
    'cache-control': 'no-cache',
    // A connection-specific header, forbidden in HTTP/2 (RFC 9113 §8.2.2).
    ...(wire.http2 ? {} : { connection: 'keep-alive' }),
    ...plan.headers,
  };
  if (options.gzip) headers['content-encoding'] = 'gzip';
  wire.writeHead(plan.status, headers);
  wire.flushHeaders();
  const gzip = options.gzip ? new SyncFlushGzip(wire) : undefined;
  for (let i = 0; i < plan.chunks.length; i++) {
    if (options.failAfterChunks === i) return wire.destroy();
    const delay = i === 0 ? options.firstChunkDelayMs : options.chunkDelayMs;
    if (delay > 0) await sleep(delay);
    if (wire.closed) return;
    const chunk = typeof plan.chunks[i] === 'string' ? Buffer.from(plan.chunks[i] as string) : plan.chunks[i] as Uint8Array;
    if (gzip) await gzip.write(chunk);
    else await wire.write(chunk);
    wire.countChunk();
  }
  if (options.failAfterChunks !== undefined && options.failAfterChunks >= plan.chunks.length) return wire.destroy();
  if (gzip) await gzip.end();
  await wire.end();
}

function decodeBody(record: RecordedResponse): string {
  if (record.headers['content-encoding'] !== 'gzip') return record.body.toString('utf8');
  try {
    return gunzipSync(record.body, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('utf8');
  } catch {
    return '';
  }
}
