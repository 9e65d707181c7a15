/**
 * The cache options of one call, from weakest to strongest: the `cache` config, its `forCall`
 * hook, `withContext({ cache })`, then the request's own headers (`Helicone-Cache-*` or
 * `Tokentrace-Cache-*`, and `Cache-Control: max-age`). Values out of Helicone's limits are brought
 * into them (a max-age over 365 days is 365 days); values that are not numbers are ignored.
 */
import type { CacheOptions, TrackingContext } from '../types.js';
import { DEFAULT_BUCKET_MAX_SIZE, DEFAULT_MAX_AGE_S, MAX_BUCKET_MAX_SIZE, MAX_MAX_AGE_S, type ResolvedCacheConfig } from './cache-config.js';

export interface CallCacheOptions {
  maxAgeSeconds: number;
  bucketMaxSize: number;
  seed: string;
  ignoreKeys: readonly string[];
}

type Controls = Readonly<Record<string, string>> | undefined;

/** Whether caching may be on for a call: the cheap test every recognised call goes through. */
export function cacheWanted(config: ResolvedCacheConfig, controls: Controls, tracking: TrackingContext | undefined): boolean {
  const header = controls?.['cache-enabled'];
  if (header !== undefined) return isTrue(header);
  if (tracking?.cache?.enabled !== undefined) return tracking.cache.enabled;
  return config.forCall !== undefined || config.defaults.enabled === true;
}

/** The call's options, or undefined when caching turns out to be off for it (forCall said so). */
export function callCacheOptions(
  config: ResolvedCacheConfig,
  controls: Controls,
  tracking: TrackingContext | undefined,
  provider: string,
  cacheControl: string | undefined,
): CallCacheOptions | undefined {
  const fromHook = config.forCall?.({ tracking, provider });
  const merged: CacheOptions = { ...config.defaults, ...defined(fromHook), ...defined(tracking?.cache), ...fromHeaders(controls, cacheControl) };
  if (!merged.enabled) return undefined;
  return {
    maxAgeSeconds: Math.min(positive(merged.maxAge) ?? DEFAULT_MAX_AGE_S, MAX_MAX_AGE_S),
    bucketMaxSize: Math.min(positive(merged.bucketMaxSize) ?? DEFAULT_BUCKET_MAX_SIZE, MAX_BUCKET_MAX_SIZE),
    seed: merged.seed ?? '',
    ignoreKeys: merged.ignoreKeys ?? [],
  };
}

function fromHeaders(controls: Controls, cacheControl: string | undefined): CacheOptions {
  const out: CacheOptions = {};
  const enabled = controls?.['cache-enabled'];
  if (enabled !== undefined) out.enabled = isTrue(enabled);
  const maxAge = cacheControl ? /(?:^|[,\s])max-age\s*=\s*"?(\d+)/i.exec(cacheControl)?.[1] : undefined;
  if (maxAge) out.maxAge = Number(maxAge);
  const bucket = controls?.['cache-bucket-max-size'];
  if (bucket !== undefined && /^\s*\d+\s*$/.test(bucket)) out.bucketMaxSize = Number(bucket);
  const seed = controls?.['cache-seed'];
  if (seed !== undefined) out.seed = seed;
  const ignore = controls?.['cache-ignore-keys'];
  if (ignore !== undefined) out.ignoreKeys = parseKeyList(ignore);
  return out;
}

/** `request_id,timestamp`, also written as a JSON array: `["request_id", "timestamp"]`. */
export function parseKeyList(value: string): string[] {
  return value
    .replace(/^\s*\[|\]\s*$/g, '')
    .split(',')
    .map((k) => k.trim().replace(/^["']|["']$/g, ''))
    .filter(Boolean);
}

function isTrue(value: string): boolean {
  return value.trim().toLowerCase() === 'true';
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) && n >= 1 ? Math.floor(n) : undefined;
}

function defined(options: CacheOptions | undefined): CacheOptions {
  const out: Record<string, unknown> = {};
  if (options) for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out as CacheOptions;
}
