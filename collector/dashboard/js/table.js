/**
 * A plain data table: columns describe how a row renders, rows can link to a page (the whole row
 * is clickable, the first cell holds a real link for the keyboard), and more rows can be
 * appended for "load more".
 *
 * Column: { label, value: (row) => string | Node, class?: 'num' | …, title?: (row) => string }.
 */
import { h } from './dom.js';

export function dataTable(columns, rows, options = {}) {
  const body = h('tbody');
  const table = h('table', { class: `data ${options.class ?? ''}` },
    h('thead', null, h('tr', null, columns.map((c) => h('th', { class: c.class, scope: 'col' }, c.label)))),
    body,
  );
  const empty = h('p', { class: 'muted empty' }, options.empty ?? 'Nothing in this range.');
  const element = h('div', { class: 'table-wrap' }, table, empty);

  const appendRows = (more) => {
    for (const row of more) {
      const href = options.rowHref?.(row);
      const tr = h('tr', { class: options.rowClass?.(row), dataset: href ? { href } : undefined });
      columns.forEach((column, index) => {
        let content = column.value(row);
        if (index === 0 && href) content = h('a', { href }, content);
        tr.append(h('td', { class: column.class, title: column.title?.(row) }, content));
      });
      if (href) {
        tr.classList.add('link-row');
        tr.addEventListener('click', (event) => {
          // A click on an inner link or a text selection is left alone.
          if (event.target.closest('a') || window.getSelection()?.toString()) return;
          location.hash = href;
        });
      }
      body.append(tr);
    }
    empty.hidden = body.children.length > 0;
    table.hidden = body.children.length === 0;
  };
  appendRows(rows);
  return { element, append: appendRows, get rowCount() { return body.children.length; } };
}
