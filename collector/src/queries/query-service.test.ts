// The query engine on the real engine (the embedded ClickHouse 26.7 of this process) holding the
// known dataset, loaded through the real exporter: exact totals, percentiles within tolerance,
// tree shapes and rolled-up totals, project isolation, null handling, details as stored (maps of
// strings, Nested events), and hostile strings through every string input, stored data included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilter } from './filter/index.js';
import type { TreeNode } from './query-model.js';
import { HOSTILE_STRINGS } from './testing/hostile-strings.js';
import { KNOWN_CONTENT, KNOWN_EXPECTED, KNOWN_IDS, PROJECT_A, PROJECT_B } from './testing/known-dataset.js';
import { hexId, spanRecord } from './testing/known-spans.js';
import { startQueryStore, type QueryStore } from './testing/query-store.js';

let store: QueryStore;
let last24h: { from: Date; to: Date };
let last7d: { from: Date; to: Date };

beforeAll(async () => {
  store = await startQueryStore();
  last24h = { from: new Date(store.now - 24 * 3_600_000), to: new Date(store.now + 1) };
  last7d = { from: new Date(store.now - 7 * 24 * 3_600_000), to: new Date(store.now + 1) };
});

afterAll(async () => {
  await store?.stop();
});

const shape = (node: TreeNode): unknown => (node.children.length ? { [`${node.kind}:${node.name}`]: node.children.map(shape) } : `${node.kind}:${node.name}`);
const within = (actual: number | null, expected: number, relative: number) => {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(expected * relative);
};

describe('trace tree', () => {
  it('nests the agent trace by parent span, children by start time, with rolled-up totals', async () => {
    const tree = (await store.service.traceTree({ projectId: PROJECT_A, traceId: KNOWN_IDS.t1 }))!;
    expect(tree.kind).toBe('trace');
    expect(tree.traceIds).toEqual([KNOWN_IDS.t1]);
    expect(tree.roots.map(shape)).toEqual([
      { 'span:invoke_workflow research': [{ 'span:invoke_agent planner': ['span:chat gpt-4o', 'span:execute_tool web_search', 'span:chat claude-sonnet-4', 'span:chat gpt-4o-mini', 'span:chat gpt-4o-mini'] }] },
    ]);
    const t1 = KNOWN_EXPECTED.t1;
    expect(tree.totals).toMatchObject({ spans: t1.spans, modelCalls: t1.modelCalls, errors: t1.errors, inputTokens: t1.inputTokens, outputTokens: t1.outputTokens, cacheReadTokens: 100, reasoningTokens: 100 });
    expect(tree.totals.costUsd).toBeCloseTo(t1.costUsd, 12);
    expect(tree.durationMs).toBe(10_000);
    const agent = tree.roots[0].children[0];
    expect(agent.totals.spans).toBe(6);
    expect(agent.totals.costUsd).toBeCloseTo(t1.costUsd, 12);
    const [gpt4o, tool, claude, failed, retry] = agent.children;
    expect(gpt4o).toMatchObject({ model: 'gpt-4o-2024-08-06', provider: 'openai', isModelCall: true, inputTokens: 1000, outputTokens: 200, costUsd: expect.closeTo(0.0045, 12), ttftMs: 300, durationMs: 1500, status: 'ok', userId: 'alice' });
    expect(tool).toMatchObject({ isModelCall: false, costUsd: null, inputTokens: null, sessionPath: '/research/search-1', totals: { spans: 1, costUsd: 0, modelCalls: 0 } });
    expect(claude.model).toBe('claude-sonnet-4');
    expect(failed).toMatchObject({ status: 'error', errorType: 'rate_limit', statusMessage: 'Rate limit reached', costUsd: null, inputTokens: null, totals: { errors: 1, costUsd: 0 } });
    expect(retry.totals.costUsd).toBeCloseTo(0.000135, 12);
  });

  it('answers null for an unknown trace and refuses a malformed id', async () => {
    expect(await store.service.traceTree({ projectId: PROJECT_A, traceId: 'f'.repeat(32) })).toBeNull();
    await expect(store.service.traceTree({ projectId: PROJECT_A, traceId: "' OR 1=1 --" })).rejects.toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY' });
    await expect(store.service.traceTree({ projectId: PROJECT_A, traceId: `${'a'.repeat(31)}'` })).rejects.toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY' });
  });

  it('never mixes projects: project B shares trace and session ids with A but sees only its own spans', async () => {
    const b = (await store.service.traceTree({ projectId: PROJECT_B, traceId: KNOWN_IDS.t1 }))!;
    expect(b.totals).toMatchObject({ spans: 1, costUsd: 1 });
    const a = (await store.service.traceTree({ projectId: PROJECT_A, traceId: KNOWN_IDS.t1 }))!;
    expect(a.totals.spans).toBe(KNOWN_EXPECTED.t1.spans);
    expect((await store.service.sessionTree({ projectId: PROJECT_B, sessionId: KNOWN_IDS.researchSession }))!.totals.spans).toBe(1);
    expect(await store.service.traceTree({ projectId: 'proj-c', traceId: KNOWN_IDS.t1 })).toBeNull();
    expect(await store.service.traceTree({ projectId: "proj-a' OR '1'='1", traceId: KNOWN_IDS.t1 })).toBeNull();
  });

  it('keeps a filter inside the project: an `or` matching only A\'s spans finds nothing in B, in every read', async () => {
    const onlyA = parseFilter('user = "bob" or user = "erin" or property.feature = "batch" or model_call = false');
    const b = { projectId: PROJECT_B, filter: onlyA };
    expect((await store.service.analytics({ ...b, range: last7d })).totals.requests).toBe(0);
    expect((await store.service.analytics({ ...b, range: last7d, groupBy: 'property:feature', limit: 1 })).rows).toEqual([]);
    expect(await store.service.topUsers({ ...b, range: last7d })).toEqual([]);
    expect(await store.service.sessionStats({ ...b, range: last7d })).toEqual([]);
    expect(await store.service.listRequests({ ...b, range: last7d })).toEqual({ items: [], nextCursor: null });
    // The same filter in A finds bob's and erin's calls.
    expect((await store.service.analytics({ projectId: PROJECT_A, range: last24h, filter: onlyA })).totals.requests).toBe(103);
  });
});

