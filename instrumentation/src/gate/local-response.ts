/**
 * The response shapes request gates deal in: a LocalResponse a gate answers with (replayed to the
 * app as if it came from the network), and an ObservedResponse, what the app got. Bodies are the
 * bytes on the wire after transfer decoding (chunked framing removed, `content-encoding` kept),
 * one element per chunk as received, so that a stream is replayed as the same stream.
 */
import type { CallResult } from '../capture/llm-call.js';

export interface LocalResponse {
  status: number;
  /** Reason phrase; `OK` etc. from the status when absent. */
  statusText?: string;
  /** In order, names as received; may repeat. */
  headers: [string, string][];
  /** The body, chunk by chunk. */
  chunks: Uint8Array[];
}

export interface ObservedResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  chunks: Uint8Array[];
  /** True when the body arrived in full and the app did not abort: only then may it be reused. */
  complete: boolean;
  /** True when a gate answered (the provider was not called). */
  local: boolean;
  /** How the call ended according to its span: `errorType` set for any failure, the usage it reported. */
  call: CallResult;
}

/** The first value of a header in a header list (`name` lower case). */
export function headerValue(headers: readonly [string, string][], name: string): string | undefined {
  for (const [key, value] of headers) if (key.length === name.length && key.toLowerCase() === name) return value;
  return undefined;
}

/** Total body bytes. */
export function bodyLength(chunks: readonly Uint8Array[]): number {
  let n = 0;
  for (const c of chunks) n += c.byteLength;
  return n;
}

/** Header pairs from undici's flat raw header list (Buffers or strings). */
export function pairsFromRaw(raw: unknown): [string, string][] {
  const pairs: [string, string][] = [];
  if (!Array.isArray(raw)) return pairs;
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([latin1(raw[i]), latin1(raw[i + 1])]);
  return pairs;
}

/** Header pairs from undici 7's header object (lower-case names, arrays for repeats). */
export function pairsFromObject(headers: unknown): [string, string][] {
  const pairs: [string, string][] = [];
  if (!headers || typeof headers !== 'object') return pairs;
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (Array.isArray(value)) for (const v of value) pairs.push([name, latin1(v)]);
    else if (value !== undefined) pairs.push([name, latin1(value)]);
  }
  return pairs;
}

/** undici 7's header object from pairs. */
export function objectFromPairs(pairs: readonly [string, string][]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function latin1(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1');
  return String(value);
}
