/**
 * Aligned text tables for the terminal: text left-aligned, figures right-aligned, two spaces
 * between columns, an optional footer (totals) under a rule. Widths are measured on the plain
 * text and colour is applied after padding, so columns line up with colour on or off. Cell text
 * is made printable here, once for every table.
 */
import type { Style } from './cli-io.js';
import { printable } from './format-values.js';

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** A cell's text, optionally toned: `error` rows stand out in red (and carry a ✗ in their text). */
export type Cell = string | { text: string; tone: 'error' | 'dim' | 'accent' };

const GAP = '  ';

export function renderTable(columns: Column[], rows: Cell[][], style: Style, footer?: Cell[]): string {
  const text = (cell: Cell | undefined) => printable(typeof cell === 'string' ? cell : (cell?.text ?? ''));
  const all = footer ? [...rows, footer] : rows;
  const widths = columns.map((column, i) => Math.max(column.header.length, ...all.map((row) => text(row[i]).length)));

  const line = (cells: Cell[], tone: (s: string) => string = (s) => s) =>
    columns
      .map((column, i) => {
        const cell = cells[i];
        const last = i === columns.length - 1;
        const padded = column.align === 'right' ? text(cell).padStart(widths[i]) : last ? text(cell) : text(cell).padEnd(widths[i]);
        return typeof cell === 'object' ? style[cell.tone](padded) : tone(padded);
      })
      .join(GAP)
      .trimEnd();

  const out = [line(columns.map((c) => c.header), style.bold)];
  for (const row of rows) out.push(line(row));
  if (footer) {
    out.push(style.dim(widths.map((w) => '─'.repeat(w)).join(GAP)));
    out.push(line(footer, style.bold));
  }
  return `${out.join('\n')}\n`;
}
