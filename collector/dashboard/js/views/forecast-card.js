/**
 * The month-end forecast as a card (issue 13 §3): "Month-end forecast $3,870 (80 %: $3,410–$4,390);
 * $2,010 spent so far; at this rate the $4,000 budget runs out on the 29th", from a MonthForecast
 * of GET /api/v1/forecast. Used by the forecast page; any page can place it.
 */
import { h } from '../dom.js';
import { usd } from '../format.js';

const range = (interval) => `${usd(interval.lowUsd)}–${usd(interval.highUsd)}`;

/** `2026-12-29` → `Dec 29` (UTC, fixed locale). */
export function dayLabel(isoDay) {
  return new Date(`${isoDay}T00:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

export function budgetText(budget) {
  if (!budget) return null;
  const amount = usd(budget.budgetUsd);
  if (budget.exhaustedOn) return `The ${amount} budget ran out on ${dayLabel(budget.exhaustedOn)}.`;
  if (budget.runsOutOn) return `At this rate the ${amount} budget runs out on ${dayLabel(budget.runsOutOn)} (${Math.round(budget.exceedProbability * 100)} % chance of exceeding it).`;
  return `The ${amount} budget should last (${Math.round(budget.exceedProbability * 100)} % chance of exceeding it).`;
}

export function forecastCard(forecast) {
  const c = forecast.total.current;
  const label = forecast.billingDay === 1 ? 'Month-end forecast' : `Forecast to ${dayLabel(c.end)}`;
  const budget = forecast.budget;
  return h('div', { class: `card forecast-card ${budget?.projectedToExceed ? 'over-budget' : ''}`, dataset: { card: 'forecast' } },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value', dataset: { figure: 'forecast' } }, usd(c.forecastUsd)),
    h('div', { class: 'card-sub', dataset: { figure: 'interval80' } }, `80 %: ${range(c.interval80)} · 95 %: ${range(c.interval95)}`),
    h('div', { class: 'card-sub', dataset: { figure: 'spent' } }, `${usd(c.spentUsd)} spent so far (day ${c.daysElapsed} of ${c.days})`),
    budget ? h('div', { class: 'card-sub budget', dataset: { figure: 'budget' } }, budgetText(budget)) : null,
  );
}
