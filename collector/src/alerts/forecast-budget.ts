/**
 * Budget rules on the forecast (issue 13 §3: "budget alerts can fire on the forecast, 'projected to
 * exceed', not only on spend so far"): a budget rule with `basis: 'forecast'` (cost over
 * `calendar_month`) compares the month-end forecast of insights/forecast — the rule's filter, per
 * its grouping — with its levels, instead of the spend so far. `forecastBound` says which figure:
 * the forecast itself (`point`, the median of the simulated period totals) or the high end of its
 * 80 % interval (`high80`). The window's scan still gives each group's requests (the minimum
 * request count) and spend so far; the forecast gives the rest. The forecast reads through the
 * spend-history cache (only today's spend once the complete days are cached), and such rules are
 * due every 15 minutes (evaluation-cadence.ts).
 *
 * A firing forecast alert resolves only once the compared figure is 5 % under the first level
 * (hysteresis): a forecast hovering at the budget does not flap from day to day.
 */
import { forecastMonth, type ForecastStore } from '../insights/forecast/forecast-month.js';
import { MAX_FORECAST_GROUPS } from '../insights/forecast/forecast-options.js';
import type { GroupForecast } from '../insights/forecast/forecast-types.js';
import { OTHER_GROUP } from '../queries/analytics.js';
import { parseFilterInput } from '../queries/filter/index.js';
import type { GroupBy } from '../queries/query-model.js';
import type { AlertRule, BudgetCondition, ForecastBound, StoredRule } from './alert-rule.js';
import type { WindowFigures } from './alert-metrics.js';
import type { Judgement } from './alert-state.js';

/**
 * Simulated futures per forecast (each group: half, at least 500). The simulation is most of a
 * forecast rule's cost (≈ 15 ms per 1000 futures of a group); half the forecast API's 2000 keeps the
 * median's sampling error a few hundredths of the spread, well inside what a budget level judges.
 */
export const ALERT_FORECAST_PATHS = 1000;

/** How far under the first level a firing forecast alert must fall to resolve (a share of the level). */
export const FORECAST_HYSTERESIS = 0.05;

/** What a forecast budget notification carries (`forecast` of the payload), in USD. */
export interface BudgetForecast {
  /** The billing period: its first day and the day after its last (UTC, ISO dates). */
  periodStart: string;
  periodEnd: string;
  forecastUsd: number;
  interval80: { lowUsd: number; highUsd: number };
  /** The figure compared with the budget, and which it is. */
  bound: ForecastBound;
  comparedUsd: number;
  spentUsd: number;
  /** Share of the simulated futures above the budget. */
  exceedProbability: number;
  /** When the budget runs out at this rate (null: it most likely lasts), or ran out (`exhaustedOn`). */
  runsOutOn: string | null;
  exhaustedOn: string | null;
}

export function isForecastRule(rule: Pick<AlertRule, 'condition'>): boolean {
  return rule.condition.type === 'budget' && rule.condition.basis === 'forecast';
}

/**
 * The forecast of the rule's cost for the billing period holding `nowMs`, per group (`''` for an
 * ungrouped rule; the largest 50 groups of a grouped one, `(other)` left out: it is no group).
 */
export async function readBudgetForecasts(store: ForecastStore, rule: StoredRule, nowMs: number, billingDay: number): Promise<Map<string, BudgetForecast>> {
  const c = rule.condition as BudgetCondition;
  const f = await forecastMonth(store, rule.projectId, {
    now: new Date(nowMs),
    billingDay,
    budgetUsd: c.amount,
    by: (rule.groupBy || undefined) as GroupBy | undefined,
    filter: parseFilterInput(rule.filter || undefined),
    limit: MAX_FORECAST_GROUPS,
    groupBudgets: true,
    paths: ALERT_FORECAST_PATHS,
  });
  const figures = (g: GroupForecast, budget = g.budget): BudgetForecast => ({
    periodStart: g.current.start,
    periodEnd: g.current.end,
    forecastUsd: g.current.forecastUsd,
    interval80: g.current.interval80,
    bound: c.forecastBound ?? 'point',
    comparedUsd: c.forecastBound === 'high80' ? g.current.interval80.highUsd : g.current.forecastUsd,
    spentUsd: g.current.spentUsd,
    exceedProbability: budget?.exceedProbability ?? 0,
    runsOutOn: budget?.runsOutOn ?? null,
    exhaustedOn: budget?.exhaustedOn ?? null,
  });
  if (!rule.groupBy) return new Map([['', figures(f.total, f.budget ?? undefined)]]);
  return new Map(f.groups.filter((g) => g.group !== OTHER_GROUP).map((g) => [g.group ?? '', figures(g)]));
}

/**
 * A (rule, group) judged on its forecast: the level the compared figure reached, when the group
 * has the minimum request count in the period so far. `firing`: the alert fires now (hysteresis).
 */
export function judgeForecast(rule: AlertRule, window: WindowFigures, forecast: BudgetForecast | undefined, firing: boolean): Judgement {
  const c = rule.condition as BudgetCondition;
  const first = c.levels[0];
  const percentSpent = (window.costUsd / c.amount) * 100;
  if (!forecast) return { breached: false, value: null, severity: first.severity, threshold: (c.amount * first.percent) / 100, level: 0, percentSpent };
  const percent = (forecast.comparedUsd / c.amount) * 100;
  const judged = window.requests >= rule.minRequests;
  const reached = judged ? c.levels.filter((l) => percent >= l.percent).at(-1) : undefined;
  const shown = reached ?? first;
  const holding = firing && judged && !reached && percent >= first.percent * (1 - FORECAST_HYSTERESIS);
  return {
    breached: reached !== undefined,
    value: forecast.comparedUsd,
    severity: shown.severity,
    threshold: (c.amount * shown.percent) / 100,
    level: reached?.percent ?? 0,
    percentSpent,
    undecided: holding,
    forecast,
  };
}
