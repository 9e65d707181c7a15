/**
 * "Why did the bill change?" (issue 13 §2): the spans read in ClickHouse (explain-sql.ts: property
 * names, every group per window, the top groups' hours),
 * then in TypeScript the decomposition of Δcost by driver for every dimension
 * (decomposition.ts), change points in the hourly series of the top groups
 * (series-findings.ts), findings grouped by cause and ranked by dollars (finding-ranking.ts),
 * told in words with links to the requests (finding-text.ts), and groups new or gone.
 */
import { QueryParams } from '@tokentrace/processors';
import { queryContext, selectRows, type QueryContext } from '../../queries/query-context.js';
import { QueryError } from '../../queries/query-error.js';
import { cellCost, decompose, zeroDrivers, type CostCell } from './decomposition.js';
import { DRIVERS, type DimensionDecomposition, type ExplainRequest, type ExplainResult, type GroupChange } from './explain-model.js';
import { checkRanges } from './explain-range.js';
import { explainSources } from './explain-source.js';
import { buildDimensions, figuresOf, seriesFrame, type DimensionData } from './explain-series.js';
import { dimensionsOf, hourlySeriesSql, propertyNamesSql, windowFiguresSql, type ExplainRow, type ExplainScan, type SeriesRow } from './explain-sql.js';
import { rankFindings } from './finding-ranking.js';
import { newThingSentence, toFinding } from './finding-text.js';
import { seriesCandidates } from './series-findings.js';

export const DEFAULT_TOP_SERIES = 8;
const MAX_FINDINGS = 20;
const MAX_GROUPS = 20;
const MAX_CHANGES = 10;
/** New or vanished groups worth a line: at least this share of their window's cost. */
const MIN_CHANGE_SHARE = 0.01;

export const DECOMPOSITION_METHOD =
  'Per group g and cost kind k: C = N · s_g · t_gk · p_gk (requests of the dimension, the group\'s share, tokens of kind k per request, price per token of kind k); ' +
  'the change of each product from baseline to period split among its factors by the Shapley value (average over the 4! orders), so the parts add up to Δcost exactly. ' +
  'Drivers: volume (N), mix (s), input/cached/output/reasoning tokens per request (t), price (p).';

export class Explainer {
  constructor(private readonly ctx: QueryContext) {}

  async explain(request: ExplainRequest): Promise<ExplainResult> {
    const { projectId, period, baseline } = request;
    if (typeof projectId !== 'string' || projectId === '' || projectId.length > 1024) throw new QueryError('projectId must have 1 to 1024 characters', 'projectId');
    checkRanges(period, baseline);
    const topSeries = request.topSeries ?? DEFAULT_TOP_SERIES;
    if (!Number.isInteger(topSeries) || topSeries < 1 || topSeries > 50) throw new QueryError('topSeries must be an integer from 1 to 50', 'topSeries');
    const { windows, series } = await readExplainRows({ ctx: this.ctx, projectId, period, baseline }, request.by, topSeries);
    const frame = seriesFrame(period, baseline);
    const { total, dimensions } = buildDimensions(windows, series, frame);
    const totals = { baseline: figuresOf(total[0]), period: figuresOf(total[1]), deltaUsd: cellCost(total[1]) - cellCost(total[0]) };
    const candidates = dimensions.flatMap((d) => seriesCandidates(d, frame));
    return {
      period: { from: new Date(period.fromMs).toISOString(), to: new Date(period.toMs).toISOString() },
      baseline: { from: new Date(baseline.fromMs).toISOString(), to: new Date(baseline.toMs).toISOString() },
      totals,
      method: DECOMPOSITION_METHOD,
      dimensions: dimensions.map(decomposition).sort((a, b) => a.dimension.localeCompare(b.dimension)),
      findings: rankFindings(candidates, MAX_FINDINGS).map((c) => toFinding(c, period, frame.firstHour)),
      newThings: changes(dimensions, 1, cellCost(total[1])),
      vanished: changes(dimensions, 0, cellCost(total[0])),
    };
  }
}

