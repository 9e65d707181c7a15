/**
 * "Rate limits hit": who hit the in-process rate limits and budgets over the range, and how often
 * (issue 14), from GET /api/v1/rate-limits. A user's row links to that user's requests.
 */
import { panel, route, routeWithQuery } from './dom.js';
import { count, dateTime } from './format.js';
import { equalsFilter } from './filter-text.js';
import { dataTable } from './table.js';

/** The panel for the rows of /rate-limits (`items`). */
export function rateLimitsPanel(items, range) {
  const columns = [
    { label: 'Who', value: (r) => r.segment },
    { label: 'Policy', value: (r) => r.policy },
    { label: 'Limited', class: 'num', value: (r) => count(r.limited) },
    { label: 'Warned', class: 'num', value: (r) => count(r.warned) },
    { label: 'Failed open', class: 'num', value: (r) => count(r.failedOpen) },
    { label: 'Checked', class: 'num', value: (r) => count(r.checked) },
    { label: 'Last limited', value: (r) => (r.lastLimitedAt ? dateTime(r.lastLimitedAt) : '—') },
  ];
  const table = dataTable(columns, items, {
    class: 'compact',
    empty: 'No call hit a rate limit or budget in this range.',
    rowHref: (r) => (r.segment.startsWith('user:') ? routeWithQuery(route('requests'), { ...range, filter: equalsFilter('user', r.segment.slice(5)) }) : undefined),
  });
  const element = panel('Rate limits hit', table.element);
  element.dataset.section = 'rate-limits';
  return element;
}
