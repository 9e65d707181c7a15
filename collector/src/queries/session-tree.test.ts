// Session trees as one tree of span parents and session paths (issue 11, item 6: "one tree per
// session, not two"), on the embedded ClickHouse with sessions of their own, loaded through the
// real exporter: where path nodes go, and that every node's subtotals count each span once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RollupTotals, SpanTree, TreeNode } from './query-model.js';
import { hexId, spanRecord, type SpanSpec } from './testing/known-spans.js';
import { startQueryStore, type QueryStore } from './testing/query-store.js';

const PROJECT = 'proj-tree';
let store: QueryStore;

const shape = (node: TreeNode): unknown => (node.children.length ? { [`${node.kind}:${node.name}`]: node.children.map(shape) } : `${node.kind}:${node.name}`);

/** A session's spans: `[name, span, parent, path, cost]`; model calls are the `chat` ones. */
function session(id: string, trace: number, start: number, spans: Array<[string, number, number | null, string, number?]>): SpanSpec[] {
  return spans.map(([name, span, parent, path, cost], i) => ({
    project: PROJECT, service: 'tree-test', environment: 'test', traceId: hexId('7e', trace, 32), spanId: hexId('7e', span, 16),
    ...(parent === null ? {} : { parentSpanId: hexId('7e', parent, 16) }),
    name, startMs: start + i * 100, durationMs: 5_000 - i * 100, operation: name.split(' ')[0], session: { id, path },
    ...(name.startsWith('chat ')
      ? { provider: 'openai', requestModel: 'gpt-4o-mini', inputTokens: 100 * span, outputTokens: 10 * span,
          cost: { inputUsd: cost!, outputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, totalUsd: cost!, status: 'priced' as const, pricedModel: 'openai:gpt-4o-mini' } }
      : {}),
  }));
}

/** Every node's totals are the sum of its own span's and its children's, each counted once. */
function expectExactSubtotals(tree: SpanTree): void {
  const keys: Array<keyof RollupTotals> = ['spans', 'modelCalls', 'errors', 'inputTokens', 'outputTokens', 'costUsd'];
  const check = (node: TreeNode): void => {
    for (const key of keys) {
      const own = node.kind !== 'span' ? 0 : key === 'spans' ? 1 : key === 'modelCalls' ? Number(node.isModelCall) : key === 'errors' ? Number(node.status === 'error')
        : key === 'costUsd' ? node.costUsd ?? 0 : key === 'inputTokens' ? node.inputTokens ?? 0 : key === 'outputTokens' ? node.outputTokens ?? 0 : 0;
      expect(node.totals[key], `${node.id} ${key}`).toBeCloseTo(own + node.children.reduce((sum, c) => sum + c.totals[key], 0), 12);
    }
    node.children.forEach(check);
  };
  tree.roots.forEach(check);
  expect(tree.totals.spans).toBe(tree.roots.reduce((sum, r) => sum + r.totals.spans, 0));
}

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  const now = Date.now() - 60_000;
  await store.insert([
    // A workflow (no path) with two agent steps under it, as examples/research-agents records them.
    ...session('s-workflow', 1, now, [
      ['invoke_workflow brief', 1, null, '/'],
      ['invoke_agent planner', 2, 1, '/plan'],
      ['chat gpt-4o-mini', 3, 2, '/plan', 0.001],
      ['invoke_agent searcher', 4, 1, '/research/search-1'],
      ['chat gpt-4o-mini', 5, 4, '/research/search-1', 0.002],
      ['execute_tool search', 6, 4, '/research/search-1'],
      ['invoke_agent searcher', 7, 1, '/research/search-2'],
      ['chat gpt-4o-mini', 8, 7, '/research/search-2', 0.004],
    ]),
    // A path whose parent span is not in the session, and a step entered from inside another step.
    ...session('s-fallback', 2, now, [
      ['invoke_agent lead', 11, 99, '/lead'],
      ['chat gpt-4o-mini', 12, 11, '/lead', 0.01],
      ['invoke_agent helper', 13, 11, '/lead/help'],
      ['http POST', 14, 13, '/'],
      ['chat gpt-4o-mini', 15, 14, '/lead/help', 0.02],
    ]),
    // The same step in two traces: no common parent span, so the path is a grouping at the root.
    ...session('s-two-traces', 3, now, [['invoke_workflow turn', 21, null, '/'], ['chat gpt-4o-mini', 22, 21, '/answer', 0.1]]),
    ...session('s-two-traces', 4, now + 10_000, [['invoke_workflow turn', 23, null, '/'], ['chat gpt-4o-mini', 24, 23, '/answer', 0.2]]),
    // Bad data: two spans each naming the other as parent, in two paths.
    ...session('s-cycle', 5, now, [['invoke_agent a', 31, 32, '/a'], ['invoke_agent b', 32, 31, '/b']]),
  ].map(spanRecord));
});

