/**
 * The events planted in generated traffic, with their known truth: where (dimension and group),
 * what (metric), when (the first hour at the new level) and how much (the ratio after / before),
 * and the comparison each one is to be found in: a period starting at the event and a baseline
 * seven days earlier (same weekdays and hours, so the weekly cycle cancels) that no other event
 * touches. Metric and dimension names are the explainer's (collector/src/insights/explain).
 */
import { FEATURES, MODELS, meanRequestCost } from './traffic-catalog.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export type PlantedKind = 'prompt-input-doubling' | 'user-surge' | 'model-switch' | 'output-drift';

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

export interface PlantedEvent {
  kind: PlantedKind;
  /** `prompt_id`, `user` or `property:Feature`. */
  dimension: string;
  group: string;
  metric: 'input_tokens_per_request' | 'requests_per_hour' | 'cost_per_request' | 'output_tokens_per_request';
  /** The first hour at the new level (a drift: the hour it starts). */
  atMs: number;
  /** A drift: the hour it reaches its full size. */
  untilMs?: number;
  /** After / before (a drift: at its full size). */
  ratio: number;
  /** The comparison that shows this event alone. */
  baseline: TimeRange;
  period: TimeRange;
  /** The metric's period level / baseline level in that comparison (a step: `ratio`). */
  expectedRatio: number;
  description: string;
}

/** The planted events' parameters, fixed relative to the traffic's start (a Monday by default). */
export interface EventPlan {
  doubledPrompt: string;
  surgeUser: string;
  switchedFeature: string;
  switchedTo: string;
  driftPrompt: string;
  /** Output tokens per request at the drift's end, relative to its start. */
  driftRatio: number;
}

export const COMPARISON_DAYS = 2;

/** A step at `atMs`: period [at, at + 2 d), baseline the same hours 7 days earlier. */
function stepWindows(atMs: number): { baseline: TimeRange; period: TimeRange } {
  const period = { fromMs: atMs, toMs: atMs + COMPARISON_DAYS * DAY_MS };
  return { period, baseline: { fromMs: period.fromMs - 7 * DAY_MS, toMs: period.toMs - 7 * DAY_MS } };
}

/**
 * The events for traffic starting at `startMs` and lasting `days` days; an event whose comparison
 * does not fit in the traffic is left out. `rate(hourMs)` is the expected requests of an hour, to
 * weigh a drift's mean over a window.
 */
export function plantEvents(plan: EventPlan, startMs: number, days: number, rate: (hourMs: number) => number): PlantedEvent[] {
  const endMs = startMs + days * DAY_MS;
  const events: PlantedEvent[] = [];
  const doubling = startMs + 8 * DAY_MS + 14 * HOUR_MS;
  events.push({
    kind: 'prompt-input-doubling', dimension: 'prompt_id', group: plan.doubledPrompt, metric: 'input_tokens_per_request',
    atMs: doubling, ratio: 2, expectedRatio: 2, ...stepWindows(doubling),
    description: `system prompt of ${plan.doubledPrompt} grows: input tokens per request ×2`,
  });
  const surge = startMs + 16 * DAY_MS + 9 * HOUR_MS;
  events.push({
    kind: 'user-surge', dimension: 'user', group: plan.surgeUser, metric: 'requests_per_hour',
    atMs: surge, ratio: 20, expectedRatio: 20, ...stepWindows(surge),
    description: `user ${plan.surgeUser} sends 20× as many requests`,
  });
  const switched = startMs + 24 * DAY_MS + 11 * HOUR_MS;
  const feature = FEATURES.find((f) => f.name === plan.switchedFeature)!;
  const meanCost = (model: string) => feature.prompts.reduce((sum, p) => sum + p.share * meanRequestCost(p, MODELS[model]), 0);
  const switchRatio = meanCost(plan.switchedTo) / meanCost(feature.model);
  events.push({
    kind: 'model-switch', dimension: 'property:Feature', group: plan.switchedFeature, metric: 'cost_per_request',
    atMs: switched, ratio: switchRatio, expectedRatio: switchRatio, ...stepWindows(switched),
    description: `feature ${plan.switchedFeature} moves from ${feature.model} to ${plan.switchedTo}`,
  });
  const driftFrom = startMs + 28 * DAY_MS;
  const driftUntil = startMs + 35 * DAY_MS;
  const driftPeriod = { fromMs: startMs + 33 * DAY_MS, toMs: startMs + 35 * DAY_MS };
  const driftBaseline = { fromMs: driftPeriod.fromMs - 7 * DAY_MS, toMs: driftPeriod.toMs - 7 * DAY_MS };
  const factor = (t: number) => driftFactor(plan, driftFrom, driftUntil, t);
  const mean = (r: TimeRange) => {
    let weighted = 0;
    let weights = 0;
    for (let h = r.fromMs; h < r.toMs; h += HOUR_MS) {
      weighted += rate(h) * factor(h + HOUR_MS / 2);
      weights += rate(h);
    }
    return weighted / weights;
  };
  events.push({
    kind: 'output-drift', dimension: 'prompt_id', group: plan.driftPrompt, metric: 'output_tokens_per_request',
    atMs: driftFrom, untilMs: driftUntil, ratio: plan.driftRatio, baseline: driftBaseline, period: driftPeriod,
    expectedRatio: mean(driftPeriod) / mean(driftBaseline),
    description: `answers of ${plan.driftPrompt} grow slowly: output tokens per request ×${plan.driftRatio} over 7 days`,
  });
  return events.filter((e) => e.baseline.fromMs >= startMs && e.period.toMs <= endMs);
}

/** The drift's factor on output tokens at time `t`: 1 before it, `driftRatio` after it, linear between. */
export function driftFactor(plan: EventPlan, fromMs: number, untilMs: number, t: number): number {
  const x = Math.min(1, Math.max(0, (t - fromMs) / (untilMs - fromMs)));
  return 1 + (plan.driftRatio - 1) * x;
}
