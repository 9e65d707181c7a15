// What an emulator records for every request: the request exactly as received and the response
// exactly as sent (the body bytes on the wire, compressed if gzip was used), with timings, so
// tests can compare what the instrumented app received and saw against the ground truth.
import type { ResolvedReply } from './scripted-reply.js';

export interface RecordedRequest {
  method: string;
  /** Path and query, as received (`/v1/chat/completions?x=1`). */
  url: string;
  /** Path only, still percent-encoded. */
  path: string;
  query: Record<string, string>;
  /** Lowercased names, raw values; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Raw body text (gunzipped when sent with content-encoding gzip). */
  body: string;
  /** Parsed body when it was JSON. */
  json: unknown;
  /** Epoch milliseconds (fractional) when the body had been read. */
  receivedAt: number;
  /** `1.1` or `2.0`: the HTTP version the request came over. */
  httpVersion: string;
}

export interface RecordedResponse {
  status: number;
  /** Lowercased names. */
  headers: Record<string, string>;
  /** The exact body bytes written to the socket. */
  body: Buffer;
  /** The body as text after undoing content-encoding. */
  text: string;
  /** Body chunks written (SSE events, event-stream frames, JSON array elements, or 1). */
  chunks: number;
  /** Epoch milliseconds (fractional); comparable across processes on one machine. */
  headersSentAt: number | undefined;
  firstChunkAt: number | undefined;
  endedAt: number | undefined;
  /** True when the socket was destroyed (scripted failure) or the client went away early. */
  aborted: boolean;
}

export interface RecordedExchange {
  provider: string;
  /** Route name, e.g. `chat.completions`, `messages`, `generateContent`, `converse-stream`; `unknown` for 404s. */
  route: string;
  /** Whether the response was streamed. */
  stream: boolean;
  request: RecordedRequest;
  response: RecordedResponse;
  /** The reply used, undefined for requests that matched no route or failed validation. */
  reply: ResolvedReply | undefined;
  /** Settles once the response has ended or the connection closed. */
  done: Promise<void>;
}

/** Epoch milliseconds with sub-millisecond precision. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
