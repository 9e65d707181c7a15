/**
 * The explainer's contract (issue 13 §2): what is asked (a period, a baseline, dimensions) and
 * what is answered (totals, the decomposition of Δcost by driver per dimension, findings ranked by
 * dollars, new and vanished things). The HTTP API, the CLI and the dashboard read these shapes.
 */

export interface MsRange {
  fromMs: number;
  toMs: number;
}

export interface ExplainRequest {
  projectId: string;
  period: MsRange;
  baseline: MsRange;
  /**
   * Dimensions to explain by: `model`, `prompt_id`, `user`, `service`, `environment`,
   * `property:<Name>`; default all of them, with every custom property found.
   */
  by?: string[];
  /** Series analysed for change points per dimension (top by cost); default 8. */
  topSeries?: number;
}

export const BUILT_IN_DIMENSIONS = ['model', 'prompt_id', 'user', 'service', 'environment'] as const;

/** The drivers Δcost splits into (decomposition.ts). */
export const DRIVERS = ['volume', 'mix', 'input_tokens', 'cached_tokens', 'output_tokens', 'reasoning_tokens', 'price'] as const;
export type Driver = (typeof DRIVERS)[number];
export type DriverUsd = Record<Driver, number>;

export const METRICS = ['cost_per_request', 'input_tokens_per_request', 'output_tokens_per_request', 'requests_per_hour'] as const;
export type Metric = (typeof METRICS)[number];

export interface WindowFigures {
  requests: number;
  costUsd: number;
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

export interface GroupDecomposition {
  group: string;
  baseline: WindowFigures;
  period: WindowFigures;
  deltaUsd: number;
  drivers: DriverUsd;
}

export interface DimensionDecomposition {
  dimension: string;
  /** Sum over all groups, equal to the total Δcost. */
  drivers: DriverUsd;
  /** Groups by |Δcost|, at most 20. */
  groups: GroupDecomposition[];
  /** Groups in the dimension (all of them are in `drivers`). */
  groupCount: number;
}

export interface Finding {
  /** step: a change point; drift: several in one direction; level: the period differs from the baseline without one moment. */
  kind: 'step' | 'drift' | 'level';
  dimension: string;
  group: string;
  metric: Metric;
  /** step and drift: the first hour at the new level (ISO). */
  at?: string;
  /** drift: the last change point (ISO). */
  until?: string;
  /** Levels at the change (step, drift: first and last segment). */
  before?: number;
  after?: number;
  /** after / before (step, drift) or period / baseline (level). */
  ratio: number;
  baselineLevel: number;
  periodLevel: number;
  /** Dollars over the period the change accounts for (signed). */
  impactUsd: number;
  sentence: string;
  /** The requests that show it, in the filter language, and a dashboard link to them. */
  filter: string;
  link: string;
  /** Other series that moved at the same time (the same cause seen in other dimensions). */
  related: Array<{ dimension: string; group: string; metric: Metric; ratio: number; impactUsd: number }>;
}

export interface GroupChange {
  dimension: string;
  group: string;
  costUsd: number;
  /** Share of the window's cost (period for new, baseline for vanished). */
  share: number;
  requests: number;
  sentence: string;
}

export interface ExplainResult {
  period: { from: string; to: string };
  baseline: { from: string; to: string };
  totals: { baseline: WindowFigures; period: WindowFigures; deltaUsd: number };
  /** How Δcost is split (stated once, the same for every dimension). */
  method: string;
  dimensions: DimensionDecomposition[];
  findings: Finding[];
  newThings: GroupChange[];
  vanished: GroupChange[];
}
