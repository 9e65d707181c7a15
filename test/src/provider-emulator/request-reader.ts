// Reads an incoming request into the RecordedRequest tests inspect: header names lowercased with
// raw values (rawHeaders, so nothing is normalised away; HTTP/2 pseudo-headers such as `:path`
// left out), the body as text, parsed JSON if any.
import { gunzipSync } from 'node:zlib';
import { nowMs, type RecordedRequest } from './recorded-exchange.js';
import type { EmulatorRequest } from './response-writer.js';

/** Consumes the request body and records the request. */
export async function readRequest(req: EmulatorRequest): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let raw = Buffer.concat(chunks);
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    if (name.startsWith(':')) continue;
    headers[name] = Object.hasOwn(headers, name) ? `${headers[name]}, ${req.rawHeaders[i + 1]}` : req.rawHeaders[i + 1];
  }
  if (/gzip/i.test(headers['content-encoding'] ?? '')) raw = gunzipSync(raw);
  const url = req.url ?? '/';
  const parsed = new URL(url, 'http://emulator.invalid');
  const body = raw.toString('utf8');
  let json: unknown;
  try {
    json = body === '' ? undefined : JSON.parse(body);
  } catch {
    json = undefined;
  }
  return {
    method: req.method ?? 'GET',
    url,
    path: url.split('?')[0],
    query: Object.fromEntries(parsed.searchParams),
    headers,
    body,
    json,
    receivedAt: nowMs(),
    httpVersion: req.httpVersion,
  };
}
