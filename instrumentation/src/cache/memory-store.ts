/**
 * The default store: an LRU in this process, bounded in bytes (body, headers and bookkeeping of
 * each answer; `cache.maxBytes`, 64 MiB by default). A Map keeps insertion order, so re-inserting on
 * each hit makes its first entry the least recently used. Expiry is checked on read, against
 * `Date.now()` (tests move it with a fake clock).
 */
import { answerSize, type CachedAnswer } from './cached-answer.js';
import type { CacheStore } from './cache-store.js';

interface Slot {
  answer: CachedAnswer;
  expiresAt: number;
  size: number;
}

export class MemoryStore implements CacheStore {
  readonly kind = 'memory';
  private readonly slots = new Map<string, Slot>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  lookup(key: string, size: number): (CachedAnswer | undefined)[] {
    const now = Date.now();
    const out: (CachedAnswer | undefined)[] = [];
    for (let i = 0; i < size; i++) {
      const id = slotId(key, i);
      const slot = this.slots.get(id);
      if (slot && slot.expiresAt <= now) this.remove(id, slot);
      else if (slot) {
        this.slots.delete(id); // most recently used: to the end
        this.slots.set(id, slot);
      }
      out.push(slot && slot.expiresAt > now ? slot.answer : undefined);
    }
    return out;
  }

  store(key: string, index: number, answer: CachedAnswer, ttlSeconds: number): void {
    const id = slotId(key, index);
    const existing = this.slots.get(id);
    if (existing && existing.expiresAt > Date.now()) return; // filled by a concurrent miss
    if (existing) this.remove(id, existing);
    const size = answerSize(answer) + id.length;
    if (size > this.maxBytes) return;
    this.slots.set(id, { answer, expiresAt: Date.now() + ttlSeconds * 1000, size });
    this.bytes += size;
    for (const [oldId, slot] of this.slots) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(oldId, slot);
    }
  }

  /** Bytes held, for tests and the benchmark. */
  get size(): number {
    return this.bytes;
  }

  async close(): Promise<void> {
    this.slots.clear();
    this.bytes = 0;
  }

  private remove(id: string, slot: Slot): void {
    this.slots.delete(id);
    this.bytes -= slot.size;
  }
}

function slotId(key: string, index: number): string {
  return `${key}#${index}`;
}
