/**
 * A session as a tree, across its traces (issue 4: "built from session paths and span parents").
 * The session's spans are those carrying its id; they are grouped by session path, and each
 * path becomes a `path` node under its parent path (`/research/search-1` under `/research`).
 * Inside a path node, spans keep their parent/child structure when parent and child share the
 * path; a span whose parent lies elsewhere starts a subtree of its own there. Spans without a
 * path (`/`) are grouped per trace under a `trace` node. The days to read come from
 * `session_index`, as trace-tree.ts does with `trace_index`.
 */
import type { SpanTree, TreeNode } from './query-model.js';
import { sqlString } from '@tokentrace/processors';
import { selectRows, type QueryContext } from './query-context.js';
import { freeIdLiteral, isoOfNs, projectCondition } from './query-sql.js';
import { finishTree, linkByParent, timeSpan, type TimedNode } from './tree-build.js';
import { emptyTotals, spanNode, TREE_COLUMNS, type NodeTimes, type TreeRow } from './tree-node.js';

const ROOT_PATH = '/';

export async function sessionTree(ctx: QueryContext, projectId: string, sessionId: string): Promise<SpanTree | null> {
  const project = projectCondition(projectId);
  const session = freeIdLiteral(sessionId, 'sessionId');
  const { spans, sessionIndex } = ctx.tables;
  const indexed = `FROM ${sessionIndex} WHERE ${project} AND session_id = ${session}`;
  const days = `date >= (SELECT toDate(minMerge(first_start)) ${indexed}) AND date <= (SELECT toDate(maxMerge(last_start)) ${indexed})`;
  // The session's traces first, from a plain read of two columns (any version that carries the
  // session finds the trace; a span never changes trace), then FINAL on those traces only: the
  // trace id is in the sorting key, the session id is not.
  const traces = await selectRows<{ trace_id: string }>(ctx, `SELECT DISTINCT trace_id FROM ${spans} WHERE ${project} AND ${days} AND session_id = ${session}`);
  if (traces.length === 0) return null;
  const rows = await selectRows<TreeRow>(
    ctx,
    `SELECT ${TREE_COLUMNS} FROM ${spans} FINAL
     WHERE ${project} AND ${days} AND trace_id IN (${traces.map((t) => sqlString(t.trace_id)).join(', ')}) AND session_id = ${session}`,
  );
  if (rows.length === 0) return null;
  const entries = rows.map(spanNode);

  // Group the spans: by path, or by trace for spans without one.
  const groups = new Map<string, { node: TreeNode; members: TimedNode[] }>();
  const group = (key: string, make: () => TreeNode) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { node: make(), members: [] }));
    return g;
  };
  const roots: TreeNode[] = [];
  const pathNode = (path: string): TreeNode => {
    const existing = groups.get(`path:${path}`);
    if (existing) return existing.node;
    const node = group(`path:${path}`, () => synthetic('path', path, path.slice(path.lastIndexOf('/') + 1), '', sessionId, path)).node;
    const parent = path.slice(0, path.lastIndexOf('/'));
    (parent === '' ? roots : pathNode(parent).children).push(node);
    return node;
  };
  for (const entry of entries) {
    const path = entry.node.sessionPath;
    if (path === '' || path === ROOT_PATH) {
      const traceId = entry.node.traceId;
      const g = group(`trace:${traceId}`, () => {
        const node = synthetic('trace', traceId, traceId, traceId, sessionId, ROOT_PATH);
        roots.push(node);
        return node;
      });
      g.members.push(entry);
    } else {
      pathNode(path);
      groups.get(`path:${path}`)!.members.push(entry);
    }
  }
  for (const { node, members } of groups.values()) node.children.push(...linkByParent(members));

  // Synthetic nodes span the times of everything under them.
  const times = new Map<TreeNode, NodeTimes>(entries.map((e) => [e.node, e.times]));
  const timesOf = (node: TreeNode): NodeTimes => {
    const known = times.get(node);
    if (known) return known;
    const span = timeSpan(node.children.map(timesOf))!;
    node.startTime = isoOfNs(span.startNs.toString());
    node.durationMs = Number(span.endNs - span.startNs) / 1e6;
    times.set(node, span);
    return span;
  };
  const whole = timeSpan(roots.map(timesOf))!;
  const totals = finishTree(roots);
  for (const { node } of groups.values()) {
    node.status = node.totals.errors > 0 ? 'error' : 'unset';
    node.inputTokens = node.totals.inputTokens;
    node.outputTokens = node.totals.outputTokens;
    node.costUsd = node.totals.costUsd;
  }
  const firstStart = new Map<string, bigint>();
  for (const e of entries) {
    const seen = firstStart.get(e.node.traceId);
    if (seen === undefined || e.times.startNs < seen) firstStart.set(e.node.traceId, e.times.startNs);
  }
  return {
    id: sessionId,
    kind: 'session',
    traceIds: [...firstStart.entries()].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : 1)).map(([id]) => id),
    startTime: isoOfNs(whole.startNs.toString()),
    durationMs: Number(whole.endNs - whole.startNs) / 1e6,
    totals,
    roots,
  };
}

function synthetic(kind: 'path' | 'trace', id: string, name: string, traceId: string, sessionId: string, sessionPath: string): TreeNode {
  return {
    kind, id, name, traceId, spanId: '', parentSpanId: '', startTime: '', durationMs: 0, status: 'unset', statusMessage: '', errorType: '',
    isModelCall: false, provider: '', operation: '', model: '', inputTokens: null, outputTokens: null, costUsd: null, ttftMs: null,
    userId: '', sessionId, sessionPath, totals: emptyTotals(), children: [],
  };
}
