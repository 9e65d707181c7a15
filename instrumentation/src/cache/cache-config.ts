/**
 * The response cache's configuration, resolved once from the `cache` option and the environment
 * (options win), with Helicone's limits: a max-age of 7 days by default and at most 365 days, a
 * bucket of 1 by default and at most 20 (https://docs.helicone.ai/features/advanced-usage/caching,
 * "Cache Duration" and "Bucket Size").
 */
import { ConfigError } from '../config.js';
import type { CacheConfig, CacheOptions } from '../types.js';

export const ENV_CACHE = 'TOKENTRACE_CACHE';
export const ENV_CACHE_STORE = 'TOKENTRACE_CACHE_STORE';
export const ENV_CACHE_REDIS_URL = 'TOKENTRACE_CACHE_REDIS_URL';
export const ENV_CACHE_MAX_BYTES = 'TOKENTRACE_CACHE_MAX_BYTES';
export const ENV_CACHE_MAX_ENTRY_BYTES = 'TOKENTRACE_CACHE_MAX_ENTRY_BYTES';
export const ENV_CACHE_SHARE_ACROSS_KEYS = 'TOKENTRACE_CACHE_SHARE_ACROSS_KEYS';

/** Helicone's default max-age: 7 days. */
export const DEFAULT_MAX_AGE_S = 604_800;
/** Helicone's longest max-age: 365 days; longer ones are cut to it. */
export const MAX_MAX_AGE_S = 31_536_000;
export const DEFAULT_BUCKET_MAX_SIZE = 1;
/** Helicone's largest bucket (non-enterprise plans). */
export const MAX_BUCKET_MAX_SIZE = 20;
export const DEFAULT_MEMORY_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;

export interface ResolvedCacheConfig {
  /** Options of every call, under forCall, withContext and headers. */
  defaults: CacheOptions;
  store: 'memory' | 'redis';
  maxBytes: number;
  redisUrl?: string;
  maxEntryBytes: number;
  shareAcrossKeys: boolean;
  forCall?: CacheConfig['forCall'];
}

export function resolveCacheConfig(options: CacheConfig = {}, env: NodeJS.ProcessEnv = process.env): ResolvedCacheConfig {
  const redisUrl = options.redisUrl ?? (env[ENV_CACHE_REDIS_URL]?.trim() || undefined);
  const store = options.store ?? (env[ENV_CACHE_STORE]?.trim().toLowerCase() || (redisUrl ? 'redis' : 'memory'));
  if (store !== 'memory' && store !== 'redis') throw new ConfigError(options.store !== undefined ? 'cache.store' : ENV_CACHE_STORE, 'memory or redis', store);
  if (store === 'redis' && (!redisUrl || !/^rediss?:\/\//.test(redisUrl))) {
    throw new ConfigError(options.redisUrl !== undefined ? 'cache.redisUrl' : ENV_CACHE_REDIS_URL, 'a redis:// or rediss:// URL', redisUrl ?? '');
  }
  const defaults: CacheOptions = {
    enabled: options.enabled ?? boolEnv(env, ENV_CACHE),
    maxAge: options.maxAge,
    bucketMaxSize: options.bucketMaxSize,
    seed: options.seed,
    ignoreKeys: options.ignoreKeys,
  };
  if (defaults.maxAge !== undefined && !(Number.isInteger(defaults.maxAge) && defaults.maxAge > 0)) {
    throw new ConfigError('cache.maxAge', 'a positive number of seconds', defaults.maxAge);
  }
  const bucket = defaults.bucketMaxSize;
  if (bucket !== undefined && !(Number.isInteger(bucket) && bucket >= 1 && bucket <= MAX_BUCKET_MAX_SIZE)) {
    throw new ConfigError('cache.bucketMaxSize', `an integer from 1 to ${MAX_BUCKET_MAX_SIZE}`, bucket);
  }
  if (options.forCall !== undefined && typeof options.forCall !== 'function') throw new ConfigError('cache.forCall', 'a function', typeof options.forCall);
  return {
    defaults,
    store,
    maxBytes: positiveInt(options.maxBytes, 'cache.maxBytes', env, ENV_CACHE_MAX_BYTES) ?? DEFAULT_MEMORY_MAX_BYTES,
    redisUrl,
    maxEntryBytes: positiveInt(options.maxEntryBytes, 'cache.maxEntryBytes', env, ENV_CACHE_MAX_ENTRY_BYTES) ?? DEFAULT_MAX_ENTRY_BYTES,
    shareAcrossKeys: options.shareAcrossKeys ?? boolEnv(env, ENV_CACHE_SHARE_ACROSS_KEYS) ?? false,
    forCall: options.forCall,
  };
}

function positiveInt(option: number | undefined, key: string, env: NodeJS.ProcessEnv, envKey: string): number | undefined {
  const raw = option ?? (env[envKey]?.trim() ? Number(env[envKey]) : undefined);
  if (raw === undefined) return undefined;
  if (!Number.isInteger(raw) || raw <= 0) throw new ConfigError(option !== undefined ? key : envKey, 'a positive integer (bytes)', option ?? env[envKey]);
  return raw;
}

function boolEnv(env: NodeJS.ProcessEnv, key: string): boolean | undefined {
  const raw = env[key]?.trim().toLowerCase();
  if (!raw) return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(key, 'true or false', env[key]);
}