describe('session tree', () => {
  it('makes one tree of span parents and session paths across two traces (issue 11, item 6)', async () => {
    const tree = (await store.service.sessionTree({ projectId: PROJECT_A, sessionId: KNOWN_IDS.researchSession }))!;
    expect(tree.kind).toBe('session');
    expect(tree.traceIds).toEqual([KNOWN_IDS.t1, KNOWN_IDS.t2]);
    // The sub-paths sit under the planner span their spans' parent is; T2's workflow has no parent
    // in the session, so /research/summarize groups it under /research.
    expect(tree.roots.map(shape)).toEqual([
      {
        'path:research': [
          {
            'span:invoke_workflow research': [
              {
                'span:invoke_agent planner': [
                  'span:chat gpt-4o',
                  { 'path:search-1': ['span:execute_tool web_search', 'span:chat claude-sonnet-4'] },
                  { 'path:search-2': ['span:chat gpt-4o-mini', 'span:chat gpt-4o-mini'] },
                ],
              },
            ],
          },
          { 'path:summarize': [{ 'span:invoke_workflow summarize': ['span:chat gpt-4o', 'span:chat my-local-llama'] }] },
        ],
      },
    ]);
    const expected = KNOWN_EXPECTED.researchSession;
    expect(tree.totals).toMatchObject({ spans: expected.spans, modelCalls: expected.modelCalls, errors: 1 });
    expect(tree.totals.costUsd).toBeCloseTo(expected.costUsd, 12);
    const research = tree.roots[0];
    expect(research).toMatchObject({ kind: 'path', id: '/research', sessionPath: '/research', status: 'error' });
    const planner = research.children[0].children[0];
    const search2 = planner.children.find((c) => c.id === '/research/search-2')!;
    expect(search2.totals).toMatchObject({ spans: 2, modelCalls: 2, errors: 1, inputTokens: 500 });
    expect(search2.costUsd).toBeCloseTo(0.000135, 12);
    // The planner's subtotals take its own call and both sub-paths once each: all of T1 but the workflow.
    expect(planner.totals).toMatchObject({ spans: 6, modelCalls: 4, errors: 1, inputTokens: 3500, outputTokens: 800 });
    expect(planner.totals.costUsd).toBeCloseTo(KNOWN_EXPECTED.t1.costUsd, 12);
    expect(research.totals.spans).toBe(expected.spans);
    // From T1's start to the end of T2's last span.
    expect(research.startTime).toBe(tree.startTime);
    expect(tree.durationMs).toBe(3_600_000 + 6_000);
  });

  it('puts spans without a path under one node per trace; unknown sessions are null, odd ids harmless', async () => {
    const tree = (await store.service.sessionTree({ projectId: PROJECT_A, sessionId: KNOWN_IDS.chatSession }))!;
    expect(tree.roots.map((r) => r.kind)).toEqual(['trace', 'trace', 'trace']);
    expect(tree.roots.every((r) => r.children.length === 1 && r.children[0].name === 'chat gpt-4o-mini')).toBe(true);
    expect(tree.totals.costUsd).toBeCloseTo(0.000135, 12);
    expect(await store.service.sessionTree({ projectId: PROJECT_A, sessionId: 'no-such-session' })).toBeNull();
    expect(await store.service.sessionTree({ projectId: PROJECT_A, sessionId: "s-research-1' OR '1'='1" })).toBeNull();
    expect(await store.service.sessionTree({ projectId: PROJECT_A, sessionId: 's-research-1\\' })).toBeNull();
    await expect(store.service.sessionTree({ projectId: PROJECT_A, sessionId: '' })).rejects.toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY' });
  });
});

