/**
 * The explainer's rows turned into what the analysis reads: per dimension, every group's figures
 * by window (the decomposition's cells) and, for the top groups, hourly series over the hours
 * from the first window's start to the last one's end; plus each dimension's seasonal exposure
 * for requests per hour: the hour-by-hour median, across its other top groups, of each group's
 * requests relative to its own mean hour. The median follows the daily and weekly cycle all
 * groups share, and one group's surge does not move it (as it would move the total).
 */
import { median } from '../change-points/index.js';
import { cellCost, type CostCell } from './decomposition.js';
import type { ExplainRow, SeriesRow } from './explain-sql.js';
import type { MsRange, WindowFigures } from './explain-model.js';

export const HOUR_MS = 3_600_000;

export interface HourlySeries {
  dimension: string;
  group: string;
  requests: Float64Array;
  cost: Float64Array;
  input: Float64Array;
  output: Float64Array;
  costIn: Float64Array;
  costOut: Float64Array;
}

export interface DimensionData {
  dimension: string;
  /** Every group's cell per window: [baseline, period]. */
  cells: [Map<string, CostCell>, Map<string, CostCell>];
  series: HourlySeries[];
  /** Each top series' requests relative to its mean hour (undefined: under one request an hour). */
  normalized: Map<HourlySeries, Float64Array>;
}

export interface SeriesFrame {
  /** First hour (hour number since the epoch) and number of hours. */
  firstHour: number;
  hours: number;
  /** Per hour: 0 baseline, 1 period, 2 neither. */
  window: Uint8Array;
}

export function seriesFrame(period: MsRange, baseline: MsRange): SeriesFrame {
  const firstHour = Math.floor(Math.min(period.fromMs, baseline.fromMs) / HOUR_MS);
  const hours = Math.ceil(Math.max(period.toMs, baseline.toMs) / HOUR_MS) - firstHour;
  const window = new Uint8Array(hours);
  for (let i = 0; i < hours; i++) {
    const t = (firstHour + i) * HOUR_MS;
    window[i] = t >= period.fromMs && t < period.toMs ? 1 : t >= baseline.fromMs && t < baseline.toMs ? 0 : 2;
  }
  return { firstHour, hours, window };
}

function emptyCell(): CostCell {
  const k = () => ({ tokens: 0, cost: 0 });
  return { requests: 0, input: k(), cached: k(), output: k(), reasoning: k(), other: k() };
}

/** Adds a row's figures to a cell, by kind (decomposition.ts). */
function addToCell(cell: CostCell, r: ExplainRow): void {
  const input = Number(r.input);
  const cached = Math.min(Number(r.cached), input);
  const output = Number(r.output);
  const reasoning = Math.min(Number(r.reasoning), output);
  const costIn = Number(r.cost_in);
  const costCache = Math.min(Number(r.cost_cache), costIn);
  const costOut = Number(r.cost_out);
  const reasoningCost = output > 0 ? (costOut * reasoning) / output : 0;
  cell.requests += Number(r.requests);
  cell.input.tokens += input - cached;
  cell.input.cost += costIn - costCache;
  cell.cached.tokens += cached;
  cell.cached.cost += costCache;
  cell.output.tokens += output - reasoning;
  cell.output.cost += costOut - reasoningCost;
  cell.reasoning.tokens += reasoning;
  cell.reasoning.cost += reasoningCost;
  cell.other.cost += Number(r.cost) - costIn - costOut;
}

export function figuresOf(cell: CostCell | undefined): WindowFigures {
  if (!cell) return { requests: 0, costUsd: 0, inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 };
  return {
    requests: cell.requests,
    costUsd: cellCost(cell),
    inputTokens: cell.input.tokens + cell.cached.tokens,
    cachedTokens: cell.cached.tokens,
    outputTokens: cell.output.tokens + cell.reasoning.tokens,
    reasoningTokens: cell.reasoning.tokens,
  };
}

