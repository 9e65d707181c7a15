/**
 * The Helicone headers apps already send (and their `Tokentrace-` twins), read and removed from
 * the outgoing request so that without a proxy they become span attributes instead.
 * https://docs.helicone.ai/helicone-headers/header-directory
 */
import { readRetryHeader } from '../retry/retry-options.js';
import type { TrackingContext } from '../types.js';

const PREFIXES = ['helicone-', 'tokentrace-'];
const PROPERTY = 'property-';
/** `Helicone-RateLimit-Policy`, read by limits/. */
const RATE_LIMIT_POLICY = 'ratelimit-policy';
const FIELDS: Record<string, 'userId' | 'sessionId' | 'sessionName' | 'sessionPath' | 'promptId'> = {
  'user-id': 'userId',
  'session-id': 'sessionId',
  'session-name': 'sessionName',
  'session-path': 'sessionPath',
  'prompt-id': 'promptId',
};

/**
 * The Helicone headers that configure request gates (`Helicone-Cache-Enabled`,
 * `Helicone-RateLimit-Policy`, `Helicone-Retry-Num`, ...): removed like the others and kept,
 * without prefix and lower-cased (`cache-enabled`), for the gates (src/gate/).
 */
const GATE_HEADER_PREFIXES = ['cache-', 'ratelimit-', 'retry-'];

/** What the headers carry: tracking values, and the gate headers. */
export interface HeaderTracking extends TrackingContext {
  controls?: Record<string, string>;
}

/** Header names look like `Helicone-User-Id`; only the first 10 characters can start a match. */
export function isTrackingHeader(name: string): boolean {
  const c = name.charCodeAt(0) | 0x20; // lower-case first letter
  if (c !== 0x68 /* h */ && c !== 0x74 /* t */) return false;
  const lower = name.toLowerCase();
  return PREFIXES.some((p) => lower.startsWith(p));
}

/** Adds one tracking header to `into`. Unknown `Helicone-*` headers (e.g. Helicone-Auth) are dropped too, but read as nothing. */
export function readTrackingHeader(name: string, value: unknown, into: HeaderTracking): void {
  const lower = name.toLowerCase();
  const prefix = PREFIXES.find((p) => lower.startsWith(p));
  if (!prefix) return;
  const text = headerValueToString(value);
  if (text === undefined) return;
  const rest = lower.slice(prefix.length);
  if (rest.startsWith(PROPERTY)) {
    // Header names are case-insensitive and many SDKs lower-case them, so property names are
    // normalized to lower case (as Helicone does): `Helicone-Property-Feature` → `feature`.
    const propName = rest.slice(PROPERTY.length);
    if (propName) (into.properties ??= {})[propName] = text;
    return;
  }
  const field = FIELDS[rest];
  if (field) into[field] = text;
  else if (GATE_HEADER_PREFIXES.some((p) => rest.startsWith(p))) {
    (into.controls ??= {})[rest] = text;
    // Read here too, so that headers and withContext merge alike (limits/, retry/).
    if (rest === RATE_LIMIT_POLICY) into.rateLimitPolicies = [text];
    else readRetryHeader(rest, text, into);
  }
}

function headerValueToString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  return undefined;
}

export type HeaderShape =
  | Record<string, unknown>
  | unknown[] // flat [name, value, ...] or [[name, value], ...]
  | Iterable<[string, unknown]>
  | null
  | undefined;

export interface StrippedHeaders<H> {
  /** Headers without the tracking ones; the same object when there were none. */
  headers: H;
  tracking?: HeaderTracking;
}

/**
 * Removes tracking headers from any header shape that undici and node:http accept, without
 * mutating the caller's object. Returns the input itself when there is nothing to strip.
 */
export function stripTrackingHeaders<H extends HeaderShape>(headers: H): StrippedHeaders<H> {
  if (headers == null) return { headers };
  if (Array.isArray(headers)) return stripArray(headers) as StrippedHeaders<H>;
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return stripArray([...(headers as Iterable<[string, unknown]>)]) as unknown as StrippedHeaders<H>;
  }
  const record = headers as Record<string, unknown>;
  let found: HeaderTracking | undefined;
  for (const name in record) {
    if (isTrackingHeader(name)) readTrackingHeader(name, record[name], (found ??= {}));
  }
  if (!found) return { headers };
  const kept: Record<string, unknown> = {};
  for (const name in record) if (!isTrackingHeader(name)) kept[name] = record[name];
  return { headers: kept as H, tracking: found };
}

function stripArray(headers: unknown[]): StrippedHeaders<unknown[]> {
  const pairs = headers.length > 0 && Array.isArray(headers[0]);
  let found: HeaderTracking | undefined;
  const kept: unknown[] = [];
  if (pairs) {
    for (const pair of headers as [unknown, unknown][]) {
      const name = headerName(pair[0]);
      if (isTrackingHeader(name)) readTrackingHeader(name, pair[1], (found ??= {}));
      else kept.push(pair);
    }
  } else {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headerName(headers[i]);
      if (isTrackingHeader(name)) readTrackingHeader(name, headers[i + 1], (found ??= {}));
      else kept.push(headers[i], headers[i + 1]);
    }
  }
  return found ? { headers: kept, tracking: found } : { headers };
}

function headerName(name: unknown): string {
  return typeof name === 'string' ? name : name instanceof Uint8Array ? Buffer.from(name).toString('latin1') : String(name);
}
