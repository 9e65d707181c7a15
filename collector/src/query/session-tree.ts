/**
 * A session as a tree, across its traces (issue 4: "built from session paths and span parents").
 * The session's spans are those carrying its id; session-layout.ts makes one tree of their span
 * parents and session paths (issue 11, item 6): a path node such as `/plan` sits under the span
 * its spans' parent is, spans keep their parent/child structure, and spans without a path or
 * parent stay under a `trace` node. The days to read come from `session_index`, as
 * trace-tree.ts does with `trace_index`.
 */
import type { SpanTree, TreeNode } from './query-model.js';
import { sqlString } from '@tokentrace/processors';
import { selectRows, type QueryContext } from './query-context.js';
import { freeIdLiteral, isoOfNs, projectCondition } from './query-sql.js';
import { layoutSession } from './session-layout.js';
import { finishTree, timeSpan } from './tree-build.js';
import { spanNode, TREE_COLUMNS, type NodeTimes, type TreeRow } from './tree-node.js';

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

  const { roots, synthetic } = layoutSession(entries, sessionId);

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
  for (const node of synthetic) timesOf(node);
  const whole = timeSpan(entries.map((e) => e.times))!;
  const totals = finishTree(roots);
  for (const node of synthetic) {
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
