/**
 * Overview: what was spent (rolling last 24 hours / 7 days / 30 days), the daily cost over 30
 * days, and for the selected range (default 7 days): requests, error rate, latency and TTFT
 * percentiles, and the top models, features (custom property `feature`, or `?property=`) and
 * users by cost. Every figure is from GET /api/v1/analytics or /users/top.
 */
import { apiGet } from '../api.js';
import { costChart } from '../cost-chart.js';
import { append, h, panel, route, routeWithQuery } from '../dom.js';
import { count, duration, groupLabel, percent, percentiles, plural, tokenPair, usd } from '../format.js';
import { equalsFilter, propertyField } from '../filter-text.js';
import { dataTable } from '../table.js';
import { rangeLabel, rangeParams, rangeSelect } from '../time-range.js';
import { rateLimitsPanel } from '../rate-limits-panel.js';

const DEFAULT_SINCE = '7d';
const CHART_DAYS = 30;

export async function render({ root, query, signal, go }) {
  const range = rangeParams(query, DEFAULT_SINCE);
  const property = query.get('property') || 'feature';
  const get = (params) => apiGet('analytics', params, signal);
  // Rolling windows, not calendar days: they mean the same in every time zone. The 30-day call
  // also feeds the chart. The selected range reuses a window's answer when it is the same.
  const windows = { '24h': get({ since: '24h' }), '7d': get({ since: '7d' }), '30d': get({ since: '30d', bucket: 'day' }) };
  const selected = range.since && windows[range.since] ? windows[range.since] : get(range);
  const [day, week, month, totals, models, features, users, limits] = await Promise.all([
    windows['24h'], windows['7d'], windows['30d'], selected,
    get({ ...range, groupBy: 'model', limit: 10 }),
    get({ ...range, groupBy: `property:${property}`, limit: 10 }),
    apiGet('users/top', { ...range, limit: 10 }, signal),
    apiGet('rate-limits', { ...range, limit: 10 }, signal),
  ]);
  const figures = totals.totals;

  append(root, [
    h('div', { class: 'page-head' },
      h('h1', null, 'Overview'),
      rangeSelect(query, DEFAULT_SINCE, (since) => go(routeWithQuery('#/overview', { since, property: query.get('property') }))),
    ),
    h('div', { class: 'cards', dataset: { section: 'spend' } },
      card('Cost, last 24 hours', usd(day.totals.costUsd), plural(day.totals.requests, 'request'), 'cost-24h'),
      card('Cost, last 7 days', usd(week.totals.costUsd), plural(week.totals.requests, 'request'), 'cost-7d'),
      card('Cost, last 30 days', usd(month.totals.costUsd), plural(month.totals.requests, 'request'), 'cost-30d'),
    ),
    h('h2', { class: 'range-title' }, rangeLabel(range)),
    h('div', { class: 'cards', dataset: { section: 'range' } },
      card('Requests', count(figures.requests), `${tokenPair(figures.inputTokens, figures.outputTokens)} tokens`, 'requests'),
      card('Error rate', percent(figures.errorRate), plural(figures.errors, 'error'), 'error-rate'),
      card('Cache hit rate', percent(figures.cacheHitRate), `${plural(figures.cacheHits, 'hit')}, ${usd(figures.savedUsd)} saved`, 'cache'),
      card('Latency p50 / p95 / p99', percentiles(figures.latencyMs), 'per request', 'latency', 'wide'),
      card('TTFT p50 / p95 / p99', percentiles(figures.ttftMs), 'time to first token, streamed requests', 'ttft', 'wide'),
    ),
    panel(`Daily cost, last ${CHART_DAYS} days (UTC)`, costChart(month.rows, CHART_DAYS)),
    h('div', { class: 'columns' },
      panel('Top models', groupTable(models.rows, 'Model', 'model', range)),
      panel(`Top features (property.${property})`, groupTable(features.rows, 'Feature', propertyField(property), range)),
      panel('Top users', groupTable(users.items, 'User', 'user', range)),
    ),
    rateLimitsPanel(limits.items, range),
  ]);
}

function card(label, value, sub, name, variant) {
  return h('div', { class: `card ${variant ?? ''}`, dataset: { card: name } },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value' }, value),
    h('div', { class: 'card-sub muted' }, sub),
  );
}

/** Rows by cost; a click lists the group's requests (the `(other)` row has no single filter). */
function groupTable(rows, label, field, range) {
  const columns = [
    { label, value: (r) => groupLabel(r.group) },
    { label: 'Requests', class: 'num', value: (r) => count(r.requests) },
    { label: 'Cost', class: 'num', value: (r) => usd(r.costUsd) },
    // The response cache (issue 14): hit rate and dollars saved; the top users list has neither.
    { label: 'Cache hits', class: 'num', value: (r) => (r.cacheHitRate === undefined ? '' : percent(r.cacheHitRate)) },
    { label: 'Saved', class: 'num', value: (r) => (r.savedUsd === undefined ? '' : usd(r.savedUsd)) },
    { label: 'p95 latency', class: 'num', value: (r) => duration(r.latencyMs.p95) },
  ];
  return dataTable(columns, rows, {
    class: 'compact',
    empty: 'No requests in this range.',
    rowHref: (r) => (r.group === '(other)' ? undefined : routeWithQuery(route('requests'), { ...range, filter: equalsFilter(field, r.group ?? '') })),
  }).element;
}
