/**
 * The shapes of the month-end forecast (issue 13 §3), as `forecastMonth` returns them and
 * GET /api/v1/forecast serves them (the OpenAPI schema in forecast-openapi.ts spells the same).
 * Money in USD; days as ISO dates (`2026-12-01`, UTC); `end` is the first day after a period.
 */

export interface SpendInterval {
  lowUsd: number;
  highUsd: number;
}

export interface PeriodForecast {
  /** First day of the billing period (UTC). */
  start: string;
  /** The day after its last day. */
  end: string;
  /** The median of the simulated period totals. */
  forecastUsd: number;
  interval80: SpendInterval;
  interval95: SpendInterval;
}

export interface CurrentPeriodForecast extends PeriodForecast {
  /** Spent from the period's start until now (exact, from the stored spans). */
  spentUsd: number;
  /** Days of the period begun so far (today counts), and its length. */
  daysElapsed: number;
  days: number;
}

/** What the daily model found in the history (daily-model.ts). */
export interface ModelSummary {
  /** `log-linear` (weekday effects, trend), `sparse` (spend on few days: resampled), `empty` (no history). */
  kind: 'log-linear' | 'sparse' | 'empty';
  historyDays: number;
  weekly: boolean;
  /** Daily growth of spend, e.g. 0.01 = +1 % a day (0 when not estimated). */
  trendPerDay: number;
  /** Sunday first; 1 = an average day. */
  weekdayFactors: number[];
  /** Expected spend per day over the next 7 days. */
  dailyRunRateUsd: number;
}

export interface BudgetOutlook {
  budgetUsd: number;
  spentUsd: number;
  /** Share of the simulated futures in which the period's spend exceeds the budget. */
  exceedProbability: number;
  /** The forecast (median) is above the budget: "projected to exceed". */
  projectedToExceed: boolean;
  /** The day the budget runs out at this rate (median over the simulated futures), null when it most likely lasts the period. */
  runsOutOn: string | null;
  /** The day spend passed the budget, when it already has. */
  exhaustedOn: string | null;
}

export interface GroupForecast {
  /** The group's value when grouped (`(other)` for the rest), absent for the project. */
  group?: string;
  current: CurrentPeriodForecast;
  next: PeriodForecast;
  model: ModelSummary;
  /** Plain sentences about what limits the forecast (little data, sparse spend). */
  notes: string[];
  /** The group's own outlook against the budget, when asked for (`groupBudgets`: budget alerts per group). */
  budget?: BudgetOutlook;
}

export interface MonthForecast {
  projectId: string;
  generatedAt: string;
  billingDay: number;
  /** The grouping asked for (`model`, `property:Feature`, …), null when none. */
  by: string | null;
  /** The project (after the filter, if any). */
  total: GroupForecast;
  /** One per group, largest current forecast first, when `by` was given. */
  groups: GroupForecast[];
  budget: BudgetOutlook | null;
  /** One line, e.g. "Month-end forecast $3,870 (80 %: $3,410–$4,390); $2,010 spent so far; …". */
  summary: string;
  /** The total's notes, lifted for display. */
  note: string | null;
}
