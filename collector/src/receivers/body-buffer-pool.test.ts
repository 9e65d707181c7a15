// The request body pool: a buffer given back is used again; one still lent never is; bodies too
// large for the pool and buffers it did not lend are not kept.
import { describe, expect, it } from 'vitest';
import { BodyBufferPool } from './body-buffer-pool.js';

describe('BodyBufferPool', () => {
  it('lends a buffer of the size asked for again once it was given back, never while it is lent', () => {
    const pool = new BodyBufferPool();
    const first = pool.take(400_000);
    expect(first.length).toBe(400_000);
    const second = pool.take(400_000);
    expect(second.buffer).not.toBe(first.buffer);
    pool.giveBack(first);
    const third = pool.take(300_000);
    expect(third.buffer).toBe(first.buffer);
    expect(third.length).toBe(300_000);
    // Given back twice: kept once, so two takes do not get the same memory.
    pool.giveBack(third);
    pool.giveBack(third);
    expect(pool.take(10).buffer).toBe(first.buffer);
    expect(pool.take(10).buffer).not.toBe(first.buffer);
  });

  it('does not keep a body larger than it pools, nor a buffer it did not lend', () => {
    const pool = new BodyBufferPool();
    const large = pool.take(5 * 1024 * 1024);
    pool.giveBack(large);
    expect(pool.take(5 * 1024 * 1024).buffer).not.toBe(large.buffer);
    const foreign = Buffer.alloc(100_000);
    pool.giveBack(foreign);
    expect(pool.take(100_000).buffer).not.toBe(foreign.buffer);
  });
});
