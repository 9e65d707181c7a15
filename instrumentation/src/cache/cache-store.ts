/**
 * Where answers are kept. A key holds a bucket of up to `bucketMaxSize` slots (Helicone's bucket:
 * a request keeps being sent until its bucket is full, then one of the answers is returned).
 * Stores: memory-store.ts (default) and redis-store.ts (shared by processes and hosts).
 */
import type { CachedAnswer } from './cached-answer.js';

export interface CacheStore {
  readonly kind: 'memory' | 'redis';
  /** The bucket's slots 0..size-1, each its answer or undefined when free (or expired). */
  lookup(key: string, size: number): (CachedAnswer | undefined)[] | Promise<(CachedAnswer | undefined)[]>;
  /** Keeps `answer` in slot `index` for `ttlSeconds`, unless the slot was filled meanwhile. */
  store(key: string, index: number, answer: CachedAnswer, ttlSeconds: number): void | Promise<void>;
  close(): Promise<void>;
}