describe('analytics', () => {
  it('totals the last 24 hours exactly: cost, requests, errors, tokens by kind', async () => {
    const { totals } = await store.service.analytics({ projectId: PROJECT_A, range: last24h });
    const e = KNOWN_EXPECTED.a24h;
    expect(totals).toMatchObject({ requests: e.requests, errors: e.errors, inputTokens: e.inputTokens, outputTokens: e.outputTokens, cacheReadTokens: e.cacheReadTokens, cacheCreationTokens: 0, reasoningTokens: e.reasoningTokens });
    expect(totals.costUsd).toBeCloseTo(e.costUsd, 12);
    expect(totals.errorRate).toBeCloseTo(e.errors / e.requests, 12);
    const week = await store.service.analytics({ projectId: PROJECT_A, range: last7d });
    expect(week.totals.requests).toBe(KNOWN_EXPECTED.a7d.requests);
    expect(week.totals.costUsd).toBeCloseTo(KNOWN_EXPECTED.a7d.costUsd, 12);
    const b = await store.service.analytics({ projectId: PROJECT_B, range: last24h });
    expect(b.totals.requests).toBe(KNOWN_EXPECTED.b24h.requests);
    expect(b.totals.costUsd).toBeCloseTo(KNOWN_EXPECTED.b24h.costUsd, 12);
  });

  it('groups by model (response model when known); an unknown model counts with cost 0', async () => {
    const { rows } = await store.service.analytics({ projectId: PROJECT_A, range: last24h, groupBy: 'model' });
    const byModel = Object.fromEntries(rows.map((r) => [r.group, { requests: r.requests, costUsd: Number(r.costUsd.toFixed(12)) }]));
    expect(byModel).toEqual(Object.fromEntries(Object.entries(KNOWN_EXPECTED.a24h.byModel).map(([m, v]) => [m, { requests: v.requests, costUsd: Number(v.costUsd.toFixed(12)) }])));
    expect(rows.map((r) => r.group).slice(0, 3)).toEqual(['gemini-2.0-flash', 'gpt-4o-2024-08-06', 'claude-sonnet-4']);
    expect(rows.find((r) => r.group === 'my-local-llama')).toMatchObject({ requests: 1, costUsd: 0, inputTokens: 800, ttftMs: { p50: null, p95: null, p99: null } });
  });

  it('sums the groups beyond the limit into (other), with unchanged totals', async () => {
    const full = await store.service.analytics({ projectId: PROJECT_A, range: last24h, groupBy: 'user' });
    const limited = await store.service.analytics({ projectId: PROJECT_A, range: last24h, groupBy: 'user', limit: 1 });
    expect(limited.rows.map((r) => r.group)).toEqual(['erin', '(other)']);
    expect(limited.rows[1].requests).toBe(9);
    expect(limited.rows[1].costUsd).toBeCloseTo(KNOWN_EXPECTED.a24h.byUser.alice + KNOWN_EXPECTED.a24h.byUser.bob, 12);
    expect(limited.totals).toEqual(full.totals);
    expect(full.rows.map((r) => r.group)).toEqual(['erin', 'alice', 'bob']);
  });

  it('computes latency and TTFT percentiles within 3 % of the exact values', async () => {
    const { rows } = await store.service.analytics({ projectId: PROJECT_A, range: last24h, groupBy: 'user' });
    const erin = rows.find((r) => r.group === 'erin')!;
    const e = KNOWN_EXPECTED.a24h;
    for (const q of ['p50', 'p95', 'p99'] as const) {
      within(erin.latencyMs[q], e.erinLatencyMs[q], 0.03);
      within(erin.ttftMs[q], e.erinTtftMs[q], 0.03);
    }
    const filtered = await store.service.analytics({ projectId: PROJECT_A, range: last24h, filter: parseFilter('user = "erin"') });
    expect(filtered.totals.requests).toBe(100);
    within(filtered.totals.latencyMs.p95, e.erinLatencyMs.p95, 0.03);
  });

  it('buckets by day and by hour; bucket rows add up to the totals', async () => {
    for (const bucket of ['day', 'hour'] as const) {
      const { rows, totals } = await store.service.analytics({ projectId: PROJECT_A, range: last7d, bucket });
      expect(totals.requests).toBe(KNOWN_EXPECTED.a7d.requests);
      expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(KNOWN_EXPECTED.a7d.requests);
      expect(rows.reduce((n, r) => n + r.costUsd, 0)).toBeCloseTo(KNOWN_EXPECTED.a7d.costUsd, 12);
      for (const r of rows) expect(r.bucket).toMatch(bucket === 'day' ? /T00:00:00\.000Z$/ : /:00:00\.000Z$/);
      expect([...rows].map((r) => r.bucket)).toEqual([...rows].map((r) => r.bucket).sort());
    }
  });

  it('groups by a custom property, whatever the case of its name, and filters', async () => {
    for (const groupBy of ['property:feature', 'property:FEATURE'] as const) {
      const { rows } = await store.service.analytics({ projectId: PROJECT_A, range: last24h, groupBy });
      expect(Object.fromEntries(rows.map((r) => [r.group, r.requests]))).toEqual({ batch: 100, research: 6, chat: 3 });
    }
    const staging = await store.service.analytics({ projectId: PROJECT_A, range: last24h, groupBy: 'environment', filter: parseFilter('provider = "openai"') });
    expect(Object.fromEntries(staging.rows.map((r) => [r.group, r.requests]))).toEqual({ production: 4, staging: 3 });
  });

  it('ranks top users by cost, over the range, within the project', async () => {
    const top = await store.service.topUsers({ projectId: PROJECT_A, range: last7d, limit: 2 });
    expect(top.map((r) => r.group)).toEqual(['erin', 'alice']);
    expect(top[1].costUsd).toBeCloseTo(KNOWN_EXPECTED.a24h.byUser.alice, 12);
    const all = await store.service.topUsers({ projectId: PROJECT_A, range: last7d });
    expect(all.map((r) => r.group)).toEqual(['erin', 'alice', 'bob', 'carol']);
    const b = await store.service.topUsers({ projectId: PROJECT_B, range: last7d });
    expect(b.map((r) => [r.group, r.costUsd])).toEqual([['zed', 1], ['alice', 1]]);
  });

  it('refuses bad input with TOKENTRACE_INVALID_QUERY; odd strings are values, never SQL', async () => {
    const bad = [
      { groupBy: 'user_id; DROP TABLE spans' },
      { groupBy: 'property:' },
      { bucket: 'week' },
      { limit: 0 },
      { limit: 2.5 },
    ];
    for (const extra of bad) {
      await expect(store.service.analytics({ projectId: PROJECT_A, range: last24h, ...(extra as object) })).rejects.toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY' });
    }
    await expect(store.service.analytics({ projectId: PROJECT_A, range: { from: last24h.to, to: last24h.from } })).rejects.toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY' });
    const odd = await store.service.analytics({ projectId: PROJECT_A, range: last24h, groupBy: "property:x') OR 1=1 --" });
    expect(odd.rows).toEqual([expect.objectContaining({ group: '', requests: KNOWN_EXPECTED.a24h.requests })]);
    const quoted = await store.service.analytics({ projectId: PROJECT_A, range: last24h, filter: { user: { equals: "alice' OR '1'='1" } } });
    expect(quoted.totals.requests).toBe(0);
    expect((await store.service.analytics({ projectId: "proj-a' OR '1'='1", range: last24h })).totals.requests).toBe(0);
  });
});