/** The three reads of explain-sql.ts: property names, every group per window, the top groups' hours. */
async function readExplainRows(scan: ExplainScan, by: string[] | undefined, topSeries: number): Promise<{ windows: ExplainRow[]; series: SeriesRow[] }> {
  let properties: string[] = [];
  if (by === undefined) {
    const params = new QueryParams();
    properties = (await selectRows<{ name: string }>(scan.ctx, propertyNamesSql(scan, params), params)).map((r) => r.name);
  }
  const params = new QueryParams();
  const dims = dimensionsOf(by, properties, params);
  const sources = await explainSources(scan, dims);
  const windows = await selectRows<ExplainRow>(scan.ctx, windowFiguresSql(scan, dims, params, sources.windows), params);
  // The top groups of each dimension by cost over both windows (then by name: a stable order).
  const costs = new Map<string, Map<string, number>>();
  for (const r of windows) {
    if (r.dim === '' || Number(r.w) === 2) continue;
    const byGroup = costs.get(r.dim) ?? costs.set(r.dim, new Map()).get(r.dim)!;
    byGroup.set(r.grp, (byGroup.get(r.grp) ?? 0) + Number(r.cost));
  }
  const top = new Map([...costs].map(([dim, groups]) => [dim, [...groups].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, topSeries).map(([g]) => g)]));
  if (dims.length === 0) return { windows, series: [] };
  const hourlyParams = new QueryParams();
  const hourlyDims = dimensionsOf(by, properties, hourlyParams);
  const series = await selectRows<SeriesRow>(scan.ctx, hourlySeriesSql(scan, hourlyDims, top, hourlyParams, sources.series), hourlyParams);
  return { windows, series };
}

function decomposition(dim: DimensionData): DimensionDecomposition {
  const [before, after] = dim.cells;
  const byGroup = decompose(before, after);
  const drivers = zeroDrivers();
  for (const d of byGroup.values()) for (const k of DRIVERS) drivers[k] += d[k];
  const groups = [...byGroup.entries()].map(([group, d]) => {
    const b = figuresOf(before.get(group));
    const p = figuresOf(after.get(group));
    return { group, baseline: b, period: p, deltaUsd: p.costUsd - b.costUsd, drivers: d };
  });
  groups.sort((a, b) => Math.abs(b.deltaUsd) - Math.abs(a.deltaUsd) || a.group.localeCompare(b.group));
  return { dimension: dim.dimension, drivers, groups: groups.slice(0, MAX_GROUPS), groupCount: groups.length };
}

/** Groups with calls in window `w` only (1: new in the period; 0: vanished from the baseline). */
function changes(dimensions: DimensionData[], w: 0 | 1, windowCost: number): GroupChange[] {
  const out: GroupChange[] = [];
  for (const dim of dimensions) {
    for (const [group, cell] of dim.cells[w] as Map<string, CostCell>) {
      if (group === '' || dim.cells[1 - w].has(group)) continue;
      const costUsd = cellCost(cell);
      const share = windowCost > 0 ? costUsd / windowCost : 0;
      if (share < MIN_CHANGE_SHARE) continue;
      const change = { dimension: dim.dimension, group, costUsd, share, requests: cell.requests };
      out.push({ ...change, sentence: newThingSentence(change, w === 1) });
    }
  }
  return out.sort((a, b) => b.costUsd - a.costUsd).slice(0, MAX_CHANGES);
}

/**
 * An explainer on `database` through `client` (on a cluster, `spans` is the Distributed table);
 * with `rollup` (the builder's grace), it reads through the usage rollup (explain-source.ts).
 */
export function createExplainer(client: QueryContext['client'], database: string, cluster = false, rollup?: { graceMs: number }): Explainer {
  return new Explainer(queryContext(client, database, cluster, rollup));
}
