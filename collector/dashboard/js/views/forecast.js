/**
 * Forecast: this billing period's and the next one's spend with 80 % / 95 % intervals, for the
 * project and per group (`?by=model`, `?by=property:feature`, …), against a budget (`?budget=`),
 * for a billing start day (`?billingDay=`). Everything from GET /api/v1/forecast; the model's
 * notes (little data, sparse spend, a level shift) are shown as they come.
 */
import { apiGet } from '../api.js';
import { append, h, notice, panel, routeWithQuery } from '../dom.js';
import { groupLabel, percent, usd } from '../format.js';
import { dataTable } from '../table.js';
import { budgetText, dayLabel, forecastCard } from './forecast-card.js';

const GROUPINGS = [['', 'Project only'], ['model', 'Model'], ['property:feature', 'Feature (property)'], ['prompt_id', 'Prompt'], ['user', 'User'], ['service', 'Service'], ['environment', 'Environment']];
const range = (interval) => `${usd(interval.lowUsd)}–${usd(interval.highUsd)}`;

export async function render({ root, query, signal, go }) {
  const params = { by: query.get('by') ?? '', budget: query.get('budget') ?? '', billingDay: query.get('billingDay') ?? '' };
  const forecast = await apiGet('forecast', params, signal);
  const c = forecast.total.current;
  const n = forecast.total.next;

  const by = h('select', { name: 'by', 'aria-label': 'Group by' },
    GROUPINGS.map(([value, label]) => h('option', { value, selected: value === params.by }, label)),
    params.by && !GROUPINGS.some(([value]) => value === params.by) ? h('option', { value: params.by, selected: true }, params.by) : null,
  );
  const budget = h('input', { name: 'budget', type: 'number', min: '0', step: 'any', placeholder: 'Budget (USD)', value: params.budget, 'aria-label': 'Budget in USD' });
  const billingDay = h('input', { name: 'billingDay', type: 'number', min: '1', max: '28', placeholder: 'Billing day', value: params.billingDay, 'aria-label': 'Billing start day' });
  const form = h('form', { class: 'filter-bar forecast-options', onsubmit: (e) => {
    e.preventDefault();
    go(routeWithQuery('#/forecast', { by: by.value, budget: budget.value, billingDay: billingDay.value }));
  } }, by, budget, billingDay, h('button', { type: 'submit' }, 'Apply'));

  append(root, [
    h('div', { class: 'page-head' }, h('h1', null, 'Forecast'), form),
    h('p', { class: 'forecast-summary', dataset: { figure: 'summary' } }, forecast.summary),
    forecast.total.notes.map((note) => notice('info', note)),
    h('div', { class: 'cards', dataset: { section: 'forecast' } },
      forecastCard(forecast),
      card(`Next period (${dayLabel(n.start)} – ${dayLabel(n.end)})`, usd(n.forecastUsd), `80 %: ${range(n.interval80)}`, 'next'),
      card('Daily run rate', usd(forecast.total.model.dailyRunRateUsd), trendText(forecast.total.model), 'run-rate'),
      forecast.budget ? card('Chance of exceeding the budget', percent(forecast.budget.exceedProbability), budgetText(forecast.budget), 'budget') : null,
    ),
    forecast.groups.length > 0 ? panel(`By ${groupingLabel(forecast.by)}`, groupTable(forecast.groups, c, n)) : null,
    h('p', { class: 'muted' }, `Billing periods start on day ${forecast.billingDay} of the month (UTC). The forecast is the median of simulated futures of a daily model with weekday effects, a damped trend and level shifts, fitted to up to 56 days of spend; the intervals hold 80 % and 95 % of those futures.`),
  ]);
}

function card(label, value, sub, name) {
  return h('div', { class: 'card', dataset: { card: name } }, h('div', { class: 'card-label' }, label), h('div', { class: 'card-value' }, value), h('div', { class: 'card-sub muted' }, sub));
}

function trendText(model) {
  if (model.kind === 'sparse') return 'spend on few days';
  if (model.kind === 'empty') return 'no history yet';
  const trend = model.trendPerDay === 0 ? 'no trend estimated' : `trend ${model.trendPerDay > 0 ? '+' : ''}${(model.trendPerDay * 100).toFixed(1)} % a day`;
  return `next 7 days · ${trend} · ${model.historyDays} days of history`;
}

function groupingLabel(by) {
  return by?.startsWith('property:') ? `property.${by.slice('property:'.length)}` : (GROUPINGS.find(([value]) => value === by)?.[1] ?? by);
}

function groupTable(groups, current, next) {
  const columns = [
    { label: 'Group', value: (g) => groupLabel(g.group) },
    { label: `Spent since ${dayLabel(current.start)}`, class: 'num', value: (g) => usd(g.current.spentUsd) },
    { label: `Forecast to ${dayLabel(current.end)}`, class: 'num', value: (g) => usd(g.current.forecastUsd) },
    { label: '80 %', class: 'num', value: (g) => range(g.current.interval80) },
    { label: '95 %', class: 'num', value: (g) => range(g.current.interval95) },
    { label: `Next to ${dayLabel(next.end)}`, class: 'num', value: (g) => usd(g.next.forecastUsd) },
    { label: 'Notes', value: (g) => g.notes.join('; '), class: 'muted' },
  ];
  return dataTable(columns, groups, { class: 'compact forecast-groups', empty: 'No spend in this project.' }).element;
}
