/**
 * A stored answer: status, headers and body chunks exactly as the provider sent them, and when it
 * was stored. One binary encoding, used by the Redis store: a 4-byte length, a JSON head (status,
 * headers, chunk lengths, time), then the body bytes, so that no byte is re-encoded.
 */

export interface CachedAnswer {
  status: number;
  statusText: string;
  headers: [string, string][];
  chunks: Uint8Array[];
  /** Epoch ms. */
  storedAt: number;
}

interface Head {
  s: number;
  t: string;
  h: [string, string][];
  c: number[];
  at: number;
}

/** Bytes an answer takes (body, headers, bookkeeping), as the memory store counts them. */
export function answerSize(answer: CachedAnswer): number {
  let n = 64;
  for (const c of answer.chunks) n += c.byteLength + 16;
  for (const [k, v] of answer.headers) n += k.length + v.length + 16;
  return n;
}

export function encodeAnswer(answer: CachedAnswer): Buffer {
  const head: Head = { s: answer.status, t: answer.statusText, h: answer.headers, c: answer.chunks.map((c) => c.byteLength), at: answer.storedAt };
  const json = Buffer.from(JSON.stringify(head));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([length, json, ...answer.chunks]);
}

/** Undefined for bytes that are not an encoded answer (another program's key, a truncated value). */
export function decodeAnswer(bytes: Buffer): CachedAnswer | undefined {
  if (bytes.length < 4) return undefined;
  const length = bytes.readUInt32BE(0);
  if (4 + length > bytes.length) return undefined;
  let head: Head;
  try {
    head = JSON.parse(bytes.subarray(4, 4 + length).toString('utf8')) as Head;
  } catch {
    return undefined;
  }
  if (typeof head.s !== 'number' || !Array.isArray(head.h) || !Array.isArray(head.c)) return undefined;
  const chunks: Uint8Array[] = [];
  let offset = 4 + length;
  for (const n of head.c) {
    if (offset + n > bytes.length) return undefined;
    chunks.push(bytes.subarray(offset, offset + n));
    offset += n;
  }
  return { status: head.s, statusText: head.t ?? '', headers: head.h, chunks, storedAt: head.at };
}