describe('session statistics', () => {
  it('averages cost per session name and names the sessions above p95', async () => {
    const stats = await store.service.sessionStats({ projectId: PROJECT_A, range: last7d });
    const byName = Object.fromEntries(stats.map((s) => [s.sessionName, s]));
    const e = KNOWN_EXPECTED.sessionNames;
    expect(Object.keys(byName).sort()).toEqual(['batch', 'chat', 'research']);
    expect(byName.research.sessions).toBe(1);
    expect(byName.research.avgCostUsd).toBeCloseTo(e.research.avgCostUsd, 12);
    expect(byName.chat.avgCostUsd).toBeCloseTo(e.chat.avgCostUsd, 12);
    expect(byName.batch).toMatchObject({ sessions: 20 });
    expect(byName.batch.avgCostUsd).toBeCloseTo(e.batch.avgCostUsd, 12);
    expect(byName.batch.maxCostUsd).toBeCloseTo(e.batch.maxCostUsd, 12);
    // Session k costs 0.00001 × (25k + 15): p50 between sessions 9 and 10, p95 between 18 and 19.
    expect(byName.batch.p50CostUsd).toBeCloseTo(0.002525, 9);
    expect(byName.batch.p95CostUsd).toBeCloseTo(0.0046625, 9);
    expect(byName.batch.outliers).toEqual([{ sessionId: 's-batch-19', costUsd: expect.closeTo(0.0049, 12), requests: 5, startTime: expect.any(String) }]);
    const b = await store.service.sessionStats({ projectId: PROJECT_B, range: last7d });
    expect(b.map((s) => [s.sessionName, s.sessions, s.avgCostUsd])).toEqual([['research', 1, 1]]);
  });
});

