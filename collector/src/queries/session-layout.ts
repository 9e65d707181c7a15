/**
 * Where each node of a session tree goes (issue 11, item 6: "one tree per session, not two").
 * Span parentage and session paths make one tree:
 *
 * - a span stays under its parent span when the parent lies in the same path (a span without a
 *   path always stays under its parent); otherwise it enters its path's node;
 * - a path node (`/plan`) goes under its anchor: the deepest common parent of the spans that
 *   enter the path or one of its sub-paths, taken outside those paths (e.g. the invoke_workflow
 *   span), so it reads trace → invoke_workflow → /plan → invoke_agent planner → chat;
 * - a sub-path (`/research/search-1`) goes under its anchor when that lies inside its parent
 *   path, else under its parent path's node; a path with no common parent span in the session
 *   (a parent missing, or spans of several traces) is a grouping at the session root;
 * - spans without a path and without a parent stay under one `trace` node per trace.
 *
 * Every node has exactly one place, so subtotals summed bottom-up count each span once.
 */
import type { TreeNode } from './query-model.js';
import type { TimedNode } from './tree-build.js';
import { spanParents } from './tree-build.js';
import { emptyTotals } from './tree-node.js';

const ROOT_PATH = '/';

export interface SessionLayout {
  roots: TreeNode[];
  /** The `path` and `trace` nodes made, for their times and figures. */
  synthetic: TreeNode[];
}

export function layoutSession(entries: readonly TimedNode[], sessionId: string): SessionLayout {
  const spanParent = spanParents(entries);
  const roots: TreeNode[] = [];
  const synthetic: TreeNode[] = [];
  const place = new Map<TreeNode, TreeNode | null>(); // a node's place in the tree; null: a root
  const put = (node: TreeNode, under: TreeNode | null) => {
    place.set(node, under);
    (under ? under.children : roots).push(node);
  };

  // The path a span lies in: its own, or for a span without one its nearest parent's.
  const inPath = new Map<TreeNode, string>();
  const pathIn = (node: TreeNode): string => {
    const climbed: TreeNode[] = [];
    let at: TreeNode | undefined = node;
    let path = '';
    while (at) {
      const known = inPath.get(at);
      if (known !== undefined) { path = known; break; }
      climbed.push(at);
      const own = pathOf(at);
      if (own !== '') { path = own; break; }
      at = spanParent.get(at);
    }
    for (const n of climbed) inPath.set(n, path);
    return path;
  };

  const pathNodes = new Map<string, TreeNode>();
  const pathNode = (path: string): TreeNode => {
    let node = pathNodes.get(path);
    if (!node) {
      pathNodes.set(path, (node = groupNode('path', path, path.slice(path.lastIndexOf('/') + 1), '', sessionId, path)));
      synthetic.push(node);
      const parent = parentPath(path);
      if (parent !== '') pathNode(parent);
    }
    return node;
  };
  const traceNodes = new Map<string, TreeNode>();
  const traceNode = (traceId: string): TreeNode => {
    let node = traceNodes.get(traceId);
    if (!node) {
      traceNodes.set(traceId, (node = groupNode('trace', traceId, traceId, traceId, sessionId, ROOT_PATH)));
      synthetic.push(node);
      put(node, null);
    }
    return node;
  };

  // Spans: under their parent, under their trace, or entering their path's node. Each span that
  // enters a path from outside it also votes for the anchor of that path and of every path above
  // that it enters from outside.
  const anchors = new Map<string, TreeNode | null>(); // null: no common parent span
  const depth = depthOf(spanParent);
  for (const { node } of entries) {
    const parent = spanParent.get(node);
    const path = pathOf(node);
    if (path === '') put(node, parent ?? traceNode(node.traceId));
    else if (parent && pathIn(parent) === path) put(node, parent);
    else put(node, pathNode(path));
    for (let p = path; p !== ''; p = parentPath(p)) {
      if (parent && within(pathIn(parent), p)) break;
      if (!anchors.has(p)) anchors.set(p, parent ?? null);
      else {
        const sofar = anchors.get(p)!;
        if (sofar) anchors.set(p, parent ? commonParent(sofar, parent, spanParent, depth) : null);
      }
    }
  }

  // Path nodes, parents before sub-paths.
  const isUnder = (node: TreeNode, ancestor: TreeNode) => {
    for (let at: TreeNode | null | undefined = node; at; at = place.get(at)) if (at === ancestor) return true;
    return false;
  };
  for (const path of [...pathNodes.keys()].sort((a, b) => segments(a) - segments(b) || (a < b ? -1 : 1))) {
    const node = pathNodes.get(path)!;
    const anchor = anchors.get(path) ?? null;
    const parent = parentPath(path);
    const candidates: TreeNode[] = [];
    if (anchor && (parent === '' || within(pathIn(anchor), parent))) candidates.push(anchor);
    if (parent !== '') candidates.push(pathNode(parent));
    put(node, candidates.find((c) => !isUnder(c, node)) ?? null);
  }
  return { roots, synthetic };
}

/** A span's own session path; '' when it has none (`/`). */
function pathOf(node: TreeNode): string {
  return node.sessionPath === '' || node.sessionPath === ROOT_PATH ? '' : node.sessionPath;
}

function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '' : path.slice(0, i);
}

function segments(path: string): number {
  return path.split('/').length;
}

/** `path` is `outer` or one of its sub-paths. */
function within(path: string, outer: string): boolean {
  return path === outer || path.startsWith(`${outer}/`);
}

function depthOf(spanParent: Map<TreeNode, TreeNode>): (node: TreeNode) => number {
  const depths = new Map<TreeNode, number>();
  return (node) => {
    const climbed: TreeNode[] = [];
    let at: TreeNode | undefined = node;
    let base = -1;
    while (at) {
      const known = depths.get(at);
      if (known !== undefined) { base = known; break; }
      climbed.push(at);
      at = spanParent.get(at);
    }
    for (let i = climbed.length - 1; i >= 0; i--) depths.set(climbed[i], ++base);
    return depths.get(node)!;
  };
}

/** The deepest span that is `a` or above it and `b` or above it; null when none (other trees). */
function commonParent(a: TreeNode, b: TreeNode, spanParent: Map<TreeNode, TreeNode>, depth: (node: TreeNode) => number): TreeNode | null {
  let x: TreeNode | undefined = a;
  let y: TreeNode | undefined = b;
  while (x && y && depth(x) > depth(y)) x = spanParent.get(x);
  while (x && y && depth(y) > depth(x)) y = spanParent.get(y);
  while (x && y && x !== y) {
    x = spanParent.get(x);
    y = spanParent.get(y);
  }
  return x && x === y ? x : null;
}

function groupNode(kind: 'path' | 'trace', id: string, name: string, traceId: string, sessionId: string, sessionPath: string): TreeNode {
  return {
    kind, id, name, traceId, spanId: '', parentSpanId: '', startTime: '', durationMs: 0, status: 'unset', statusMessage: '', errorType: '',
    isModelCall: false, provider: '', operation: '', model: '', inputTokens: null, outputTokens: null, costUsd: null, ttftMs: null,
    userId: '', sessionId, sessionPath, totals: emptyTotals(), children: [],
  };
}
