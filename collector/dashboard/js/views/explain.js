/**
 * Explain: why cost changed between the page's range and a baseline (GET /api/v1/explain,
 * issue 13 §2): the totals, the findings ranked by dollars (a sentence each, linked to the
 * requests that show it), groups new or gone, and Δcost by driver for every dimension (the parts
 * of each row add up to Δcost).
 */
import { apiGet } from '../api.js';
import { append, facts, h, panel, routeWithQuery } from '../dom.js';
import { count, usd } from '../format.js';
import { dataTable } from '../table.js';
import { rangeParams, rangeSelect } from '../time-range.js';

const DEFAULT_SINCE = '7d';
const BASELINES = [['previous', 'the period before'], ['previous-week', 'the same hours a week earlier']];
const DRIVERS = [['volume', 'Volume'], ['mix', 'Mix'], ['input_tokens', 'Input tok'], ['cached_tokens', 'Cached tok'], ['output_tokens', 'Output tok'], ['reasoning_tokens', 'Reasoning tok'], ['price', 'Price']];

const signed = (x) => (x >= 0 ? `+${usd(x)}` : `−${usd(-x)}`);

export async function render({ root, query, signal, go }) {
  const range = rangeParams(query, DEFAULT_SINCE);
  const baseline = query.get('baseline') || 'previous';
  const result = await apiGet('explain', { ...range, baseline }, signal);
  const here = (changes) => routeWithQuery('#/explain', { ...range, baseline, ...changes });
  const baselineSelect = h('select', { name: 'baseline', 'aria-label': 'Baseline', onchange: () => go(here({ baseline: baselineSelect.value })) },
    BASELINES.map(([value, label]) => h('option', { value, selected: value === baseline }, `against ${label}`)));
  const { totals } = result;
  const pct = totals.baseline.costUsd > 0 ? ` (${signed(totals.deltaUsd).slice(0, 1)}${(Math.abs(totals.deltaUsd / totals.baseline.costUsd) * 100).toFixed(1)} %)` : '';
  const findings = result.findings.length === 0
    ? h('p', { class: 'muted empty' }, 'No change point or shift stands out: the change is volume and noise (see the drivers below).')
    : h('ol', { class: 'findings' }, result.findings.map((f) => h('li', { class: 'finding', dataset: { dimension: f.dimension, group: f.group, metric: f.metric } },
      h('span', { class: 'sentence' }, f.sentence), ' ',
      h('a', { href: f.link, class: 'requests-link' }, 'requests →'))));
  const changes = [...result.newThings, ...result.vanished];
  const driverColumns = [
    { label: 'Dimension', value: (d) => d.dimension },
    ...DRIVERS.map(([key, label]) => ({ label, class: 'num', value: (d) => signed(d.drivers[key]) })),
    { label: 'Groups', class: 'num', value: (d) => count(d.groupCount) },
  ];
  append(root, [
    h('div', { class: 'page-head' },
      h('h1', null, 'Why did cost change?'),
      h('div', { class: 'controls' }, rangeSelect(query, DEFAULT_SINCE, (since) => go(routeWithQuery('#/explain', { since, baseline }))), ' ', baselineSelect),
    ),
    panel(null, facts([
      ['Cost', `${usd(totals.baseline.costUsd)} → ${usd(totals.period.costUsd)}`],
      ['Change', `${signed(totals.deltaUsd)}${pct}`],
      ['Requests', `${count(totals.baseline.requests)} → ${count(totals.period.requests)}`],
      ['Period', `${result.period.from} – ${result.period.to}`],
      ['Baseline', `${result.baseline.from} – ${result.baseline.to}`],
    ])),
    panel('Why, by dollars', findings),
    changes.length > 0 ? panel('New and gone', h('ul', { class: 'changes' }, changes.map((c) => h('li', null, c.sentence)))) : null,
    panel('Δcost by driver', h('p', { class: 'muted' }, result.method), dataTable(driverColumns, result.dimensions, { class: 'drivers compact', empty: 'No model calls in these ranges.' }).element),
  ]);
}