/** Groups the rows by dimension; the total travels as dimension ''. Properties get a '' group for the calls without them. */
export function buildDimensions(rows: ExplainRow[], seriesRows: SeriesRow[], frame: SeriesFrame): { total: [CostCell, CostCell]; dimensions: DimensionData[] } {
  const byDim = new Map<string, DimensionData>();
  const total: [CostCell, CostCell] = [emptyCell(), emptyCell()];
  const arr = () => new Float64Array(frame.hours);
  const dimension = (name: string) => {
    let dim = byDim.get(name);
    if (!dim) byDim.set(name, (dim = { dimension: name, cells: [new Map(), new Map()], series: [], normalized: new Map() }));
    return dim;
  };
  for (const r of rows) {
    const w = Number(r.w);
    if (w === 2) continue;
    if (r.dim === '') {
      addToCell(total[w], r);
      continue;
    }
    const cells = dimension(r.dim).cells[w];
    let cell = cells.get(r.grp);
    if (!cell) cells.set(r.grp, (cell = emptyCell()));
    addToCell(cell, r);
  }
  // In a stable order (the engine returns groups in any order).
  for (const r of [...seriesRows].sort((a, b) => a.dim.localeCompare(b.dim) || a.grp.localeCompare(b.grp))) {
    const s: HourlySeries = { dimension: r.dim, group: r.grp, requests: arr(), cost: arr(), input: arr(), output: arr(), costIn: arr(), costOut: arr() };
    r.hours.forEach((hour, j) => {
      const i = Number(hour) - frame.firstHour;
      if (i < 0 || i >= frame.hours) return;
      s.requests[i] += r.requests[j];
      s.cost[i] += r.cost[j];
      s.input[i] += r.input[j];
      s.output[i] += r.output[j];
      s.costIn[i] += r.cost_in[j];
      s.costOut[i] += r.cost_out[j];
    });
    dimension(r.dim).series.push(s);
  }
  for (const dim of byDim.values()) {
    if (dim.dimension.startsWith('property:')) addMissingGroup(dim, total);
    for (const s of dim.series) {
      const mean = s.requests.reduce((a, b) => a + b, 0) / frame.hours;
      if (mean >= 1) dim.normalized.set(s, s.requests.map((n) => n / mean));
    }
  }
  return { total, dimensions: [...byDim.values()] };
}

/** A property dimension holds only the calls that have the property: the rest (total − groups) becomes group ''. */
function addMissingGroup(dim: DimensionData, total: [CostCell, CostCell]): void {
  for (const w of [0, 1] as const) {
    const rest = structuredClone(total[w]);
    for (const cell of dim.cells[w].values()) {
      rest.requests -= cell.requests;
      for (const k of ['input', 'cached', 'output', 'reasoning', 'other'] as const) {
        rest[k].tokens -= cell[k].tokens;
        rest[k].cost -= cell[k].cost;
      }
    }
    if (rest.requests <= 0) continue;
    const none = dim.cells[w].get('');
    if (!none) dim.cells[w].set('', rest);
    else {
      none.requests += rest.requests;
      for (const k of ['input', 'cached', 'output', 'reasoning', 'other'] as const) {
        none[k].tokens += rest[k].tokens;
        none[k].cost += rest[k].cost;
      }
    }
  }
}

/**
 * The seasonal exposure of `series`: per hour, the median over the dimension's other top series
 * of their requests relative to their own mean hour (leave-one-out: the series' own surge must
 * not move its reference). All zero when fewer than two others have a request an hour.
 */
export function exposureFor(dim: DimensionData, series: HourlySeries, hours: number): Float64Array {
  const out = new Float64Array(hours);
  const others = [...dim.normalized].filter(([s]) => s !== series).map(([, n]) => n);
  if (others.length < 2) return out;
  for (let i = 0; i < hours; i++) out[i] = median(others.map((n) => n[i]));
  return out;
}
