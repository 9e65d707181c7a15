/**
 * Which window a moment falls in. Fixed windows: `w` seconds aligned to the Unix epoch (so every
 * process sharing a Redis agrees on the window without talking to the others), or the UTC
 * calendar day or month; a counter lives in one window and expires with it. Rolling windows: the
 * last `seconds`, as 60 buckets of epoch-aligned time; the counter is the sum of the buckets still
 * inside the window, so it is exact to 1/60 of the window.
 */
import type { LimitWindow } from './limit-policy.js';

export interface WindowSpan {
  /** Epoch ms of the window's start: part of the counter's key (0 for a rolling window, whose counter lives on). */
  start: number;
  /** When the counter may expire; for a rolling window, a window after this charge. */
  end: number;
  /** When what was counted can next go down: the window's end, or a rolling window's next bucket. */
  resetAt: number;
  /** A rolling window: the current bucket, and how many make the window. */
  rolling?: RollingBuckets;
}

export interface RollingBuckets {
  bucket: number;
  buckets: number;
}

/** Buckets of a rolling window: the window's usage is known to 1/60 of its length. */
export const ROLLING_BUCKETS = 60;

export function windowAt(window: LimitWindow, now: number): WindowSpan {
  if (typeof window === 'object' && window.rolling) {
    const ms = window.seconds * 1000;
    const bucketMs = ms / ROLLING_BUCKETS;
    const bucket = Math.floor(now / bucketMs);
    return { start: 0, end: now + ms, resetAt: (bucket + 1) * bucketMs, rolling: { bucket, buckets: ROLLING_BUCKETS } };
  }
  const fixed = (start: number, end: number): WindowSpan => ({ start, end, resetAt: end });
  if (typeof window === 'object') {
    const ms = window.seconds * 1000;
    const start = Math.floor(now / ms) * ms;
    return fixed(start, start + ms);
  }
  const d = new Date(now);
  if (window === 'day') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return fixed(start, start + 86_400_000);
  }
  return fixed(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}
