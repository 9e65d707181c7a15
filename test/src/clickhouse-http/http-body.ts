/**
 * Request and response bodies: the whole request body is read before anything runs (a connection
 * lost half-way leaves nothing executed), undoing `Content-Encoding`; the response is compressed
 * when the request enables `enable_http_compression` and accepts a codec, preferring them in
 * ClickHouse's order (src/IO/CompressionMethod.cpp, chooseHTTPCompressionMethod).
 */
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { exceptions } from './clickhouse-exception.js';

export type HttpCodec = 'zstd' | 'br' | 'gzip' | 'deflate';

/** ClickHouse's preference when the client accepts several. */
const RESPONSE_PREFERENCE: readonly HttpCodec[] = ['zstd', 'br', 'gzip', 'deflate'];
/** Codecs ClickHouse reads that Node has no decoder for. */
const UNSUPPORTED = new Set(['xz', 'lz4', 'bz2', 'snappy']);

const decoders: Record<HttpCodec, (b: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
  zstd: promisify(zlib.zstdDecompress),
};

/**
 * The whole body of `req`, or undefined when the connection ended before the body did.
 * `onBytes` sees each chunk's size as it arrives.
 */
export function readBody(req: IncomingMessage, onBytes: (bytes: number) => void): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (body: Buffer | undefined) => {
      if (settled) return;
      settled = true;
      resolve(body);
    };
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      onBytes(chunk.length);
    });
    req.on('end', () => settle(Buffer.concat(chunks)));
    req.on('error', () => settle(undefined));
    req.on('close', () => settle(req.complete && req.readableEnded ? Buffer.concat(chunks) : undefined));
  });
}

/** `body` with its `Content-Encoding` undone. */
export async function decodeBody(body: Buffer, contentEncoding: string | undefined): Promise<Buffer> {
  const codec = (contentEncoding ?? '').trim().toLowerCase();
  if (codec === '' || codec === 'none' || codec === 'identity') return body;
  if (isCodec(codec)) {
    try {
      return await decoders[codec](body);
    } catch (err) {
      throw exceptions.cannotDecompress(codec, err);
    }
  }
  if (UNSUPPORTED.has(codec)) throw exceptions.notImplemented(`request bodies compressed with ${codec} are not supported (gzip, deflate, br, zstd are)`);
  throw exceptions.badArguments(`Unknown compression method '${codec}'. Only 'auto', 'none', 'gzip', 'deflate', 'br', 'xz', 'zstd', 'lz4', 'bz2', 'snappy' are supported as compression methods`);
}

/** The codec for the response: only when compression is enabled and the client accepts one. */
export function responseCodec(enabled: boolean, acceptEncoding: string | undefined): HttpCodec | undefined {
  if (!enabled || !acceptEncoding) return undefined;
  return RESPONSE_PREFERENCE.find((codec) => acceptEncoding.includes(codec));
}

/** `body` compressed with `codec`; `level` is `http_zlib_compression_level` (gzip, deflate). */
export function encodeBody(body: Buffer, codec: HttpCodec, level: number | undefined): Buffer {
  switch (codec) {
    case 'gzip': return zlib.gzipSync(body, level === undefined ? undefined : { level });
    case 'deflate': return zlib.deflateSync(body, level === undefined ? undefined : { level });
    case 'br': return zlib.brotliCompressSync(body);
    case 'zstd': return zlib.zstdCompressSync(body);
  }
}

function isCodec(name: string): name is HttpCodec {
  return (RESPONSE_PREFERENCE as readonly string[]).includes(name);
}
