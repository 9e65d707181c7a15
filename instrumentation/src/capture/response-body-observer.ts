/**
 * Watches a response body as it passes to the app: undoes the content encoding on a copy, then
 * either frames it as a stream (SSE or AWS event stream, event by event) or keeps a bounded copy
 * of a JSON body to parse at the end. The app's own bytes are never held back or touched.
 *
 * `synchronous` (a call on a borrowed span): the compressed bytes are kept and decoded in one go,
 * synchronously, when the body ends. The owner of a borrowed span ends it as soon as the app has
 * the body (node:http: on the 'end' event, right after the last chunk), so completion must not
 * wait for zlib's thread pool, whose answer may come after that.
 */
import type { BrotliDecompress, Gunzip, Inflate } from 'node:zlib';
import type { StreamEvent } from '../providers/types.js';
import { AwsEventStreamDecoder } from './aws-event-stream-decoder.js';
import { zlib } from './lazy-builtins.js';
import { SseDecoder } from './sse-decoder.js';

export type BodyMode = 'sse' | 'aws-event-stream' | 'ndjson' | 'json';

/** Bodies larger than this are not kept for parsing (a chat response is a few KiB). */
export const MAX_JSON_BODY_BYTES = 16 * 1024 * 1024;

export function bodyModeFor(contentType: string | undefined): BodyMode {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('text/event-stream')) return 'sse';
  if (type.includes('application/vnd.amazon.eventstream')) return 'aws-event-stream';
  if (type.includes('application/x-ndjson')) return 'ndjson'; // Ollama's native streams
  return 'json';
}

export interface ObserverOptions {
  /** Decode a compressed body synchronously at end() and flush() instead of on zlib's thread pool. */
  synchronous?: boolean;
}

export class ResponseBodyObserver {
  /**
   * A compressed body decoded as it comes: the decompressor is made on the first write (off the
   * path on which the app gets its first chunk: making one costs tens of microseconds).
   */
  private readonly streamEncoding: string | undefined;
  private decompressor: Gunzip | Inflate | BrotliDecompress | undefined;
  /** Synchronous mode: decodes the compressed bytes kept in `compressed`. */
  private readonly decodeSync: ((compressed: Buffer) => Buffer) | undefined;
  private compressed: Buffer[] | undefined;
  private compressedBytes = 0;
  private done?: Promise<void>;
  private readonly sse?: SseDecoder;
  private readonly events?: AwsEventStreamDecoder;
  private readonly lines?: NdjsonDecoder;
  /** Text streams only (SSE, NDJSON): a JSON body is decoded once, at its end. */
  private readonly textDecoder?: TextDecoder;
  /** The JSON body's chunks, kept as given until its end (the app's chunks are never written to). */
  private readonly jsonChunks: Uint8Array[] = [];
  private jsonBytes = 0;
  private overflow = false;

  constructor(
    readonly mode: BodyMode,
    contentEncoding: string | undefined,
    onEvent: (event: StreamEvent) => void,
    options: ObserverOptions = {},
  ) {
    if (mode === 'sse') this.sse = new SseDecoder(onEvent);
    if (mode === 'aws-event-stream') this.events = new AwsEventStreamDecoder(onEvent);
    if (mode === 'ndjson') this.lines = new NdjsonDecoder(onEvent);
    if (this.sse || this.lines) this.textDecoder = new TextDecoder('utf-8');
    this.decodeSync = options.synchronous ? syncDecoder(contentEncoding) : undefined;
    if (this.decodeSync) this.compressed = [];
    else if (compression(contentEncoding)) this.streamEncoding = contentEncoding;
  }

  write(chunk: Uint8Array): void {
    if (this.decodeSync) this.keepCompressed(chunk);
    else if (this.streamEncoding) this.startedDecompressor().write(chunk);
    else this.decoded(chunk);
  }

  private startedDecompressor(): Gunzip | Inflate | BrotliDecompress {
    if (this.decompressor) return this.decompressor;
    const d = createDecompressor(this.streamEncoding)!;
    d.on('data', (chunk: Buffer) => this.decoded(chunk));
    this.done = new Promise((resolve, reject) => {
      d.once('end', resolve);
      d.once('error', reject);
    });
    this.done.catch(() => undefined); // a body given up on is never end()ed; its error is no one's
    this.decompressor = d;
    return d;
  }

  /**
   * Ends decoding. Synchronous for an uncompressed body; returns a promise that resolves once the
   * decompressor has flushed otherwise.
   */
  end(): Promise<void> | undefined {
    if (!this.streamEncoding) {
      this.decodeKept();
      this.finishFraming();
      return undefined;
    }
    this.startedDecompressor().end();
    return this.done!.then(() => this.finishFraming());
  }

