/** Turns the origin an HTTP client was given into the parts the endpoint registry matches on. */
import type { HeaderShape } from '../context/tracking-headers.js';
import { defaultPort, type RequestTarget } from '../providers/endpoint-registry.js';

interface Origin {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
}

// Apps talk to a handful of origins; parsing each once keeps URL parsing off the hot path.
const originCache = new Map<string, Origin | null>();
const MAX_CACHED_ORIGINS = 512;

/** The last origin looked up: an app calling one provider finds it without hashing the string. */
let lastKey: string | undefined;
let lastParsed: Origin | null = null;

export function parseOrigin(origin: string | URL): Origin | undefined {
  const key = typeof origin === 'string' ? origin : origin.origin;
  if (key === lastKey) return lastParsed ?? undefined;
  let parsed = originCache.get(key);
  if (parsed === undefined) {
    parsed = null;
    try {
      const url = typeof origin === 'string' ? new URL(origin) : origin;
      if (url.protocol === 'http:' || url.protocol === 'https:') {
        parsed = { protocol: url.protocol, hostname: stripBrackets(url.hostname), port: Number(url.port) || defaultPort(url.protocol) };
      }
    } catch {
      // not a URL we can recognise; remembered as such
    }
    if (originCache.size >= MAX_CACHED_ORIGINS) originCache.clear();
    originCache.set(key, parsed);
  }
  lastKey = key;
  lastParsed = parsed;
  return parsed ?? undefined;
}

export function requestTarget(origin: Origin, method: string | undefined, path: string, headers?: HeaderShape): RequestTarget {
  return { ...origin, method: (method ?? 'GET').toUpperCase(), path, headers };
}

function stripBrackets(hostname: string): string {
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}
