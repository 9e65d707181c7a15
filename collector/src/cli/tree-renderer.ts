/**
 * Draws a SpanTree (a trace or a session) in the terminal (issue 4: "indentation, operation and
 * model, duration, tokens, cost per node, totals, errors highlighted; usable with colour off and
 * in pipes"). One aligned row per node, indented with box-drawing connectors:
 *
 *   SPAN                        DURATION     IN  OUT        COST  STATUS
 *   invoke_agent research         1.52 s  2,400  560   Σ $0.0345
 *   ├─ chat gpt-4o                812 ms  1,000  200     $0.0045
 *   └─ ✗ chat gpt-4o-mini         120 ms      -    -           -  ✗ error RateLimitError
 *
 * A node with children shows its subtree's totals (marked Σ); a leaf shows its own figures.
 * Errors carry ✗ in their text, so they stand out without colour; with colour they are red.
 */
import type { SpanTree, TreeNode } from '../queries/query-model.js';
import type { Style } from './cli-io.js';
import { formatDuration, formatTime, formatTokens, formatUsd, plural, printable } from './format-values.js';
import { renderTable, type Cell, type Column } from './table-renderer.js';

const MAX_LABEL = 72;
export const ERROR_MARK = '✗';
const COLUMNS: Column[] = [
  { header: 'SPAN' },
  { header: 'DURATION', align: 'right' },
  { header: 'IN', align: 'right' },
  { header: 'OUT', align: 'right' },
  { header: 'COST', align: 'right' },
  { header: 'STATUS' },
];

export function renderTree(tree: SpanTree, style: Style): string {
  const rows: Cell[][] = [];
  const walk = (node: TreeNode, prefix: string, connector: string) => {
    rows.push(nodeRow(node, prefix + connector));
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      walk(child, prefix + (connector === '' ? '' : connector === '├─ ' ? '│  ' : '   '), last ? '└─ ' : '├─ ');
    });
  };
  for (const root of tree.roots) walk(root, '', '');

  const t = tree.totals;
  const heading =
    tree.kind === 'trace'
      ? `trace ${tree.id} · started ${formatTime(tree.startTime)} UTC`
      : `session ${tree.id} · ${plural(tree.traceIds.length, 'trace')} · started ${formatTime(tree.startTime)} UTC`;
  const footer: Cell[] = ['total', formatDuration(tree.durationMs), formatTokens(t.inputTokens), formatTokens(t.outputTokens), formatUsd(t.costUsd), t.errors > 0 ? { text: `${ERROR_MARK} ${plural(t.errors, 'error')}`, tone: 'error' } : ''];
  const summary = [plural(t.spans, 'span'), plural(t.modelCalls, 'model call'), plural(t.errors, 'error')].join(' · ');
  return `${style.bold(printable(heading))}\n${renderTable(COLUMNS, rows, style, footer)}${t.errors > 0 ? style.error(summary) : style.dim(summary)}\n`;
}

function nodeRow(node: TreeNode, prefix: string): Cell[] {
  const failed = node.status === 'error';
  const label = truncate(`${prefix}${failed ? `${ERROR_MARK} ` : ''}${labelOf(node)}`);
  // A parent shows what its subtree adds up to; a leaf that is no model call has no figures.
  const parent = node.children.length > 0;
  const figures = parent ? node.totals.modelCalls > 0 : node.isModelCall;
  const input = !figures ? '' : formatTokens(parent ? node.totals.inputTokens : node.inputTokens);
  const output = !figures ? '' : formatTokens(parent ? node.totals.outputTokens : node.outputTokens);
  const cost = !figures ? '' : parent ? `Σ ${formatUsd(node.totals.costUsd)}` : formatUsd(node.costUsd);
  const status = failed ? `${ERROR_MARK} error${detailOf(node) ? ` ${detailOf(node)}` : ''}` : '';
  const cells = [label, formatDuration(node.durationMs), input, output, cost, status];
  return failed ? cells.map((text): Cell => ({ text, tone: 'error' })) : cells;
}

/** Model calls read as `operation model` (`chat gpt-4o`); session paths as `/segment`; others by name. */
function labelOf(node: TreeNode): string {
  if (node.kind === 'path') return node.name.startsWith('/') ? node.name : `/${node.name}`;
  if (node.kind === 'trace') return `trace ${node.traceId || node.name}`;
  if (node.isModelCall && node.model) return `${node.operation || node.name} ${node.model}`;
  return node.name || node.operation || node.spanId;
}

function detailOf(node: TreeNode): string {
  const detail = printable(node.errorType || node.statusMessage).trim();
  return detail.length > 60 ? `${detail.slice(0, 59)}…` : detail;
}

function truncate(text: string): string {
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}