  /**
   * Decodes what was written so far without ending the body, so that the events in a body the app
   * let go of are all seen. Synchronous (undefined) for an uncompressed body and in synchronous
   * mode, as end() is.
   */
  flush(): Promise<void> | undefined {
    this.decodeKept();
    const d = this.decompressor;
    if (!d || d.destroyed) return undefined;
    return new Promise((resolve, reject) => {
      d.once('error', reject);
      d.flush(() => {
        d.off('error', reject);
        resolve();
      });
    });
  }

  private finishFraming(): void {
    if (this.sse) {
      this.sse.write(this.textDecoder!.decode());
      this.sse.end();
    }
    this.events?.end();
    if (this.lines) {
      this.lines.write(this.textDecoder!.decode());
      this.lines.end();
    }
  }

  /** The JSON body as text, or undefined when it was too large to keep. */
  bodyText(): string | undefined {
    if (this.overflow) return undefined;
    return utf8Text(this.jsonChunks, this.jsonBytes);
  }

  /** Stops work on a body the app abandoned; pending decoder output is dropped. */
  destroy(): void {
    this.decompressor?.destroy();
    this.compressed = undefined;
  }

  private keepCompressed(chunk: Uint8Array): void {
    if (!this.compressed) return;
    this.compressedBytes += chunk.length;
    if (this.compressedBytes > MAX_JSON_BODY_BYTES) {
      this.compressed = undefined; // too large to decode on the app's path: the body is not read
      this.overflow = true;
    } else this.compressed.push(Buffer.from(chunk));
  }

  /** Synchronous mode: decodes the kept bytes once (a body cut short decodes as far as it goes). */
  private decodeKept(): void {
    const kept = this.compressed;
    if (!this.decodeSync || !kept) return;
    this.compressed = undefined;
    if (kept.length > 0) this.decoded(this.decodeSync(Buffer.concat(kept, this.compressedBytes)));
  }

  private decoded(chunk: Uint8Array): void {
    if (this.sse) this.sse.write(this.textDecoder!.decode(chunk, STREAM));
    else if (this.events) this.events.write(chunk);
    else if (this.lines) this.lines.write(this.textDecoder!.decode(chunk, STREAM));
    else if (!this.overflow) {
      this.jsonBytes += chunk.length;
      if (this.jsonBytes > MAX_JSON_BODY_BYTES) {
        this.overflow = true;
        this.jsonChunks.length = 0;
      } else this.jsonChunks.push(chunk);
    }
  }
}

const STREAM = { stream: true } as const;

/** The chunks' bytes as UTF-8 text; a body in one chunk (the usual case) is decoded without a copy. */
export function utf8Text(chunks: readonly Uint8Array[], byteLength: number): string {
  if (chunks.length === 1) {
    const only = chunks[0];
    return Buffer.from(only.buffer, only.byteOffset, only.byteLength).toString('utf8');
  }
  return Buffer.concat(chunks, byteLength).toString('utf8');
}

/** The compression a content encoding names, if it is one tokentrace decodes. */
function compression(encoding: string | undefined): 'gzip' | 'deflate' | 'br' | undefined {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return 'gzip';
    case 'deflate':
      return 'deflate';
    case 'br':
      return 'br';
    default:
      return undefined;
  }
}

/** The synchronous decoder for a content encoding; it tolerates a body cut short (sync flush). */
function syncDecoder(encoding: string | undefined): ((compressed: Buffer) => Buffer) | undefined {
  const flush = (z: ReturnType<typeof zlib>) => ({ finishFlush: z.constants.Z_SYNC_FLUSH });
  switch (compression(encoding)) {
    case 'gzip':
      return (b) => zlib().gunzipSync(b, flush(zlib()));
    case 'deflate':
      return (b) => zlib().inflateSync(b, flush(zlib()));
    case 'br':
      return (b) => zlib().brotliDecompressSync(b, { finishFlush: zlib().constants.BROTLI_OPERATION_FLUSH });
    default:
      return undefined;
  }
}

function createDecompressor(encoding: string | undefined) {
  switch (compression(encoding)) {
    case 'gzip':
      return zlib().createGunzip();
    case 'deflate':
      return zlib().createInflate();
    case 'br':
      return zlib().createBrotliDecompress();
    default:
      return undefined;
  }
}

/** Newline-delimited JSON: one event per non-empty line. */
class NdjsonDecoder {
  private pending = '';

  constructor(private readonly onEvent: (event: StreamEvent) => void) {}

  write(text: string): void {
    const data = this.pending + text;
    let start = 0;
    for (let nl = data.indexOf('\n'); nl !== -1; nl = data.indexOf('\n', start)) {
      this.emit(data.slice(start, nl));
      start = nl + 1;
    }
    this.pending = data.slice(start);
  }

  end(): void {
    this.emit(this.pending);
    this.pending = '';
  }

  private emit(line: string): void {
    const trimmed = line.trim();
    if (trimmed) this.onEvent({ data: trimmed });
  }
}