describe('retries (resend_count, issue 12)', () => {
  it('a retry carries its resend count in the list and the detail; the filter finds it; analytics count it', async () => {
    const { t1, t1Spans } = KNOWN_IDS;
    const range = last24h;
    const retries = await store.service.listRequests({ projectId: PROJECT_A, range, filter: parseFilter('retries > 0') });
    expect(retries.items.map((r) => [r.spanId, r.resendCount])).toEqual([[t1Spans.retry, 1]]);
    const firstAttempts = await store.service.listRequests({ projectId: PROJECT_A, range, filter: parseFilter('resend_count = 0 and trace_id = "' + t1 + '" and model_call = true') });
    expect(firstAttempts.items.map((r) => r.spanId).sort()).toEqual([t1Spans.gpt4o, t1Spans.claude, t1Spans.failed].sort());
    expect(firstAttempts.items.every((r) => r.resendCount === 0)).toBe(true);
    const detail = (await store.service.getRequest({ projectId: PROJECT_A, traceId: t1, spanId: t1Spans.retry }))!;
    expect(detail).toMatchObject({ resendCount: 1, attributes: { 'http.request.resend_count': '1' } });
    expect((await store.service.getRequest({ projectId: PROJECT_A, traceId: t1, spanId: t1Spans.failed }))!.resendCount).toBe(0);
    const { totals, rows } = await store.service.analytics({ projectId: PROJECT_A, range, groupBy: 'model' });
    expect(totals.retries).toBe(KNOWN_EXPECTED.a24h.retries);
    expect(rows.find((r) => r.group === 'gpt-4o-mini-2024-07-18')!.retries).toBe(1);
    expect(rows.filter((r) => r.group !== 'gpt-4o-mini-2024-07-18').every((r) => r.retries === 0)).toBe(true);
  });
});

