/**
 * Users: cost and request counts per user over the range, costliest first
 * (GET /api/v1/users/top). A row lists that user's requests.
 */
import { apiGet } from '../api.js';
import { append, h, panel, route, routeWithQuery } from '../dom.js';
import { count, duration, groupLabel, percent, tokenPair, usd } from '../format.js';
import { equalsFilter } from '../filter-text.js';
import { dataTable } from '../table.js';
import { rangeParams, rangeSelect } from '../time-range.js';

const DEFAULT_SINCE = '7d';
const LIMIT = 100;

export async function render({ root, query, signal, go }) {
  const range = rangeParams(query, DEFAULT_SINCE);
  const { items } = await apiGet('users/top', { ...range, limit: LIMIT }, signal);
  const columns = [
    { label: 'User', value: (u) => groupLabel(u.group) },
    { label: 'Requests', class: 'num', value: (u) => count(u.requests) },
    { label: 'Cost', class: 'num', value: (u) => usd(u.costUsd) },
    { label: 'Cost / request', class: 'num', value: (u) => usd(u.requests > 0 ? u.costUsd / u.requests : null) },
    { label: 'Tokens in → out', class: 'num', value: (u) => tokenPair(u.inputTokens, u.outputTokens) },
    { label: 'Errors', class: 'num', value: (u) => `${count(u.errors)} (${percent(u.errorRate)})` },
    { label: 'p95 latency', class: 'num', value: (u) => duration(u.latencyMs.p95) },
  ];
  append(root, [
    h('div', { class: 'page-head' },
      h('h1', null, 'Users'),
      rangeSelect(query, DEFAULT_SINCE, (since) => go(routeWithQuery('#/users', { since }))),
    ),
    panel(`Top ${LIMIT} users by cost`, dataTable(columns, items, {
      class: 'users',
      empty: 'No requests in this range.',
      rowHref: (u) => routeWithQuery(route('requests'), { ...range, filter: equalsFilter('user', u.group ?? '') }),
    }).element),
  ]);
}
