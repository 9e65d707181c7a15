/**
 * Request bodies made replayable for retries: read in full once, then sent again as they were.
 * Only done when retries are enabled for the call; otherwise bodies stream as they always did.
 */

export type ReplayableBody = string | Uint8Array | null;

/** Whether a body can be buffered: absent, bytes, text, or an async iterable of those (fetch's body, a Node stream). */
export function canReplay(body: unknown): boolean {
  if (body == null || typeof body === 'string' || body instanceof Uint8Array) return true;
  return typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

export async function bufferBody(body: unknown): Promise<ReplayableBody> {
  if (body == null) return null;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<unknown>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}