describe('one request in full', () => {
  it('returns every attribute, the resource, the cost breakdown and the captured content', async () => {
    const detail = (await store.service.getRequest({ projectId: PROJECT_A, traceId: KNOWN_IDS.t2, spanId: KNOWN_IDS.t2Spans.withContent }))!;
    expect(detail).toMatchObject({ traceId: KNOWN_IDS.t2, spanId: KNOWN_IDS.t2Spans.withContent, parentSpanId: KNOWN_IDS.t2Spans.workflow, kind: 'client', model: 'gpt-4o-2024-08-06',
      requestModel: 'gpt-4o', promptId: 'summarize-v1', costStatus: 'priced', pricedModel: 'openai:gpt-4o', serviceName: 'research-agent', environment: 'production', properties: { feature: 'research' } });
    expect(detail.cost).toEqual({ inputUsd: 0.0075, outputUsd: 0.006, cacheReadUsd: 0, cacheWriteUsd: 0, totalUsd: 0.0135 });
    expect(detail.content).toEqual(KNOWN_CONTENT);
    // Attributes as stored: strings as sent, numbers as their JSON text; custom properties as sent.
    expect(detail.attributes).toMatchObject({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': '3000', 'gen_ai.usage.output_tokens': '600', 'tokentrace.property.feature': 'research' });
    expect(Object.values(detail.attributes).every((v) => typeof v === 'string')).toBe(true);
    expect(detail.resourceAttributes).toEqual({ 'service.name': 'research-agent', 'deployment.environment.name': 'production' });
    expect(detail.events).toEqual([]);
  });

  it('has events, nulls for what is unknown, and nothing across projects', async () => {
    const failed = (await store.service.getRequest({ projectId: PROJECT_A, traceId: KNOWN_IDS.t1, spanId: KNOWN_IDS.t1Spans.failed }))!;
    // The event from the Nested columns, at its time to the millisecond (stored in nanoseconds).
    expect(failed.events).toEqual([
      { name: 'exception', time: new Date(store.now - 2 * 3_600_000 + 2_300).toISOString(), attributes: { 'exception.type': 'RateLimitError', 'exception.message': 'Rate limit reached' } },
    ]);
    expect(failed).toMatchObject({ status: 'error', content: null, inputTokens: null, costUsd: null, cost: { totalUsd: null } });
    const llama = (await store.service.getRequest({ projectId: PROJECT_A, traceId: KNOWN_IDS.t2, spanId: KNOWN_IDS.t2Spans.unknownModel }))!;
    expect(llama).toMatchObject({ costStatus: 'unknown_model', costUsd: null, inputTokens: 800, ttftMs: null });
    expect(await store.service.getRequest({ projectId: PROJECT_B, traceId: KNOWN_IDS.t2, spanId: KNOWN_IDS.t2Spans.withContent })).toBeNull();
    await expect(store.service.getRequest({ projectId: PROJECT_A, traceId: KNOWN_IDS.t2, spanId: "1' OR '1'='1" })).rejects.toMatchObject({ code: 'TOKENTRACE_INVALID_QUERY' });
  });
});

describe('hostile strings stored as users, session names and ids, and property names', () => {
  // Each hostile string is a user and a session name with three sessions of one call each,
  // costing 1, 1 and 10 units (a unit grows with the string's index, so the last costs most),
  // and a custom property named after it (cut to 256 characters) holding it.
  const PROJECT_H = 'proj-hostile';
  const N = HOSTILE_STRINGS.length;
  const unit = (i: number) => (i + 1) * 0.0001;
  const sessionId = (h: string, k: number) => `${h.slice(0, 1000)}#${k}`;
  const propertyName = (h: string) => h.slice(0, 256);
  const byCost = [...HOSTILE_STRINGS].reverse();
  let odd: { traceId: string; spanId: string };

  beforeAll(async () => {
    const spans = HOSTILE_STRINGS.flatMap((h, i) =>
      [1, 1, 10].map((factor, k) =>
        spanRecord({
          project: PROJECT_H, traceId: hexId('4a', i * 3 + k, 32), spanId: hexId('4a', i * 3 + k, 16), name: 'chat gpt-4o', startMs: store.now - 3_600_000 - (i * 3 + k) * 1000,
          durationMs: 100, service: 'hostile', environment: 'test', operation: 'chat', provider: 'openai', requestModel: 'gpt-4o', user: h,
          session: { id: sessionId(h, k), name: h }, properties: { [propertyName(h)]: h }, inputTokens: 1, outputTokens: 1,
          cost: { totalUsd: unit(i) * factor, status: 'priced', pricedModel: 'openai:gpt-4o' },
        }),
      ),
    );
    // One more span whose attributes and event attributes are of every OTLP type.
    odd = { traceId: hexId('4b', 1, 32), spanId: hexId('4b', 1, 16) };
    const withTypes = spanRecord({ project: PROJECT_H, ...odd, name: 'chat typed', startMs: store.now - 7_200_000, durationMs: 100, service: 'hostile', environment: 'test', operation: 'chat', provider: 'openai', requestModel: 'gpt-4o' });
    Object.assign(withTypes.attributes, { 'app.flag': true, 'app.ratio': 0.5, 'app.big': 2n ** 63n - 1n, 'app.list': ['a', "b'c"], 'app.map': { k: [1, { x: 'y' }] }, 'app.null': null, "x' OR 1=1 --": "'); DROP TABLE spans; --" });
    withTypes.events = [{ name: "ev'\\", timeUnixNano: BigInt(store.now - 7_200_000) * 1_000_000n + 123_456n, attributes: { count: 3, ok: false, text: 'line\nbreak' } }];
    await store.insert([...spans, withTypes]);
  });

  it('groups by them, keeping the top groups by name and summing the rest into (other)', async () => {
    const range = last24h;
    const users = await store.service.analytics({ projectId: PROJECT_H, range, groupBy: 'user', limit: 3 });
    expect(users.rows.map((r) => [r.group, r.requests])).toEqual([...byCost.slice(0, 3).map((h) => [h, 3]), ['(other)', 3 * (N - 3) + 1]]); // + the typed span, without a user
    expect(users.rows[0].costUsd).toBeCloseTo(12 * unit(N - 1), 12);
    expect(users.totals.requests).toBe(3 * N + 1);
    const names = await store.service.analytics({ projectId: PROJECT_H, range, groupBy: 'session_name', limit: 1000 });
    expect(names.rows.map((r) => [r.group, r.requests])).toEqual([...byCost.map((h) => [h, 3]), ['', 1]]);
    const top = await store.service.topUsers({ projectId: PROJECT_H, range, limit: 5 });
    expect(top.map((r) => r.group)).toEqual(byCost.slice(0, 5));
  });

  it('finds each one by property name, user filter and session id', async () => {
    for (const h of HOSTILE_STRINGS) {
      const byProperty = await store.service.analytics({ projectId: PROJECT_H, range: last24h, groupBy: `property:${propertyName(h)}` });
      expect(Object.fromEntries(byProperty.rows.map((r) => [r.group, r.requests])), JSON.stringify(h).slice(0, 40)).toEqual({ [h]: 3, '': 3 * N - 2 });
      const page = await store.service.listRequests({ projectId: PROJECT_H, range: last24h, filter: { user: { equals: h } } });
      expect(page.items.map((r) => [r.userId, r.sessionName, r.properties[propertyName(h).toLowerCase()]])).toEqual([0, 1, 2].map(() => [h, h, h]));
      const tree = (await store.service.sessionTree({ projectId: PROJECT_H, sessionId: sessionId(h, 2) }))!;
      expect(tree).toMatchObject({ id: sessionId(h, 2), totals: { spans: 1, modelCalls: 1 } });
      expect(tree.totals.costUsd).toBeCloseTo(10 * unit(HOSTILE_STRINGS.indexOf(h)), 12);
    }
  });

  it('names the sessions above p95 of each hostile session name', async () => {
    const stats = await store.service.sessionStats({ projectId: PROJECT_H, range: last24h });
    expect(stats.map((s) => s.sessionName)).toEqual(byCost);
    for (const s of stats) {
      const i = HOSTILE_STRINGS.indexOf(s.sessionName);
      expect(s.sessions).toBe(3);
      expect(s.avgCostUsd).toBeCloseTo(4 * unit(i), 12);
      // p95 of (1, 1, 10) units, interpolated: 9.1 units; the 10-unit session is the outlier.
      expect(s.p95CostUsd).toBeCloseTo(9.1 * unit(i), 12);
      expect(s.outliers).toEqual([{ sessionId: sessionId(s.sessionName, 2), costUsd: expect.closeTo(10 * unit(i), 12), requests: 1, startTime: expect.any(String) }]);
    }
  });

  it('returns attributes of every type as stored strings, and events from the Nested columns', async () => {
    const detail = (await store.service.getRequest({ projectId: PROJECT_H, ...odd }))!;
    expect(detail.attributes).toMatchObject({
      'app.flag': 'true',
      'app.ratio': '0.5',
      'app.big': '9223372036854775807',
      'app.list': '["a","b\'c"]',
      'app.map': '{"k":[1,{"x":"y"}]}',
      'app.null': '',
      "x' OR 1=1 --": "'); DROP TABLE spans; --",
    });
    expect(detail.events).toEqual([{ name: "ev'\\", time: new Date(store.now - 7_200_000).toISOString(), attributes: { count: '3', ok: 'false', text: 'line\nbreak' } }]);
  });
});
