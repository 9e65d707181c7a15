// The response socket seen through a recorder: every body byte written is also appended to the
// RecordedResponse with first-byte and end timestamps, and gzip output is flushed per chunk so a
// compressed stream still reaches the client chunk by chunk. Over HTTP/2 a cut-off resets the
// stream (RST_STREAM INTERNAL_ERROR) instead of destroying the connection its session shares.
import { constants as http2Constants } from 'node:http2';
import { constants as zlibConstants, createGzip, type Gzip } from 'node:zlib';
import { nowMs, type RecordedResponse } from './recorded-exchange.js';
import type { EmulatorResponse } from './response-writer.js';

/** The response socket, with every body byte copied into the record. */
export class RecordingWire {
  readonly #res: EmulatorResponse;
  readonly #record: RecordedResponse;
  readonly #bytes: Buffer[] = [];

  constructor(res: EmulatorResponse, record: RecordedResponse) {
    this.#res = res;
    this.#record = record;
  }

  /** True when the response goes out over HTTP/2. */
  get http2(): boolean {
    return 'stream' in this.#res;
  }

  get closed(): boolean {
    const res = this.#res;
    return ('stream' in res ? res.stream.destroyed : res.destroyed) || res.writableEnded;
  }

  writeHead(status: number, headers: Record<string, string>): void {
    (this.#res as { writeHead(status: number, headers: Record<string, string>): unknown }).writeHead(status, headers);
    this.#record.status = status;
    this.#record.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  }

  flushHeaders(): void {
    // Http2ServerResponse has it too (sends the HEADERS frame), though @types/node omits it.
    (this.#res as { flushHeaders(): void }).flushHeaders();
    this.#record.headersSentAt = nowMs();
  }

  countChunk(): void {
    this.#record.chunks += 1;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed || bytes.length === 0) return Promise.resolve();
    this.#record.headersSentAt ??= nowMs();
    this.#record.firstChunkAt ??= nowMs();
    this.#bytes.push(Buffer.from(bytes));
    this.#record.body = Buffer.concat(this.#bytes);
    return new Promise((resolve) => (this.#res as { write(b: Uint8Array, cb: () => void): unknown }).write(bytes, () => resolve()));
  }

  end(): Promise<void> {
    if (this.#record.chunks === 0 && this.#bytes.length > 0) this.#record.chunks = 1;
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      this.#res.end(() => {
        this.#record.endedAt = nowMs();
        resolve();
      });
    });
  }

  destroy(): void {
    this.#record.aborted = true;
    this.#record.endedAt = nowMs();
    // Let already written chunks leave before the connection is torn down.
    const res = this.#res;
    setImmediate(() => {
      if ('stream' in res) res.stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
      else res.socket?.destroy();
    });
  }
}

/** gzip over a stream where each chunk is flushed (Z_SYNC_FLUSH) so it reaches the client at once. */
export class SyncFlushGzip {
  readonly #gzip: Gzip = createGzip();
  readonly #wire: RecordingWire;
  #pending: Promise<void> = Promise.resolve();

  constructor(wire: RecordingWire) {
    this.#wire = wire;
    this.#gzip.on('data', (bytes: Buffer) => {
      this.#pending = this.#pending.then(() => this.#wire.write(bytes));
    });
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.#gzip.write(chunk);
    await new Promise<void>((resolve) => this.#gzip.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()));
    // 'data' for the flushed block may be emitted on the next tick; let it queue before awaiting.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.#pending;
  }

  async end(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#gzip.once('end', () => resolve());
      this.#gzip.end();
    });
    await this.#pending;
  }
}
