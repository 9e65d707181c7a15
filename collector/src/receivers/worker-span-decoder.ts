/**
 * SpanDecoder on worker threads (config `decode.threads`, off by default). Decoding an OTLP
 * request and converting it to records is the largest CPU cost of ingest (~20 µs of ~55 µs per
 * span); on its own thread it runs beside the event loop. The records come back by structured
 * clone (~8 µs per span to rebuild on the event loop), so it only pays where cores are idle: on
 * the 2 shared cores of bench:collector it was slower than decoding inline. Each body is copied into a fresh buffer and transferred (the caller's buffer may be a
 * slice of a pool); records come back by structured clone.
 *
 * A worker that dies fails the requests it held with a retryable error (503 / UNAVAILABLE, so
 * the SDK sends them again) and is replaced.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ReceiverFailure } from './receiver-failure.js';
import type { SpanDecoder } from './span-decoder.js';
import { DEFAULT_SPAN_LIMITS, type SpanLimits } from './span-limits.js';
import type { SpanConversion } from './span-records.js';
import { OtlpDecodeError, type OtlpEncoding } from './trace-codec.js';

export interface DecodeRequest {
  id: number;
  body: Uint8Array;
  encoding: OtlpEncoding;
  projectId: string;
}

export type DecodeReply = { id: number; conversion: SpanConversion } | { id: number; error: { decode: boolean; message: string } };

interface Pending {
  resolve: (conversion: SpanConversion) => void;
  reject: (err: Error) => void;
}

interface DecoderThread {
  worker: Worker;
  pending: Map<number, Pending>;
}

export class WorkerSpanDecoder implements SpanDecoder {
  private readonly threads: DecoderThread[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    readonly size: number = 1,
    private readonly limits: SpanLimits = DEFAULT_SPAN_LIMITS,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`WorkerSpanDecoder needs at least one thread, got ${size}`);
    for (let i = 0; i < size; i++) this.threads.push(this.spawn());
  }

  decode(body: Uint8Array, encoding: OtlpEncoding, projectId: string): Promise<SpanConversion> {
    if (this.closed) return Promise.reject(new ReceiverFailure('unavailable', 'the collector is shutting down'));
    const thread = this.leastBusy();
    const id = this.nextId++;
    const copy = new Uint8Array(body);
    return new Promise<SpanConversion>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, body: copy, encoding, projectId } satisfies DecodeRequest, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private leastBusy(): DecoderThread {
    let best = this.threads[0];
    for (const t of this.threads) if (t.pending.size < best.pending.size) best = t;
    return best;
  }

  private spawn(): DecoderThread {
    const thread: DecoderThread = { worker: new Worker(workerEntry(), { workerData: this.limits }), pending: new Map() };
    thread.worker.unref();
    thread.worker.on('message', (reply: DecodeReply) => {
      const pending = thread.pending.get(reply.id);
      if (!pending) return;
      thread.pending.delete(reply.id);
      if ('conversion' in reply) pending.resolve(reply.conversion);
      else pending.reject(reply.error.decode ? new OtlpDecodeError(reply.error.message) : new Error(reply.error.message));
    });
    const fail = (reason: string) => {
      for (const p of thread.pending.values()) p.reject(new ReceiverFailure('unavailable', `decoder thread ${reason}, retry`));
      thread.pending.clear();
      if (this.closed) return;
      const index = this.threads.indexOf(thread);
      if (index >= 0) this.threads[index] = this.spawn();
    };
    thread.worker.on('error', (err) => fail(`failed: ${err.message}`));
    thread.worker.on('exit', (code) => fail(`exited with ${code}`));
    return thread;
  }
}

/**
 * The worker's compiled entry. Under a test runner this module is loaded from src/ as
 * TypeScript; the worker still needs the built JavaScript, which `npm test` builds first.
 */
function workerEntry(): URL {
  const sibling = new URL('./span-decoder-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  return new URL('../../dist/receivers/span-decoder-worker.js', import.meta.url);
}
