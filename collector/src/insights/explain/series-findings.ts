/**
 * Change points in the hourly series of the top groups of each dimension, one candidate finding
 * per shift, with the dollars it accounts for over the period (detector: ../change-points):
 *
 * - cost per request, input and output tokens per request: hourly means weighted by the hour's
 *   requests, `relative` family (spread proportional to the level);
 * - requests per hour: requests over the dimension's seasonal exposure (explain-series.ts),
 *   `poisson` family, so the daily and weekly cycle is no change.
 *
 * Several change points in one direction in a series are one `drift`; a series without change
 * point whose period level still differs from its baseline level by ≥ 10 % (|z| ≥ 4) is a
 * `level` finding. Shifts from or to nothing are left to new/vanished things.
 */
import { detectChangePoints, type ChangePointResult } from '../change-points/index.js';
import type { Finding, Metric } from './explain-model.js';
import { exposureFor, type DimensionData, type HourlySeries, type SeriesFrame } from './explain-series.js';

/** A finding before ranking: its timing as hour indexes, its window levels and dollars. */
export type Candidate = Omit<Finding, 'sentence' | 'filter' | 'link' | 'related' | 'at' | 'until'> & { atHour?: number; untilHour?: number };

const MIN_REQUESTS = 30;
const MIN_RELATIVE = 0.1;
const LEVEL_Z = 4;

interface MetricSeries {
  metric: Metric;
  values: number[];
  weights: number[];
  family: 'relative' | 'poisson';
  /** Dollars per unit of the metric per request (per-request metrics) or per request (requests per hour). */
  unitUsd: number;
  /** Per hour, what one unit of the metric is multiplied by to give dollars: requests, or exposure × cost per request. */
  scale: (i: number) => number;
}

export function seriesCandidates(dim: DimensionData, frame: SeriesFrame): Candidate[] {
  const out: Candidate[] = [];
  for (const s of dim.series) {
    if (s.group === '') continue;
    for (const m of metricSeries(s, exposureFor(dim, s, frame.hours), frame)) out.push(...candidatesOf(s, m, frame));
  }
  return out;
}

function sumWhere(xs: Float64Array, frame: SeriesFrame, w: number, from = 0): number {
  let sum = 0;
  for (let i = from; i < xs.length; i++) if (frame.window[i] === w) sum += xs[i];
  return sum;
}

function metricSeries(s: HourlySeries, exposure: Float64Array, frame: SeriesFrame): MetricSeries[] {
  const requests = Array.from(s.requests);
  const perRequest = (xs: Float64Array) => requests.map((n, i) => (n > 0 ? xs[i] / n : Number.NaN));
  const periodRequests = sumWhere(s.requests, frame, 1);
  const periodCost = sumWhere(s.cost, frame, 1);
  const price = (cost: Float64Array, tokens: Float64Array) => {
    const t = sumWhere(tokens, frame, 1) || sumWhere(tokens, frame, 0);
    return t > 0 ? (sumWhere(cost, frame, 1) || sumWhere(cost, frame, 0)) / t : 0;
  };
  const byRequests = (i: number) => requests[i];
  const costPerRequest = periodRequests > 0 ? periodCost / periodRequests : sumWhere(s.cost, frame, 0) / Math.max(1, sumWhere(s.requests, frame, 0));
  const out: MetricSeries[] = [
    { metric: 'cost_per_request', values: perRequest(s.cost), weights: requests, family: 'relative', unitUsd: 1, scale: byRequests },
    { metric: 'input_tokens_per_request', values: perRequest(s.input), weights: requests, family: 'relative', unitUsd: price(s.costIn, s.input), scale: byRequests },
    { metric: 'output_tokens_per_request', values: perRequest(s.output), weights: requests, family: 'relative', unitUsd: price(s.costOut, s.output), scale: byRequests },
  ];
  if (exposure.some((e) => e > 0)) {
    out.push({
      metric: 'requests_per_hour',
      values: requests.map((n, i) => (exposure[i] > 0 ? n / exposure[i] : Number.NaN)),
      weights: Array.from(exposure),
      family: 'poisson',
      unitUsd: costPerRequest,
      scale: (i) => exposure[i],
    });
  }
  return out;
}

function levelOf(m: MetricSeries, frame: SeriesFrame, w: number): { level: number; weight: number } {
  let sw = 0;
  let swx = 0;
  m.values.forEach((v, i) => {
    if (frame.window[i] !== w || !(m.weights[i] > 0) || !Number.isFinite(v)) return;
    sw += m.weights[i];
    swx += m.weights[i] * v;
  });
  return { level: sw > 0 ? swx / sw : 0, weight: sw };
}

function candidatesOf(s: HourlySeries, m: MetricSeries, frame: SeriesFrame): Candidate[] {
  const baselineRequests = sumWhere(s.requests, frame, 0);
  const periodRequests = sumWhere(s.requests, frame, 1);
  if (baselineRequests < MIN_REQUESTS || periodRequests < MIN_REQUESTS) return [];
  // A segment of a per-request metric stands on at least MIN_REQUESTS requests: a few hours of a
  // user's cheapest feature only are no change of level.
  const result = detectChangePoints(m.values, { weights: m.weights, family: m.family, minSegmentWeight: m.family === 'poisson' ? 0 : MIN_REQUESTS });
  const baseline = levelOf(m, frame, 0);
  const period = levelOf(m, frame, 1);
  const base = { dimension: s.dimension, group: s.group, metric: m.metric, baselineLevel: baseline.level, periodLevel: period.level };
  /** Dollars of a move of the metric by `delta` from hour `from` on, over the period. */
  const dollars = (delta: number, from: number) => {
    let scale = 0;
    for (let i = from; i < frame.hours; i++) if (frame.window[i] === 1) scale += m.scale(i);
    return delta * m.unitUsd * scale;
  };
  const cps = result.changePoints.filter((c) => c.before > 0 && c.after > 0);
  if (cps.length >= 2 && (cps.every((c) => c.ratio > 1) || cps.every((c) => c.ratio < 1))) {
    const first = cps[0];
    const last = cps[cps.length - 1];
    return [{ ...base, kind: 'drift', atHour: first.index, untilHour: last.index, before: first.before, after: last.after, ratio: last.after / first.before, impactUsd: dollars(period.level - baseline.level, 0) }];
  }
  if (cps.length > 0) {
    return cps.map((c) => ({ ...base, kind: 'step' as const, atHour: c.index, before: c.before, after: c.after, ratio: c.ratio, impactUsd: dollars(c.after - c.before, c.index) }));
  }
  if (baseline.level > 0 && period.level > 0 && Math.abs(period.level / baseline.level - 1) >= MIN_RELATIVE && levelZ(result, m.family, baseline, period) >= LEVEL_Z) {
    return [{ ...base, kind: 'level', ratio: period.level / baseline.level, impactUsd: dollars(period.level - baseline.level, 0) }];
  }
  return [];
}

function levelZ(result: ChangePointResult, family: MetricSeries['family'], a: { level: number; weight: number }, b: { level: number; weight: number }): number {
  if (family === 'relative') return Math.abs(Math.log(b.level / a.level)) / (result.noise * Math.sqrt(1 / a.weight + 1 / b.weight));
  return Math.abs(b.level - a.level) / Math.sqrt(result.noise * (a.level / a.weight + b.level / b.weight));
}
