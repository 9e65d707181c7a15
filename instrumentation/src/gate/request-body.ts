/**
 * Reads a request body whole before the gates decide (a cache key needs all of it). Only bodies
 * that can be resent as bytes are read: strings, byte arrays, async iterables of either (fetch's
 * body, Node streams). Others (FormData, Blob) are not gated.
 */

export type BodyRead = Buffer | Promise<Buffer> | undefined;

export function readRequestBody(body: unknown): BodyRead {
  if (body == null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') return collect(body as AsyncIterable<unknown>);
  return undefined;
}

async function collect(source: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    else throw new Error('request body chunk is neither a string nor bytes');
  }
  return Buffer.concat(chunks);
}

/** Request bytes written through node:http's write/end, collected until end. */
export class WrittenBody {
  private readonly chunks: Buffer[] = [];

  add(chunk: unknown, encoding: unknown): void {
    if (typeof chunk === 'string') this.chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    else if (chunk instanceof Uint8Array) this.chunks.push(Buffer.from(chunk));
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
