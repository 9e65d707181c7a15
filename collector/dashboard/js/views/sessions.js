/**
 * Sessions: per session name (the kind of agent run), how many ran in the range and what they
 * cost (average, p50, p95, max), with the outliers above p95 linked to their trees
 * (GET /api/v1/sessions). A form opens any session or trace by id.
 */
import { apiGet } from '../api.js';
import { append, h, panel, route, routeWithQuery } from '../dom.js';
import { count, dateTime, groupLabel, usd } from '../format.js';
import { equalsFilter } from '../filter-text.js';
import { dataTable } from '../table.js';
import { rangeParams, rangeSelect } from '../time-range.js';

const DEFAULT_SINCE = '7d';

export async function render({ root, query, signal, go }) {
  const range = rangeParams(query, DEFAULT_SINCE);
  const { items } = await apiGet('sessions', range, signal);

  const idInput = h('input', { type: 'text', name: 'run-id', placeholder: 'session id or trace id', spellcheck: 'false', 'aria-label': 'Session or trace id' });
  const open = (kind) => (event) => {
    event.preventDefault();
    const id = idInput.value.trim();
    if (id) go(route(kind, id));
  };
  append(root, [
    h('div', { class: 'page-head' },
      h('h1', null, 'Sessions'),
      rangeSelect(query, DEFAULT_SINCE, (since) => go(routeWithQuery('#/sessions', { since }))),
    ),
    h('form', { class: 'filter-bar', onsubmit: open('sessions') },
      idInput,
      h('button', { type: 'submit' }, 'Open session'),
      h('button', { type: 'button', class: 'secondary', onclick: open('traces') }, 'Open trace'),
    ),
    panel('Cost per session, by session name', dataTable(COLUMNS, items, {
      class: 'sessions',
      empty: 'No sessions in this range.',
      rowHref: (s) => routeWithQuery(route('requests'), { ...range, filter: equalsFilter('session_name', s.sessionName) }),
    }).element),
  ]);
}

const COLUMNS = [
  { label: 'Session name', value: (s) => groupLabel(s.sessionName) },
  { label: 'Sessions', class: 'num', value: (s) => count(s.sessions) },
  { label: 'Avg cost', class: 'num', value: (s) => usd(s.avgCostUsd) },
  { label: 'p50', class: 'num', value: (s) => usd(s.p50CostUsd) },
  { label: 'p95', class: 'num', value: (s) => usd(s.p95CostUsd) },
  { label: 'Max', class: 'num', value: (s) => usd(s.maxCostUsd) },
  {
    label: 'Outliers (above p95)',
    value: (s) => (s.outliers.length === 0
      ? h('span', { class: 'muted' }, 'none')
      : h('ul', { class: 'outliers' }, s.outliers.map((o) => h('li', null,
        h('a', { href: route('sessions', o.sessionId) }, o.sessionId),
        h('span', { class: 'muted' }, ` ${usd(o.costUsd)} · ${count(o.requests)} requests · ${dateTime(o.startTime)}`))))),
  },
];
