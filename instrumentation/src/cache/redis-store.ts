/**
 * A store shared by processes and hosts: one Redis key per bucket slot
 * (`tokentrace:cache:<key>:<slot>`), the answer binary-encoded (cached-answer.ts), its TTL the call's
 * max-age (`SET … PX … NX`, so a slot filled by another process wins), a bucket read in one `MGET`.
 *
 * The `redis` package (node-redis) is imported only when this store is first used, so `register`
 * starts no faster or slower for apps without it. Fail open: a command fails at once while the
 * connection is down (no offline queue) or after `COMMAND_TIMEOUT_MS`, and the cache gate then
 * sends the call as if caching were off; the client reconnects in the background, and its
 * socket never keeps the app's process alive.
 */
import { diag } from '@opentelemetry/api';
import { decodeAnswer, encodeAnswer, type CachedAnswer } from './cached-answer.js';
import type { CacheStore } from './cache-store.js';

const KEY_PREFIX = 'tokentrace:cache:';
/** A lookup slower than this is given up: the call goes to the provider. */
export const COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 1000;

interface RedisLike {
  mGet(keys: string[]): Promise<(Buffer | null)[]>;
  set(key: string, value: Buffer, options: { expiration: { type: 'PX'; value: number }; condition: 'NX' }): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
}

export class RedisStore implements CacheStore {
  readonly kind = 'redis';
  private client?: Promise<RedisLike>;

  constructor(
    private readonly url: string,
    private readonly maxEntryBytes: number,
  ) {}

  async lookup(key: string, size: number): Promise<(CachedAnswer | undefined)[]> {
    const client = await this.connected();
    const keys = Array.from({ length: size }, (_, i) => `${KEY_PREFIX}${key}:${i}`);
    const values = await withTimeout(client.mGet(keys), 'MGET');
    return values.map((v) => (v ? decodeAnswer(Buffer.isBuffer(v) ? v : Buffer.from(v)) : undefined));
  }

  async store(key: string, index: number, answer: CachedAnswer, ttlSeconds: number): Promise<void> {
    const value = encodeAnswer(answer);
    if (value.length > this.maxEntryBytes) return;
    const client = await this.connected();
    await withTimeout(client.set(`${KEY_PREFIX}${key}:${index}`, value, { expiration: { type: 'PX', value: ttlSeconds * 1000 }, condition: 'NX' }), 'SET');
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await client.then(
      (c) => c.close().catch(() => c.destroy()),
      () => undefined,
    );
  }

  /** The client, connecting on first use; a failed first connection is tried again on the next call. */
  private connected(): Promise<RedisLike> {
    this.client ??= this.connect().catch((err: unknown) => {
      this.client = undefined;
      throw err;
    });
    return this.client;
  }

  private async connect(): Promise<RedisLike> {
    const { createClient, RESP_TYPES } = await import('redis');
    const client = createClient({
      url: this.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
    });
    // Without a listener an 'error' event would throw into the app.
    client.on('error', (err: unknown) => diag.debug(`tokentrace: cache redis: ${err instanceof Error ? err.message : String(err)}`));
    client.on('ready', () => client.unref());
    await withTimeout(client.connect(), 'connect', CONNECT_TIMEOUT_MS).catch((err: unknown) => {
      client.destroy();
      throw err;
    });
    client.unref();
    return client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }) as unknown as RedisLike;
  }
}

function withTimeout<T>(promise: Promise<T>, what: string, ms = COMMAND_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis ${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
