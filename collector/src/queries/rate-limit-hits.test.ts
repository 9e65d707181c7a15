/** The rate-limit statistics on the real embedded engine: counts per counter owner and policy, most limited first, the project's own only. */
import {
  ATTR_TOKENTRACE_RATE_LIMIT_DECISION,
  ATTR_TOKENTRACE_RATE_LIMIT_POLICY,
  ATTR_TOKENTRACE_RATE_LIMIT_SEGMENT,
} from '@tokentrace/semconv';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hexId, spanRecord } from './testing/known-spans.js';
import { startQueryStore, type QueryStore } from './testing/query-store.js';

let store: QueryStore;
const NOW = Date.UTC(2026, 11, 6, 12);
const POLICY = '3;w=60;u=request;s=user';

beforeAll(async () => {
  store = await startQueryStore({ now: NOW, load: false });
  let n = 0;
  const call = (project: string, user: string, decision: string | undefined, minutesAgo: number) =>
    spanRecord({
      project, traceId: hexId('a', ++n, 32), spanId: hexId('b', n, 16), name: 'chat gpt-4o-mini', startMs: NOW - minutesAgo * 60_000, durationMs: 20,
      service: 'app', environment: 'test', operation: 'chat', provider: 'openai', requestModel: 'gpt-4o-mini', user,
      ...(decision === 'limited' && { error: { type: '429', message: 'rate limited' } }),
      attributes: decision ? { [ATTR_TOKENTRACE_RATE_LIMIT_DECISION]: decision, [ATTR_TOKENTRACE_RATE_LIMIT_POLICY]: POLICY, [ATTR_TOKENTRACE_RATE_LIMIT_SEGMENT]: `user:${user}` } : {},
    });
  await store.insert([
    ...[5, 4, 3].map((m) => call('p', 'u-1', 'allowed', m)),
    call('p', 'u-1', 'limited', 2),
    call('p', 'u-1', 'limited', 1),
    call('p', 'u-2', 'allowed', 3),
    call('p', 'u-2', 'warned', 2),
    call('p', 'u-3', 'allowed', 2), // never over: not listed
    call('p', 'u-4', undefined, 2), // no limit applied
    call('other', 'u-9', 'limited', 2), // another project
  ]);
});
afterAll(() => store.stop());

it('lists who hit limits and how often, most limited first', async () => {
  const items = await store.service.rateLimitHits({ projectId: 'p', range: { from: new Date(NOW - 3_600_000), to: new Date(NOW) } });
  expect(items).toEqual([
    { segment: 'user:u-1', policy: POLICY, limited: 2, warned: 0, failedOpen: 0, checked: 5, lastLimitedAt: new Date(NOW - 60_000).toISOString() },
    { segment: 'user:u-2', policy: POLICY, limited: 0, warned: 1, failedOpen: 0, checked: 2, lastLimitedAt: '' },
  ]);
});
