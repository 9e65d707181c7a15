/**
 * Where the explainer's reads take their rows (issue 13 at 10 M spans): through the usage rollup
 * the way analytics do (../../queries/rollup-read.ts) when the collector reads it. The windows'
 * figures come from day and hour builds that lie wholly in one window (the plan splits at the
 * windows' ends; an hour a window's end cuts, and every hour not clean, is read from spans
 * FINAL); the hourly series from hour builds and the same raw hours. Dimensions the rollup does
 * not keep (custom properties not in `rollup.properties`) are read from spans FINAL alone.
 * Sums are exact either way (Decimal costs, integer counts): the answer is the one spans FINAL
 * alone gives (explain-rollup.test.ts).
 */
import { planFromState, readPlanState } from '../../queries/rollup-read.js';
import type { Dimension, ExplainScan, ExplainSource } from './explain-sql.js';

export interface ExplainSources {
  windows?: ExplainSource;
  series?: ExplainSource;
}

/** The sources of a scan's two figure reads over `dims`; none when there is no rollup to read or no clean build in the range. */
export async function explainSources(scan: ExplainScan, dims: Dimension[]): Promise<ExplainSources> {
  const rollup = scan.ctx.rollup;
  if (rollup === undefined) return {};
  const { period, baseline } = scan;
  const range = { fromMs: Math.min(period.fromMs, baseline.fromMs), toMs: Math.max(period.toMs, baseline.toMs) };
  const state = await readPlanState(scan.ctx, scan.projectId, range);
  if (state === undefined) return {};
  // The dimensions the rollup keeps now: those of the range's newest hour build (the configured properties).
  let newest: { builtAt: number; dims: readonly string[] } | undefined;
  for (const b of state.builds.hour.values()) if (newest === undefined || b.builtAt > newest.builtAt) newest = b;
  if (newest === undefined || !newest.dims.includes('')) return {};
  const names = ['', ...dims.map((d) => d.name).filter((n) => newest.dims.includes(n))];
  const rolled = new Set(names);
  const windows = planFromState(state, rollup.graceMs, range, names, undefined, [period.fromMs, period.toMs, baseline.fromMs, baseline.toMs]);
  const series = planFromState(state, rollup.graceMs, range, names, 'hour');
  return { ...(windows ? { windows: { plan: windows, rolled } } : {}), ...(series ? { series: { plan: series, rolled } } : {}) };
}
