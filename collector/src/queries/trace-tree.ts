/**
 * A trace as a tree: its spans read with FINAL by project and trace id (the trace id is in the
 * sorting key after the hour, and has a bloom-filter index for the granules the key cannot rule
 * out).
 */
import { QueryParams, TREE_COLUMNS } from '@tokentrace/processors';
import type { SpanTree } from './query-model.js';
import { selectRows, type QueryContext } from './query-context.js';
import { isoOfNs, projectCondition, validTraceId } from './query-sql.js';
import { finishTree, linkByParent, timeSpan } from './tree-build.js';
import { spanNode, type TreeRow } from './tree-node.js';

export async function traceTree(ctx: QueryContext, projectId: string, traceId: string): Promise<SpanTree | null> {
  const params = new QueryParams();
  const rows = await selectRows<TreeRow>(
    ctx,
    `SELECT ${TREE_COLUMNS} FROM ${ctx.spans} FINAL
     WHERE ${projectCondition(params, projectId)} AND trace_id = ${params.bind('String', validTraceId(traceId))}`,
    params,
  );
  if (rows.length === 0) return null;
  const entries = rows.map(spanNode);
  const roots = linkByParent(entries);
  const totals = finishTree(roots);
  const span = timeSpan(entries.map((e) => e.times))!;
  return {
    id: rows[0].trace_id,
    kind: 'trace',
    traceIds: [rows[0].trace_id],
    startTime: isoOfNs(span.startNs.toString()),
    durationMs: Number(span.endNs - span.startNs) / 1e6,
    totals,
    roots,
  };
}
