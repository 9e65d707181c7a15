/**
 * Limit counters in Redis, shared by every process using the same server (issue 14 §2): one key
 * per (project, policy, segment value, window start), charged by a Lua script so that the
 * check-and-add is atomic across processes, and expiring with its window (PEXPIREAT). The `redis`
 * client (node-redis) is loaded only when a Redis is configured.
 *
 * Unreachable Redis: commands fail fast (no offline queue, a per-command timeout) and the limiter
 * fails open; the client keeps reconnecting in the background.
 */
import type { ChargeResult, CounterStore } from './counter-store.js';
import type { RollingBuckets } from './limit-window.js';

/** KEYS[1] counter; ARGV amount, quota, expire-at (epoch ms), force ('1'). Returns {allowed, used}. Same rule as fits(). */
const CHARGE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
if ARGV[4] == '1' or (used < tonumber(ARGV[2]) and used + amount <= tonumber(ARGV[2])) then
  used = tonumber(redis.call('INCRBYFLOAT', KEYS[1], ARGV[1]))
  redis.call('PEXPIREAT', KEYS[1], ARGV[3])
  return {1, tostring(used)}
end
return {0, tostring(used)}`;

/**
 * A rolling counter: a hash of bucket → amount. KEYS[1]; ARGV amount, quota, expire-at, force,
 * bucket, buckets. Buckets that left the window are deleted; the rest are summed.
 */
const CHARGE_ROLLING = `
local entries = redis.call('HGETALL', KEYS[1])
local oldest = tonumber(ARGV[5]) - tonumber(ARGV[6]) + 1
local used = 0
for i = 1, #entries, 2 do
  if tonumber(entries[i]) < oldest then redis.call('HDEL', KEYS[1], entries[i]) else used = used + tonumber(entries[i + 1]) end
end
local amount = tonumber(ARGV[1])
if ARGV[4] == '1' or (used < tonumber(ARGV[2]) and used + amount <= tonumber(ARGV[2])) then
  redis.call('HINCRBYFLOAT', KEYS[1], ARGV[5], ARGV[1])
  redis.call('PEXPIREAT', KEYS[1], ARGV[3])
  return {1, tostring(used + amount)}
end
return {0, tostring(used)}`;

/** KEYS[1] rolling counter; ARGV delta, expire-at, bucket. */
const ADJUST_ROLLING = `
redis.call('HINCRBYFLOAT', KEYS[1], ARGV[3], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1`;

/** KEYS[1] counter; ARGV delta, expire-at. */
const ADJUST = `
redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1`;

interface Client {
  sendCommand(args: string[]): Promise<unknown>;
  connect(): Promise<unknown>;
  destroy?(): void;
  quit?(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

let loading: Promise<typeof import('redis')> | undefined;
function loadRedis(): Promise<typeof import('redis')> {
  return (loading ??= import('redis'));
}

export class RedisCounterStore implements CounterStore {
  private client?: Promise<Client>;
  private closed = false;
  private readonly shas = new Map<string, string>();

  constructor(
    private readonly url: string,
    private readonly keyPrefix: string,
    private readonly timeoutMs: number,
  ) {}

  async charge(key: string, amount: number, quota: number, expireAt: number, force: boolean, rolling?: RollingBuckets): Promise<ChargeResult> {
    const args = [String(amount), String(quota), String(Math.ceil(expireAt)), force ? '1' : '0'];
    const reply = (await (rolling
      ? this.run(CHARGE_ROLLING, this.keyPrefix + key, [...args, String(rolling.bucket), String(rolling.buckets)])
      : this.run(CHARGE, this.keyPrefix + key, args))) as [number, string];
    return { allowed: Number(reply[0]) === 1, used: Number(reply[1]) };
  }

  async adjust(key: string, delta: number, expireAt: number, rolling?: RollingBuckets): Promise<void> {
    const args = [String(delta), String(Math.ceil(expireAt))];
    if (rolling) await this.run(ADJUST_ROLLING, this.keyPrefix + key, [...args, String(rolling.bucket)]);
    else await this.run(ADJUST, this.keyPrefix + key, args);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = await this.client?.catch(() => undefined);
    this.client = undefined;
    client?.destroy?.();
  }

  /** EVALSHA, loading the script once per connection (NOSCRIPT after a Redis restart loads it again). */
  private async run(script: string, key: string, args: string[]): Promise<unknown> {
    const client = await this.connect();
    let sha = this.shas.get(script);
    if (sha === undefined) {
      sha = String(await this.withTimeout(client.sendCommand(['SCRIPT', 'LOAD', script])));
      this.shas.set(script, sha);
    }
    try {
      return await this.withTimeout(client.sendCommand(['EVALSHA', sha, '1', key, ...args]));
    } catch (err) {
      if (!String((err as Error)?.message).includes('NOSCRIPT')) throw err;
      this.shas.delete(script);
      return this.withTimeout(client.sendCommand(['EVAL', script, '1', key, ...args]));
    }
  }

  /** Starts loading the client module (about a second on a busy machine) before the first call needs it. */
  warm(): void {
    void loadRedis().catch(() => undefined);
  }

  private connect(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error('the Redis counter store is closed'));
    this.client ??= (async () => {
      const { createClient } = await loadRedis(); // local code: not under the command timeout
      const client = createClient({
        url: this.url,
        disableOfflineQueue: true,
        socket: { connectTimeout: this.timeoutMs, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
      }) as unknown as Client;
      client.on('error', () => {}); // reported per command, as the span's fail-open reason
      try {
        await this.withTimeout(client.connect());
      } catch (err) {
        client.destroy?.();
        throw err;
      }
      return client;
    })();
    this.client.catch(() => {
      this.client = undefined; // the next call tries again
    });
    return this.client;
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      timer.unref();
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
