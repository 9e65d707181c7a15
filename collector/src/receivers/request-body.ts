/**
 * Reads an OTLP/HTTP request body within a byte limit, undoing `Content-Encoding: gzip` (OTLP
 * spec, "OTLP/HTTP Request": "The client MAY gzip the content"). The limit holds twice: on the
 * bytes received, checked against Content-Length before reading and while streaming, and on the
 * decompressed bytes, where zlib stops at `maxOutputLength`, so a small gzip bomb never inflates
 * past the limit in memory.
 */
import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { BodyBufferPool } from './body-buffer-pool.js';
import { ReceiverFailure } from './receiver-failure.js';

const gunzipAsync = promisify(gunzip);

/**
 * The body, in a buffer from `pool` when it is given (give it back to the pool once the request
 * is answered; a gzip body's raw bytes go back at once).
 */
export async function readRequestBody(req: IncomingMessage, maxBytes: number, pool?: BodyBufferPool): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip') {
    throw new ReceiverFailure('unsupported_media_type', `Content-Encoding ${encoding} is not supported: send gzip or no encoding`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(`Content-Length ${declared}`, maxBytes);

  const raw = await collect(req, maxBytes, pool);
  if (encoding === 'identity') return raw;
  try {
    return await gunzipAsync(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('the decompressed body', maxBytes);
    throw new ReceiverFailure('bad_data', `body is not valid gzip: ${(err as Error).message}`, undefined, { cause: err });
  } finally {
    pool?.giveBack(raw);
  }
}

function collect(req: IncomingMessage, maxBytes: number, pool: BodyBufferPool | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        chunks.length = 0;
        // Keep draining (and discarding) so the response can still be written; the router closes the connection.
        req.resume();
        reject(tooLarge('the body', maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      if (!pool || chunks.length === 1) {
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
        return;
      }
      const body = pool.take(size);
      let at = 0;
      for (const chunk of chunks) at += chunk.copy(body, at);
      resolve(body);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new ReceiverFailure('bad_data', `body could not be read: ${err.message}`, undefined, { cause: err }));
    };
    const onAborted = (): void => onError(new Error('the client closed the request'));
    function cleanup(): void {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

function tooLarge(what: string, maxBytes: number): ReceiverFailure {
  return new ReceiverFailure('too_large', `${what} exceeds the limit of ${maxBytes} bytes`);
}
