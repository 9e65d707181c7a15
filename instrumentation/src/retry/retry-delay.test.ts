import { describe, expect, it } from 'vitest';
import { backoffMs, nextRetryDelay, retryAfterMs } from './retry-delay.js';
import { HELICONE_RETRY_DEFAULTS, retryPolicyOf } from './retry-options.js';
import { stripTrackingHeaders } from '../context/tracking-headers.js';

const none = () => undefined;
const headers = (h: Record<string, string>) => (name: string) => h[name];

describe('retry delays', () => {
  it("Helicone's defaults wait 1 s, 2 s, 4 s, 8 s, 10 s", () => {
    expect([0, 1, 2, 3, 4].map((n) => backoffMs(HELICONE_RETRY_DEFAULTS, n))).toEqual([1000, 2000, 4000, 8000, 10000]);
  });

  it('Retry-After in seconds, as a date, and retry-after-ms; the wait is the larger of back-off and Retry-After', () => {
    expect(retryAfterMs(headers({ 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMs(headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs(headers({ 'retry-after': new Date(10_000).toUTCString() }), 4000)).toBe(6000);
    expect(nextRetryDelay(HELICONE_RETRY_DEFAULTS, 0, 503, headers({ 'retry-after': '3' }))).toBe(3000);
    expect(nextRetryDelay(HELICONE_RETRY_DEFAULTS, 2, 503, headers({ 'retry-after': '3' }))).toBe(4000);
  });

  it('no retry for other statuses, once retries are used up, or when Retry-After exceeds the maximum wait', () => {
    expect(nextRetryDelay(HELICONE_RETRY_DEFAULTS, 0, 400, none)).toBeUndefined();
    expect(nextRetryDelay(HELICONE_RETRY_DEFAULTS, 5, 500, none)).toBeUndefined();
    expect(nextRetryDelay(HELICONE_RETRY_DEFAULTS, 0, 429, headers({ 'retry-after': '11' }))).toBeUndefined();
    expect(nextRetryDelay(HELICONE_RETRY_DEFAULTS, 0, 429, none)).toBe(1000);
  });
});

describe('retry headers', () => {
  it('are read (both prefixes), stripped, and enable a policy only with Retry-Enabled: true', () => {
    const { headers: kept, tracking } = stripTrackingHeaders({ 'Helicone-Retry-Enabled': 'true', 'tokentrace-retry-num': '2', 'Helicone-Retry-Factor': 'x', accept: '*/*' });
    expect(kept).toEqual({ accept: '*/*' });
    expect(tracking?.retry).toEqual({ enabled: true, num: 2 });
    expect(retryPolicyOf(undefined, tracking?.retry)).toEqual({ num: 2, factor: 2, minTimeoutMs: 1000, maxTimeoutMs: 10000 });
    expect(retryPolicyOf(undefined, { num: 3 })).toBeUndefined();
    expect(retryPolicyOf({ enabled: true }, { enabled: false })).toBeUndefined();
  });
});
