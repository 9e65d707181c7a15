/**
 * A session as a tree, across its traces (issue 4: "built from session paths and span parents").
 * The session's spans are those carrying its id; session-layout.ts makes one tree of their span
 * parents and session paths (issue 11, item 6): a path node such as `/plan` sits under the span
 * its spans' parent is, spans keep their parent/child structure, and spans without a path or
 * parent stay under a `trace` node.
 */
import { QueryParams, TREE_COLUMNS } from '@tokentrace/processors';
import type { SpanTree, TreeNode } from './query-model.js';
import { selectRows, type QueryContext } from './query-context.js';
import { isoOfNs, projectCondition, validFreeId } from './query-sql.js';
import { layoutSession } from './session-layout.js';
import { finishTree, timeSpan } from './tree-build.js';
import { spanNode, type NodeTimes, type TreeRow } from './tree-node.js';

export async function sessionTree(ctx: QueryContext, projectId: string, sessionId: string): Promise<SpanTree | null> {
  const params = new QueryParams();
  const project = projectCondition(params, projectId);
  const session = params.bind('String', validFreeId(sessionId, 'sessionId'));
  // The session's traces and days first, from a plain read through the session id's bloom-filter
  // index (any version that carries the session finds the trace; a span never changes trace or
  // start), then FINAL on those traces and days only: the trace id is in the sorting key, the
  // session id is not.
  const traces = await selectRows<{ trace_id: string; first: string; last: string }>(
    ctx,
    `SELECT trace_id, toString(min(start_time_ns)) AS first, toString(max(start_time_ns)) AS last FROM ${ctx.spans}
     WHERE ${project} AND session_id = ${session} GROUP BY trace_id`,
    params,
  );
  if (traces.length === 0) return null;
  const first = traces.reduce((a, t) => (BigInt(t.first) < a ? BigInt(t.first) : a), BigInt(traces[0].first));
  const last = traces.reduce((a, t) => (BigInt(t.last) > a ? BigInt(t.last) : a), BigInt(traces[0].last));
  const rows = await selectRows<TreeRow>(
    ctx,
    `SELECT ${TREE_COLUMNS} FROM ${ctx.spans} FINAL
     WHERE ${project} AND session_id = ${session}
       AND trace_id IN ${params.bind('Array(String)', traces.map((t) => t.trace_id))}
       AND start_time >= fromUnixTimestamp64Nano(${params.bind('Int64', first.toString())}, 'UTC')
       AND start_time <= fromUnixTimestamp64Nano(${params.bind('Int64', last.toString())}, 'UTC')`,
    params,
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
