/**
 * The tree / waterfall of an agent run (a trace or a session): one row per node, indented by
 * depth, with a bar placed by its start and duration on the run's time axis, the step's own cost
 * and tokens, and the totals of its subtree. Rows with children fold and unfold; failed steps are
 * highlighted, and a folded parent still says how many errors it hides.
 */
import { h, route } from './dom.js';
import { count, duration, plural, tokenPair, usd } from './format.js';

const INDENT_PX = 16;

/** `tree` is a SpanTree; returns { element, expandAll(), collapseAll() }. */
export function waterfall(tree) {
  const runStart = Date.parse(tree.startTime);
  const runMs = Math.max(tree.durationMs, 0.001);
  const rows = [];
  const body = h('div', { class: 'wf-body', role: 'treegrid' });

  const refresh = () => {
    for (const row of rows) {
      row.element.hidden = row.ancestors.some((a) => a.collapsed);
      if (row.toggle) {
        row.toggle.textContent = row.collapsed ? '▸' : '▾';
        row.toggle.setAttribute('aria-expanded', String(!row.collapsed));
      }
    }
  };

  const addNode = (node, depth, ancestors) => {
    const row = { node, ancestors, collapsed: false, toggle: null, element: null };
    const hasChildren = node.children.length > 0;
    if (hasChildren) {
      row.toggle = h('button', { type: 'button', class: 'wf-toggle', 'aria-label': `Fold ${node.name}` });
      row.toggle.addEventListener('click', () => {
        row.collapsed = !row.collapsed;
        refresh();
      });
    }
    const offset = ((Date.parse(node.startTime) - runStart) / runMs) * 100;
    const width = (node.durationMs / runMs) * 100;
    const bar = h('div', { class: `wf-bar kind-${barKind(node)}`, style: { left: `${clamp(offset, 0, 100)}%`, width: `${clamp(width, 0.4, 100 - clamp(offset, 0, 99.6))}%` } });
    // Only a span fails; a path or trace group with failures below it says so with its badge.
    const failed = node.kind === 'span' && node.status === 'error';
    row.element = h('div', {
      class: `wf-row${failed ? ' error' : ''}${hasChildren ? ' parent' : ''}`,
      role: 'row',
      dataset: { kind: node.kind, depth: String(depth) },
      title: failed ? `${node.errorType || 'error'}: ${node.statusMessage}` : node.kind === 'path' ? node.id : undefined,
    },
      h('div', { class: 'wf-name', role: 'gridcell', style: { paddingLeft: `${depth * INDENT_PX}px` } },
        row.toggle ?? h('span', { class: 'wf-toggle-space' }),
        h('span', { class: `badge kind-${barKind(node)}` }, badgeText(node)),
        nameContent(node),
        node.model ? h('span', { class: 'muted wf-model' }, node.model) : null,
        errorBadge(node, hasChildren),
      ),
      h('div', { class: 'wf-timeline', role: 'gridcell' }, bar),
      h('div', { class: 'num wf-duration', role: 'gridcell' }, duration(node.durationMs)),
      h('div', { class: 'num wf-tokens', role: 'gridcell' }, tokens(node, hasChildren)),
      h('div', { class: 'num wf-cost', role: 'gridcell' }, node.isModelCall ? usd(node.costUsd) : ''),
      h('div', { class: 'num wf-total', role: 'gridcell', title: `${count(node.totals.modelCalls)} model calls in this subtree` }, hasChildren ? usd(node.totals.costUsd) : ''),
    );
    rows.push(row);
    body.append(row.element);
    for (const child of node.children) addNode(child, depth + 1, [...ancestors, row]);
  };
  for (const root of tree.roots) addNode(root, 0, []);
  refresh();

  const header = h('div', { class: 'wf-row wf-head', role: 'row' },
    h('div', { role: 'columnheader' }, 'Step'),
    h('div', { role: 'columnheader', class: 'wf-axis' }, h('span', null, '0'), h('span', null, duration(tree.durationMs))),
    h('div', { role: 'columnheader', class: 'num' }, 'Duration'),
    h('div', { role: 'columnheader', class: 'num' }, 'Tokens in → out'),
    h('div', { role: 'columnheader', class: 'num' }, 'Step cost'),
    h('div', { role: 'columnheader', class: 'num' }, 'Subtree cost'),
  );
  const setAll = (collapsed) => {
    for (const row of rows) if (row.toggle) row.collapsed = collapsed;
    refresh();
  };
  return {
    element: h('div', { class: 'waterfall' }, header, body),
    expandAll: () => setAll(false),
    collapseAll: () => setAll(true),
  };
}

/** A failed step names its error; a parent counts the failures below it (seen while folded). */
function errorBadge(node, hasChildren) {
  if (node.kind === 'span' && node.status === 'error' && !hasChildren) return h('span', { class: 'badge error' }, node.errorType || 'error');
  if (node.totals.errors > 0 && hasChildren) return h('span', { class: 'badge error' }, plural(node.totals.errors, 'error'));
  return null;
}

/** A model call's own tokens (— when not reported); a parent's subtree sums; nothing for tools. */
function tokens(node, hasChildren) {
  if (!hasChildren) return node.isModelCall ? tokenPair(node.inputTokens, node.outputTokens) : '';
  return node.totals.modelCalls > 0 ? tokenPair(node.totals.inputTokens, node.totals.outputTokens) : '';
}

function nameContent(node) {
  // Model calls open their request page; a trace group opens the trace.
  if (node.kind === 'span' && node.isModelCall) return h('a', { class: 'wf-label', href: route('requests', node.traceId, node.spanId) }, node.name);
  if (node.kind === 'trace') return h('a', { class: 'wf-label', href: route('traces', node.traceId) }, `trace ${node.name}`);
  return h('span', { class: 'wf-label' }, node.name);
}

function barKind(node) {
  if (node.kind !== 'span') return node.kind;
  return node.isModelCall ? 'llm' : 'step';
}

function badgeText(node) {
  if (node.kind === 'path') return 'path';
  if (node.kind === 'trace') return 'trace';
  return node.isModelCall ? (node.operation || 'llm') : (node.operation || 'span');
}

function clamp(value, min, max) {
  return Math.min(Math.max(Number.isFinite(value) ? value : 0, min), max);
}
