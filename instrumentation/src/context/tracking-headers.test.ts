import { describe, expect, it } from 'vitest';
import { stripTrackingHeaders } from './tracking-headers.js';

describe('stripTrackingHeaders', () => {
  const expected = {
    userId: 'patient-7',
    sessionId: 's-1',
    sessionName: 'triage',
    sessionPath: '/intake/summary',
    promptId: 'triage-v3',
    properties: { department: 'cardiology', environment: 'prod' },
  };

  it('reads and removes Helicone and Tokentrace headers from a record, keeping the rest', () => {
    const input = {
      Authorization: 'Bearer x',
      'Helicone-User-Id': 'patient-7',
      'helicone-session-id': 's-1',
      'Helicone-Session-Name': 'triage',
      'Tokentrace-Session-Path': '/intake/summary',
      'Helicone-Prompt-Id': 'triage-v3',
      'Helicone-Property-Department': 'cardiology',
      'Tokentrace-Property-Environment': ['prod'],
      'content-type': 'application/json',
    };
    const { headers, tracking } = stripTrackingHeaders(input);
    expect(headers).toEqual({ Authorization: 'Bearer x', 'content-type': 'application/json' });
    expect(tracking).toEqual(expected);
    expect(Object.keys(input)).toHaveLength(9); // caller's object untouched
  });

  it('handles flat arrays and arrays of pairs', () => {
    const flat = stripTrackingHeaders(['x-a', '1', 'Helicone-User-Id', 'u', 'x-b', '2']);
    expect(flat.headers).toEqual(['x-a', '1', 'x-b', '2']);
    expect(flat.tracking).toEqual({ userId: 'u' });
    const pairs = stripTrackingHeaders([['Helicone-Session-Id', 's'], ['x-a', '1']]);
    expect(pairs.headers).toEqual([['x-a', '1']]);
    expect(pairs.tracking).toEqual({ sessionId: 's' });
  });

  it('returns the very same object when there is nothing to strip', () => {
    const input = { 'content-type': 'application/json', 'x-stainless-lang': 'js' };
    expect(stripTrackingHeaders(input).headers).toBe(input);
    expect(stripTrackingHeaders(input).tracking).toBeUndefined();
  });

  it('keeps the gate headers (cache, rate limit, retry) as controls, removed like the others', () => {
    const { headers, tracking } = stripTrackingHeaders({
      'Helicone-Cache-Enabled': 'true',
      'tokentrace-cache-seed': 'u1',
      'Helicone-RateLimit-Policy': '10;w=60',
      'Helicone-Retry-Num': '3',
      'Cache-Control': 'max-age=60',
    });
    expect(headers).toEqual({ 'Cache-Control': 'max-age=60' });
    expect(tracking?.controls).toEqual({ 'cache-enabled': 'true', 'cache-seed': 'u1', 'ratelimit-policy': '10;w=60', 'retry-num': '3' });
  });
});
