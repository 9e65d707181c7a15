/**
 * Requests: the model calls of the range, newest first, narrowed by a filter in the filter
 * language (`model = "gpt-4o" and cost > 0.01`). The filter and range live in the URL hash; a
 * filter the API rejects (400) is shown with its message and a caret at the reported position.
 * Pages of 50 come from GET /api/v1/requests; "Load more" follows `nextCursor`.
 */
import { ApiError, apiGet } from '../api.js';
import { h, notice, route, routeWithQuery } from '../dom.js';
import { count, dateTime, duration, tokenPair, usd } from '../format.js';
import { COMMON_FIELDS, quoteFilterValue } from '../filter-text.js';
import { dataTable } from '../table.js';
import { rangeParams, rangeSelect } from '../time-range.js';

const DEFAULT_SINCE = '24h';
const PAGE_SIZE = 50;
const EXAMPLE = 'model = "gpt-4o" and cost > 0.01';

export async function render({ root, query, signal, go }) {
  const range = rangeParams(query, DEFAULT_SINCE);
  const filter = query.get('filter') ?? '';
  const hashFor = (next) => routeWithQuery('#/requests', { ...range, filter, ...next });

  const input = h('input', { type: 'search', name: 'filter', class: 'filter-input', value: filter, placeholder: EXAMPLE, spellcheck: 'false', autocomplete: 'off', 'aria-label': 'Filter' });
  const form = h('form', { class: 'filter-bar', onsubmit: (e) => { e.preventDefault(); go(hashFor({ filter: input.value.trim() })); } },
    input,
    rangeSelect(query, DEFAULT_SINCE, (since) => go(routeWithQuery('#/requests', { since, filter }))),
    h('button', { type: 'submit' }, 'Apply'),
  );
  const status = h('p', { class: 'muted result-count' });
  const help = h('details', { class: 'filter-help' },
    h('summary', null, 'Filter syntax'),
    h('p', null, 'Conditions ', h('code', null, 'field op value'), ' with ops = != > >= < <= contains, not contains, in (…), not in (…); combined with and, or, not and parentheses. Example: ', h('code', null, EXAMPLE)),
    h('ul', { class: 'field-list' }, COMMON_FIELDS.map(([name, note]) => h('li', null, h('code', null, name), note ? h('span', { class: 'muted' }, ` ${note}`) : null))),
  );
  root.append(h('div', { class: 'page-head' }, h('h1', null, 'Requests')), form, help, status);

  let page;
  try {
    page = await apiGet('requests', { ...range, filter, limit: PAGE_SIZE }, signal);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 400) throw err;
    root.append(filterError(filter, err));
    status.textContent = '';
    return;
  }

  const table = dataTable(COLUMNS, page.items, {
    class: 'requests',
    empty: filter ? 'No request matches this filter in this range.' : 'No requests in this range.',
    rowHref: (r) => route('requests', r.traceId, r.spanId),
    rowClass: (r) => (r.status === 'error' ? 'error' : undefined),
  });
  const more = h('button', { type: 'button', class: 'secondary load-more' }, 'Load more');
  let cursor = page.nextCursor;
  const showCount = () => {
    status.textContent = `${count(table.rowCount)} request${table.rowCount === 1 ? '' : 's'}${cursor ? ' shown (more available)' : ''}`;
    more.hidden = !cursor;
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    document.body.dataset.state = 'loading';
    try {
      const next = await apiGet('requests', { ...range, filter, limit: PAGE_SIZE, cursor }, signal);
      table.append(next.items);
      cursor = next.nextCursor;
      showCount();
      document.body.dataset.state = 'ready';
    } catch (err) {
      if (signal.aborted) return;
      more.after(notice('error', `Could not load more: ${err.message}`));
      document.body.dataset.state = 'error';
    } finally {
      more.disabled = false;
    }
  });
  showCount();
  root.append(table.element, more);
}

const COLUMNS = [
  { label: 'Time', value: (r) => dateTime(r.startTime), title: (r) => r.startTime },
  { label: 'Model', value: (r) => h('span', null, r.model || '(unknown)', r.provider ? h('span', { class: 'muted' }, ` · ${r.provider}`) : null) },
  { label: 'Name', value: (r) => r.name },
  { label: 'User', value: (r) => r.userId || '' },
  { label: 'Session', value: (r) => (r.sessionId ? h('a', { href: route('sessions', r.sessionId), title: r.sessionId }, r.sessionName || r.sessionId) : '') },
  { label: 'Tokens in → out', class: 'num', value: (r) => tokenPair(r.inputTokens, r.outputTokens) },
  { label: 'Cost', class: 'num', value: (r) => usd(r.costUsd) },
  { label: 'Latency', class: 'num', value: (r) => duration(r.durationMs) },
  { label: 'Status', value: (r) => h('span', null, statusBadge(r), r.resendCount > 0 ? [' ', attemptBadge(r)] : null) },
];

/** "attempt n" for a call that retried its request (resendCount n - 1, from http.request.resend_count). */
export function attemptBadge(r) {
  return h('span', { class: 'badge attempt', title: `retry ${r.resendCount} of the same request` }, `attempt ${r.resendCount + 1}`);
}

/**
 * The requests page for every attempt of the call `r` is one of: the same request model under
 * the same parent span of the same trace, from 15 minutes before it (SDK back-off is seconds).
 */
export function attemptsHref(r) {
  const start = Date.parse(r.startTime);
  const filter = `trace_id = ${quoteFilterValue(r.traceId)} and parent_span_id = ${quoteFilterValue(r.parentSpanId)} and request_model = ${quoteFilterValue(r.requestModel)}`;
  return routeWithQuery(route('requests'), { from: new Date(start - 15 * 60_000).toISOString(), to: new Date(start + 60_000).toISOString(), filter });
}

export function statusBadge(r) {
  if (r.status === 'error') return h('span', { class: 'badge error', title: r.errorType }, r.errorType ? `error: ${r.errorType}` : 'error');
  return h('span', { class: 'badge ok' }, r.status === 'ok' ? 'ok' : 'unset');
}

/** The API's message, and the filter with a caret under the offending character. */
function filterError(filter, err) {
  const lines = [err.message];
  const caret = Number.isInteger(err.position)
    ? h('pre', { class: 'filter-caret' }, `${filter}\n${' '.repeat(err.position)}^`)
    : null;
  return notice('error', h('strong', null, 'Invalid filter: '), lines, err.path ? ` (at ${err.path})` : '', caret);
}
