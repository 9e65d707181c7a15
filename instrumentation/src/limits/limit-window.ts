/**
 * Which window a moment falls in. Fixed windows: `w` seconds aligned to the Unix epoch (so every
 * process sharing a Redis agrees on the window without talking to the others), or the UTC
 * calendar day or month. A counter lives in one window and expires with it.
 */
import type { LimitWindow } from './limit-policy.js';

export interface WindowSpan {
  /** Epoch ms of the window's start: part of the counter's key. */
  start: number;
  end: number;
}

export function windowAt(window: LimitWindow, now: number): WindowSpan {
  if (typeof window === 'object') {
    const ms = window.seconds * 1000;
    const start = Math.floor(now / ms) * ms;
    return { start, end: start + ms };
  }
  const d = new Date(now);
  if (window === 'day') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return { start, end: start + 86_400_000 };
  }
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return { start, end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}
