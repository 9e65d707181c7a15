/**
 * Turns span nodes into trees: children under their parent span (when the parent is in the same
 * group), sorted by start time, with every node's totals rolled up over its subtree. Spans whose
 * parent is missing (not exported, other project, other session) become roots; bad data that
 * makes a parent cycle is cut at one span, so no span is ever lost from a tree.
 */
import type { RollupTotals, TreeNode } from './query-model.js';
import { addTotals, emptyTotals, type NodeTimes } from './tree-node.js';

export interface TimedNode {
  node: TreeNode;
  times: NodeTimes;
}

/** Links `entries` by parent span id within each trace; returns the roots (unsorted). */
export function linkByParent(entries: readonly TimedNode[]): TreeNode[] {
  const parents = spanParents(entries);
  const roots: TreeNode[] = [];
  for (const { node } of entries) {
    const parent = parents.get(node);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/**
 * Each span's parent among `entries` (same trace, parent span id); a span without one is absent
 * from the map. Parent cycles (bad data) are cut at one span each, so following the map upwards
 * always ends.
 */
export function spanParents(entries: readonly TimedNode[]): Map<TreeNode, TreeNode> {
  const byKey = new Map<string, TreeNode>();
  for (const { node } of entries) byKey.set(`${node.traceId}/${node.spanId}`, node);
  const parentOf = new Map<TreeNode, TreeNode>();
  for (const { node } of entries) {
    const parent = node.parentSpanId === '' || node.parentSpanId === node.spanId ? undefined : byKey.get(`${node.traceId}/${node.parentSpanId}`);
    if (parent) parentOf.set(node, parent);
  }
  // A span whose way up comes back to where it was sits on a cycle: cut each cycle at its first
  // span in `entries`, which becomes a root.
  const order = new Map<TreeNode, number>(entries.map((e, i) => [e.node, i]));
  const done = new Set<TreeNode>();
  for (const { node } of entries) {
    const seen = new Set<TreeNode>();
    let at: TreeNode | undefined = node;
    while (at && !done.has(at) && !seen.has(at)) {
      seen.add(at);
      at = parentOf.get(at);
    }
    if (at && seen.has(at)) {
      let first = at;
      for (let n = parentOf.get(at)!; n !== at; n = parentOf.get(n)!) if (order.get(n)! < order.get(first)!) first = n;
      parentOf.delete(first);
    }
    for (const n of seen) done.add(n);
  }
  return parentOf;
}

/** Depth-first, parents before children, without recursion (traces can be deep). */
export function walk(root: TreeNode, visit: (node: TreeNode) => void): void {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    visit(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
}

/** Sorts children by start time and adds each subtree's totals into its root; returns the sum. */
export function finishTree(roots: TreeNode[]): RollupTotals {
  const order: TreeNode[] = [];
  for (const root of roots) walk(root, (n) => void order.push(n));
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    node.children.sort(byStart);
    for (const child of node.children) addTotals(node.totals, child.totals);
  }
  roots.sort(byStart);
  const totals = emptyTotals();
  for (const root of roots) addTotals(totals, root.totals);
  return totals;
}

function byStart(a: TreeNode, b: TreeNode): number {
  return a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** First start and last end over `times`. */
export function timeSpan(times: Iterable<NodeTimes>): NodeTimes | undefined {
  let span: NodeTimes | undefined;
  for (const t of times) {
    if (!span) span = { ...t };
    else {
      if (t.startNs < span.startNs) span.startNs = t.startNs;
      if (t.endNs > span.endNs) span.endNs = t.endNs;
    }
  }
  return span;
}
