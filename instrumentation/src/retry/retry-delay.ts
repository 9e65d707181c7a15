/**
 * When to send the next attempt: exponential back-off (min × factor^n, capped at max, as the
 * `retry` package Helicone uses computes it, without jitter) that respects the provider's
 * `Retry-After` (seconds or an HTTP date) and `retry-after-ms` (OpenAI, Anthropic): the wait is the
 * larger of the two. A provider asking for longer than the maximum wait is not retried: its answer
 * goes to the app, which can honour the wait itself.
 */
import type { RetryPolicy } from './retry-options.js';

/** 429 and 5xx, the statuses Helicone retries. */
export function isRetryStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** Back-off before retry number `retry` (0 for the first retry). */
export function backoffMs(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxTimeoutMs, Math.round(policy.minTimeoutMs * policy.factor ** retry));
}

/** The wait the provider asks for, in ms, or undefined when it asks none. */
export function retryAfterMs(header: (name: string) => string | undefined, now: number = Date.now()): number | undefined {
  const ms = header('retry-after-ms');
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));
  const value = header('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before retry number `retry` after an answer with `status`, or undefined when the
 * answer goes to the app: not a retry status, retries used up, or a Retry-After beyond the maximum.
 */
export function nextRetryDelay(policy: RetryPolicy, retry: number, status: number, header: (name: string) => string | undefined): number | undefined {
  if (!isRetryStatus(status) || retry >= policy.num) return undefined;
  const asked = retryAfterMs(header);
  if (asked !== undefined && asked > policy.maxTimeoutMs) return undefined;
  return Math.max(backoffMs(policy, retry), asked ?? 0);
}
