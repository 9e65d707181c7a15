// Request pages on the real engine (embedded ClickHouse) with the known dataset: order, keyset
// pagination (no gaps, no repeats, stable while newer spans arrive, exact with every span stored
// twice, in the single-server and the cluster way of dropping repeated versions), filters on the
// newest version of a span, cursor validation and injection attempts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilter } from './filter/index.js';
import type { RequestSummary } from './query-model.js';
import { QueryService } from './query-service.js';
import { encodeCursor } from './request-cursor.js';
import { KNOWN_EXPECTED, KNOWN_IDS, PROJECT_A, PROJECT_B } from './testing/known-dataset.js';
import { startQueryStore, type QueryStore } from './testing/query-store.js';

let store: QueryStore;
let range: { from: Date; to: Date };

beforeAll(async () => {
  store = await startQueryStore();
  range = { from: new Date(store.now - 24 * 3_600_000), to: new Date(store.now + 3_600_000) };
});

afterAll(async () => {
  await store?.stop();
});

async function allPages(limit: number, extra: { filter?: ReturnType<typeof parseFilter> } = {}, service: QueryService = store.service): Promise<{ items: RequestSummary[]; pages: number }> {
  const items: RequestSummary[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await service.listRequests({ projectId: PROJECT_A, range, limit, cursor, ...extra });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  return { items, pages };
}

const key = (r: RequestSummary) => `${r.traceId}/${r.spanId}`;
const newestFirst = (a: RequestSummary, b: RequestSummary) => (a.startTime > b.startTime ? -1 : a.startTime < b.startTime ? 1 : key(a) > key(b) ? -1 : 1);

describe('request list', () => {
  it('pages through every model call of the range, newest first, without gaps or repeats', async () => {
    const { items, pages } = await allPages(7);
    expect(items).toHaveLength(KNOWN_EXPECTED.a24h.requests);
    expect(new Set(items.map(key)).size).toBe(items.length);
    expect(pages).toBe(Math.ceil(KNOWN_EXPECTED.a24h.requests / 7));
    expect(items).toEqual([...items].sort(newestFirst));
    expect(items.every((r) => r.operation !== 'invoke_agent' && r.operation !== 'execute_tool')).toBe(true);
    const one = await store.service.listRequests({ projectId: PROJECT_A, range, limit: 500 });
    expect(one.items.map(key)).toEqual(items.map(key));
    expect(one.nextCursor).toBeNull();
  });

  it('shows a summary with nulls for what is unknown and properties as a record', async () => {
    const { items } = await store.service.listRequests({ projectId: PROJECT_A, range, limit: 2 });
    expect(items[0]).toMatchObject({ name: 'chat my-local-llama', model: 'my-local-llama', provider: 'ollama', costUsd: null, ttftMs: null, inputTokens: 800, outputTokens: 150,
      sessionId: KNOWN_IDS.researchSession, sessionName: 'research', sessionPath: '/research/summarize', serviceName: 'research-agent', properties: { feature: 'research' }, status: 'ok' });
    expect(items[1]).toMatchObject({ spanId: KNOWN_IDS.t2Spans.withContent, costUsd: 0.0135, promptId: 'summarize-v1', durationMs: 5000, ttftMs: 500 });
  });

  it('filters by model, cost (null cost never matches) and property; other projects never show', async () => {
    expect((await allPages(3, { filter: parseFilter('model = "gpt-4o-mini-2024-07-18"') })).items).toHaveLength(4);
    const costly = await store.service.listRequests({ projectId: PROJECT_A, range, filter: parseFilter('cost > 0.01') });
    expect(costly.items.map((r) => r.spanId)).toEqual([KNOWN_IDS.t2Spans.withContent, KNOWN_IDS.t1Spans.claude]);
    const cheap = await store.service.listRequests({ projectId: PROJECT_A, range, limit: 500, filter: parseFilter('cost < 0.00002') });
    expect(cheap.items.every((r) => r.costUsd !== null)).toBe(true);
    expect(cheap.items).toHaveLength(1); // erin's first call (0.00001); bob's cost 0.000045
    const chat = await store.service.listRequests({ projectId: PROJECT_A, range, filter: parseFilter('property.Feature = "chat"') });
    expect(chat.items.map((r) => r.userId)).toEqual(['bob', 'bob', 'bob']);
    const b = await store.service.listRequests({ projectId: PROJECT_B, range, limit: 500 });
    expect(b.items.map((r) => r.userId).sort()).toEqual(['alice', 'zed', 'zed']);
    const none = await store.service.listRequests({ projectId: PROJECT_A, range, filter: { user: { equals: "bob' OR '1'='1" } } });
    expect(none).toEqual({ items: [], nextCursor: null });
  });

  it('pages the same with every span stored twice, also dropping repeated versions itself as on a cluster', async () => {
    const once = await allPages(7);
    await store.insert(store.spans); // a retried batch: every span stored twice until a merge
    // `cluster: true` reads candidates without LIMIT 1 BY (a Distributed table may apply the LIMIT first) and drops repeats here.
    const asOnCluster = new QueryService({ client: store.client, database: store.database, cluster: true });
    for (const service of [store.service, asOnCluster]) {
      for (const limit of [3, 500]) {
        const { items, pages } = await allPages(limit, {}, service);
        expect(items).toEqual(once.items);
        expect(pages).toBe(Math.ceil(KNOWN_EXPECTED.a24h.requests / limit));
      }
      const cheap = await allPages(2, { filter: parseFilter('cost < 0.0001 and user = "erin"') }, service);
      expect(cheap.items.map((r) => r.costUsd)).toEqual(Array.from({ length: 9 }, (_, i) => expect.closeTo((9 - i) * 0.00001, 12)));
    }
  });

  it('keeps its place while newer spans arrive', async () => {
    const before = await store.service.listRequests({ projectId: PROJECT_A, range, limit: 500 });
    const first = await store.service.listRequests({ projectId: PROJECT_A, range, limit: 10 });
    // Copies of bob's calls, newer than anything listed.
    const newer = store.spans
      .filter((s) => s.projectId === PROJECT_A && s.traceId.startsWith('c0'))
      .map((s, i) => {
        const start = BigInt(store.now + 10 * 60_000 + i * 1000) * 1_000_000n;
        return { ...s, traceId: s.traceId.replace(/^c0/, 'cf'), spanId: s.spanId.replace(/^c0/, 'cf'), startTimeUnixNano: start, endTimeUnixNano: start + 1_000_000_000n };
      });
    expect(newer).toHaveLength(3);
    await store.insert(newer);
    const second = await store.service.listRequests({ projectId: PROJECT_A, range, limit: 10, cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map(key)).toEqual(before.items.slice(0, 20).map(key));
    const fresh = await store.service.listRequests({ projectId: PROJECT_A, range, limit: 3 });
    expect(fresh.items.map((r) => r.traceId.slice(0, 2))).toEqual(['cf', 'cf', 'cf']);
  });

  it('judges a filter on the newest version of a span only (a re-priced span moves out of "cost > 0.01")', async () => {
    const claude = store.spans.find((s) => s.projectId === PROJECT_A && s.spanId === KNOWN_IDS.t1Spans.claude)!;
    await store.insert([{ ...claude, cost: { ...claude.cost!, totalUsd: 0.001, inputUsd: 0.0005, outputUsd: 0.0005 } }]);
    const costly = await store.service.listRequests({ projectId: PROJECT_A, range, filter: parseFilter('cost > 0.01') });
    expect(costly.items.map((r) => r.spanId)).toEqual([KNOWN_IDS.t2Spans.withContent]);
    const page = await store.service.listRequests({ projectId: PROJECT_A, range, limit: 1, filter: parseFilter(`span_id = "${KNOWN_IDS.t1Spans.claude}"`) });
    expect(page.items).toEqual([expect.objectContaining({ costUsd: 0.001 })]);
    // A filter that matched only the old version: the page is filled from further candidates.
    const one = await store.service.listRequests({ projectId: PROJECT_A, range, limit: 1, filter: parseFilter('cost > 0.005') });
    expect(one.items.map((r) => r.spanId)).toEqual([KNOWN_IDS.t2Spans.withContent]);
    expect(one.nextCursor).toBeNull();
  });

  it('refuses malformed cursors and limits; a forged cursor\'s ids are parameters, never SQL', async () => {
    for (const cursor of ['not a cursor', 'eyJ2IjoyfQ', Buffer.from('{"v":1,"t":"1 OR 1=1","tr":"a","s":"b"}').toString('base64url'), 'x'.repeat(600)]) {
      await expect(store.service.listRequests({ projectId: PROJECT_A, range, cursor })).rejects.toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY', field: 'cursor' });
    }
    for (const limit of [0, 501, 1.5, -1]) {
      await expect(store.service.listRequests({ projectId: PROJECT_A, range, limit })).rejects.toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY', field: 'limit' });
    }
    const forged = encodeCursor({ startNs: String(BigInt(store.now) * 1_000_000n), traceId: "z' OR '1'='1", spanId: "\\' --" });
    const page = await store.service.listRequests({ projectId: PROJECT_A, range, limit: 500, cursor: forged });
    expect(page.items.every((r) => Date.parse(r.startTime) <= store.now)).toBe(true);
    expect(page.items.length).toBeGreaterThan(100);
  });
});
