/**
 * The forecast in one line, as the card, the CLI and alert messages say it (issue 13 §3):
 * "Month-end forecast $3,870 (80 %: $3,410–$4,390); $2,010 spent so far; at this rate the $4,000
 * budget runs out on the 29th". Fixed en-US formats, UTC days.
 */
import type { BudgetOutlook, GroupForecast, PeriodForecast } from './forecast-types.js';

const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const cents = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** $3,870 from $100 up, $12.34 from $1, $0.0123 below. */
export function formatForecastUsd(value: number): string {
  if (value >= 100) return `$${whole.format(value)}`;
  if (value >= 1) return `$${cents.format(value)}`;
  return `$${value.toFixed(4)}`;
}

/** `2026-12-29` → `the 29th`. */
export function ordinalDay(isoDay: string): string {
  return `the ${ordinal(Number(isoDay.slice(8, 10)))}`;
}

/** `29` → `29th`. */
export function ordinal(d: number): string {
  const suffix = d % 100 >= 11 && d % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][d % 10] ?? 'th');
  return `${d}${suffix}`;
}

/** `Month-end forecast` (calendar months), or `Forecast for the billing period to 2027-01-15` (`end`: the day after its last). */
export function forecastHeading(end: string, calendarMonth: boolean): string {
  return calendarMonth ? 'Month-end forecast' : `Forecast for the billing period to ${end}`;
}

/** `$3,870 (80 %: $3,410–$4,390)`. */
export function forecastFigure(p: Pick<PeriodForecast, 'forecastUsd' | 'interval80'>): string {
  return `${formatForecastUsd(p.forecastUsd)} (80 %: ${formatForecastUsd(p.interval80.lowUsd)}–${formatForecastUsd(p.interval80.highUsd)})`;
}

export function forecastSummary(total: GroupForecast, budget: BudgetOutlook | null, calendarMonth: boolean): string {
  const c = total.current;
  let text = `${forecastHeading(c.end, calendarMonth)} ${forecastFigure(c)}; ${formatForecastUsd(c.spentUsd)} spent so far`;
  if (budget) {
    const amount = formatForecastUsd(budget.budgetUsd);
    if (budget.exhaustedOn) text += `; the ${amount} budget ran out on ${ordinalDay(budget.exhaustedOn)}`;
    else if (budget.runsOutOn) text += `; at this rate the ${amount} budget runs out on ${ordinalDay(budget.runsOutOn)}`;
    else text += `; the ${amount} budget should last (${Math.round(budget.exceedProbability * 100)} % chance of exceeding it)`;
  }
  return text;
}