afterAll(async () => {
  await store?.stop();
});

const tree = async (sessionId: string) => (await store.service.sessionTree({ projectId: PROJECT, sessionId }))!;

describe('session tree: one tree of spans and paths', () => {
  it('nests each step under the workflow span its spans hang from, with exact subtotals', async () => {
    const t = await tree('s-workflow');
    expect(t.roots.map(shape)).toEqual([
      {
        [`trace:${hexId('7e', 1, 32)}`]: [
          {
            'span:invoke_workflow brief': [
              { 'path:plan': [{ 'span:invoke_agent planner': ['span:chat gpt-4o-mini'] }] },
              {
                'path:research': [
                  { 'path:search-1': [{ 'span:invoke_agent searcher': ['span:chat gpt-4o-mini', 'span:execute_tool search'] }] },
                  { 'path:search-2': [{ 'span:invoke_agent searcher': ['span:chat gpt-4o-mini'] }] },
                ],
              },
            ],
          },
        ],
      },
    ]);
    const workflow = t.roots[0].children[0];
    const [plan, research] = workflow.children;
    expect(plan).toMatchObject({ kind: 'path', id: '/plan', totals: { spans: 2, modelCalls: 1, inputTokens: 300, outputTokens: 30 } });
    expect(plan.totals.costUsd).toBeCloseTo(0.001, 12);
    expect(research).toMatchObject({ kind: 'path', id: '/research', totals: { spans: 5, modelCalls: 2, inputTokens: 1300, outputTokens: 130 } });
    expect(research.totals.costUsd).toBeCloseTo(0.006, 12);
    // The workflow holds each span once: 8 spans, 3 calls, $0.007; so do the trace and the session.
    expect(workflow.totals).toMatchObject({ spans: 8, modelCalls: 3, inputTokens: 1600, outputTokens: 160 });
    expect(workflow.totals.costUsd).toBeCloseTo(0.007, 12);
    expect(t.roots[0].totals).toEqual(workflow.totals);
    expect(t.totals).toEqual(workflow.totals);
    expectExactSubtotals(t);
    // A path node spans the times of what it groups.
    expect(plan.startTime).toBe(plan.children[0].startTime);
    expect(plan.durationMs).toBe(plan.children[0].durationMs);
  });

  it('groups at the root a path whose parent is not in the session; a sub-path entered from a span goes under it', async () => {
    const t = await tree('s-fallback');
    expect(t.roots.map(shape)).toEqual([
      {
        'path:lead': [
          { 'span:invoke_agent lead': ['span:chat gpt-4o-mini', { 'path:help': [{ 'span:invoke_agent helper': [{ 'span:http POST': ['span:chat gpt-4o-mini'] }] }] }] },
        ],
      },
    ]);
    expect(t.totals).toMatchObject({ spans: 5, modelCalls: 2 });
    expect(t.totals.costUsd).toBeCloseTo(0.03, 12);
    expectExactSubtotals(t);
  });

  it('keeps a step recorded in two traces as one grouping at the session root', async () => {
    const t = await tree('s-two-traces');
    expect(t.roots.map(shape)).toEqual([
      { [`trace:${hexId('7e', 3, 32)}`]: ['span:invoke_workflow turn'] },
      { 'path:answer': ['span:chat gpt-4o-mini', 'span:chat gpt-4o-mini'] },
      { [`trace:${hexId('7e', 4, 32)}`]: ['span:invoke_workflow turn'] },
    ]);
    expect(t.totals.costUsd).toBeCloseTo(0.3, 12);
    expectExactSubtotals(t);
  });

  it('loses no span and makes no loop on a parent cycle', async () => {
    const t = await tree('s-cycle');
    expect(t.roots.map(shape)).toEqual([{ 'path:a': [{ 'span:invoke_agent a': [{ 'path:b': ['span:invoke_agent b'] }] }] }]);
    expectExactSubtotals(t);
  });
});
