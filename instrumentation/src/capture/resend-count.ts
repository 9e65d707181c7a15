/**
 * Which attempt of a call a request is (issue 12 part 4): `http.request.resend_count`, in the
 * HTTP conventions' meaning (1 for the first retry; set only when the request was resent).
 *
 * - From the SDK's own header when it sends one: `x-stainless-retry-count` (openai,
 *   @anthropic-ai/sdk and every other Stainless-generated SDK: 0 on the first attempt, n on the
 *   n-th retry) and the AWS SDK's `amz-sdk-request: attempt=n; max=m` (1 on the first attempt).
 * - Otherwise from what tokentrace saw (ResendTracker): the same request body, to the same URL,
 *   under the same parent span, sent again after an attempt failed the way SDKs retry (a transport
 *   error, 408, 409, 429 or 5xx) and within RESEND_WINDOW_MS of its end.
 *
 * The headers are only read; the request is sent as it is.
 */
import { readRequestHeader } from '../context/request-header.js';
import type { HeaderShape } from '../context/tracking-headers.js';
import { crypto } from './lazy-builtins.js';

export const STAINLESS_RETRY_COUNT_HEADER = 'x-stainless-retry-count';
export const AWS_SDK_REQUEST_HEADER = 'amz-sdk-request';

/** The resend count an SDK's header states, or undefined when the request carries none. */
export function resendCountFromHeaders(headers: HeaderShape | undefined): number | undefined {
  if (headers == null) return undefined;
  const stainless = readRequestHeader(headers, STAINLESS_RETRY_COUNT_HEADER);
  if (stainless !== undefined) return count(stainless.trim());
  const aws = readRequestHeader(headers, AWS_SDK_REQUEST_HEADER);
  if (aws !== undefined) {
    const attempt = /(?:^|;)\s*attempt=(\d+)/.exec(aws)?.[1];
    const n = attempt === undefined ? undefined : count(attempt);
    return n === undefined || n < 1 ? undefined : n - 1;
  }
  return undefined;
}

function count(text: string): number | undefined {
  if (!/^\d{1,6}$/.test(text)) return undefined;
  return Number(text);
}

/** Statuses on which the SDKs retry (openai and @anthropic-ai/sdk `shouldRetry`; AWS SDK throttling and 5xx). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** A retry comes this soon after the failed attempt ended (SDK back-off, or a `retry-after` of up to a minute). */
export const RESEND_WINDOW_MS = 90_000;
/** Failed attempts remembered at most; the oldest is forgotten first. */
const MAX_REMEMBERED = 1024;

interface FailedAttempt {
  digest: string;
  resendCount: number;
  endedAt: number;
}

/**
 * Failed attempts waiting for their retry, by `url + parent span`. Costs nothing while no call
 * failed: the request body is hashed only for a failed attempt, or for a call that follows one
 * to the same URL under the same parent.
 */
export class ResendTracker {
  private readonly failed = new Map<string, FailedAttempt>();

  /**
   * The resend count of an attempt that started at `startedAt` (performance.now()): one more than
   * the failed attempt it repeats, else 0. A call started before that attempt ended (a parallel
   * call with the same body) is no resend of it.
   */
  resendCountOf(key: string, body: string, startedAt: number): number {
    if (this.failed.size === 0) return 0;
    const prior = this.failed.get(key);
    if (!prior || startedAt < prior.endedAt || startedAt - prior.endedAt > RESEND_WINDOW_MS) return 0;
    if (prior.digest !== digest(body)) return 0;
    this.failed.delete(key);
    return prior.resendCount + 1;
  }

  /** Remembers an attempt that failed as SDKs retry, so that its resend is counted. */
  recordFailure(key: string, body: string, resendCount: number, endedAt: number): void {
    this.failed.delete(key);
    if (this.failed.size >= MAX_REMEMBERED) this.failed.delete(this.failed.keys().next().value!);
    this.failed.set(key, { digest: digest(body), resendCount, endedAt });
  }
}

function digest(body: string): string {
  return crypto().createHash('sha256').update(body).digest('base64');
}
