/**
 * Runs a query over a source plan (request-source.ts) and makes sure the plan still held: the
 * parts it read plainly must all still be active afterwards (parts never come back, so then they
 * were active throughout). If a merge replaced one mid-query, the query runs again on a fresh
 * plan; the last attempt reads every day with FINAL, which pins nothing.
 */
import type { QueryContext } from './query-context.js';
import type { RangeMs } from './query-sql.js';
import { partsStillActive } from './request-days.js';
import { planSource, type PlanOptions, type SourcePlan } from './request-source.js';

const ATTEMPTS = 3;

/** Gets what the plan found to maintain (days to compact, rollups to build), for the background. */
export type MaintenanceHint = (plan: Pick<SourcePlan, 'unbuilt' | 'unsettled' | 'overlapping'>) => void;

export async function withStablePlan<T>(
  ctx: QueryContext,
  projectId: string,
  range: RangeMs,
  options: PlanOptions,
  run: (plan: SourcePlan) => Promise<T>,
  onMaintenance?: MaintenanceHint,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const plan = await planSource(ctx, projectId, range, { ...options, allFinal: attempt === ATTEMPTS });
    const result = await run(plan);
    if (attempt === ATTEMPTS || (await partsStillActive(ctx, plan.pinnedParts))) {
      if (plan.unbuilt.length > 0 || plan.unsettled.length > 0) onMaintenance?.(plan);
      return result;
    }
  }
}
