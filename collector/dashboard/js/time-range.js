/**
 * The time range of a page, kept in the URL hash (`?since=7d`, or `?from=…&to=…` in ISO-8601) so
 * a view can be bookmarked and reloaded. Sent to the API as the same parameters.
 */
import { h } from './dom.js';

export const RANGE_CHOICES = [
  ['1h', 'Last hour'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
  ['90d', 'Last 90 days'],
];

/** The API parameters for the page's range: from/to when both are in the URL, else since. */
export function rangeParams(query, defaultSince) {
  const from = query.get('from');
  const to = query.get('to');
  if (from && to) return { from, to };
  return { since: query.get('since') || defaultSince };
}

/** A human label for the range. */
export function rangeLabel(params) {
  if (params.from) return `${params.from} – ${params.to}`;
  const known = RANGE_CHOICES.find(([value]) => value === params.since);
  return known ? known[1] : `Last ${params.since}`;
}

/** A select bound to `since`; `onChange(since)` navigates. A from/to range shows as "Custom". */
export function rangeSelect(query, defaultSince, onChange) {
  const params = rangeParams(query, defaultSince);
  const select = h('select', { name: 'since', 'aria-label': 'Time range', onchange: () => onChange(select.value) });
  const choices = [...RANGE_CHOICES];
  if (params.since && !choices.some(([value]) => value === params.since)) choices.push([params.since, `Last ${params.since}`]);
  if (params.from) select.append(h('option', { value: '', selected: true, disabled: true }, 'Custom range'));
  for (const [value, label] of choices) select.append(h('option', { value, selected: value === params.since }, label));
  return select;
}
