import { describe, expect, it } from 'vitest';
import { resendCountFromHeaders, ResendTracker, RESEND_WINDOW_MS } from './resend-count.js';

describe('resendCountFromHeaders', () => {
  it('reads x-stainless-retry-count in every header shape the HTTP clients pass', () => {
    expect(resendCountFromHeaders({ 'X-Stainless-Retry-Count': '2' })).toBe(2);
    expect(resendCountFromHeaders(['x-stainless-retry-count', '0'])).toBe(0);
    expect(resendCountFromHeaders([['x-stainless-retry-count', '1']])).toBe(1);
    expect(resendCountFromHeaders(new Map([['x-stainless-retry-count', '3']]))).toBe(3);
  });

  it('reads the AWS SDK attempt (1-based) from amz-sdk-request', () => {
    expect(resendCountFromHeaders({ 'amz-sdk-request': 'attempt=1; max=3' })).toBe(0);
    expect(resendCountFromHeaders({ 'amz-sdk-request': 'attempt=3; max=3' })).toBe(2);
    expect(resendCountFromHeaders({ 'amz-sdk-request': 'max=3; attempt=2' })).toBe(1);
  });

  it('no header, or one that is not a count: unknown', () => {
    expect(resendCountFromHeaders(undefined)).toBeUndefined();
    expect(resendCountFromHeaders({ 'content-type': 'application/json' })).toBeUndefined();
    expect(resendCountFromHeaders({ 'x-stainless-retry-count': 'two' })).toBeUndefined();
    expect(resendCountFromHeaders({ 'x-stainless-retry-count': '-1' })).toBeUndefined();
    expect(resendCountFromHeaders({ 'amz-sdk-request': 'attempt=0' })).toBeUndefined();
  });
});

describe('ResendTracker', () => {
  it('counts the same body resent under the same key after a failure, within the window and after the failure ended', () => {
    const t = new ResendTracker();
    t.recordFailure('k', '{"a":1}', 0, 1000);
    expect(t.resendCountOf('k', '{"a":1}', 999)).toBe(0); // started before the failed attempt ended
    expect(t.resendCountOf('other', '{"a":1}', 1001)).toBe(0);
    expect(t.resendCountOf('k', '{"a":2}', 1001)).toBe(0);
    expect(t.resendCountOf('k', '{"a":1}', 1000 + RESEND_WINDOW_MS + 1)).toBe(0);
    expect(t.resendCountOf('k', '{"a":1}', 1001)).toBe(1);
    expect(t.resendCountOf('k', '{"a":1}', 1002)).toBe(0); // that failure was resent already
    t.recordFailure('k', '{"a":1}', 1, 2000);
    expect(t.resendCountOf('k', '{"a":1}', 2001)).toBe(2);
  });
});
