/**
 * "Moved away from its own recent normal": whether the recent values of a metric (e.g. the last
 * hour's tokens per request) are out of line with its history, by robust statistics only — the
 * median and the MAD of the history, so past outliers and past incidents do not widen the
 * normal range as a standard deviation would. No hand-set threshold on the metric itself.
 */
import { median, robustScale } from './robust-stats.js';

export interface AnomalyOptions {
  /** Robust z beyond which the recent values are anomalous; default 4. */
  threshold?: number;
  /** Smallest |recent / normal − 1| reported; default 0.1 (a tight metric's tiny wobble is no anomaly). */
  minRelativeChange?: number;
  /** Fewer history points: never anomalous (not enough to know the normal); default 12. */
  minHistory?: number;
  /** Which way counts; default both. */
  direction?: 'up' | 'down' | 'both';
}

export const DEFAULT_ANOMALY_OPTIONS = { threshold: 4, minRelativeChange: 0.1, minHistory: 12, direction: 'both' } as const;

export interface AnomalyResult {
  anomalous: boolean;
  /** Median of the history: the metric's normal. */
  normal: number;
  /** Median of the recent values. */
  recent: number;
  /** (recent − normal) / (its standard error: 1.2533 × σ / √k for the median of k values). */
  z: number;
  /** recent / normal − 1. */
  relativeChange: number;
  /** σ of one history value: MAD × 1.4826. */
  scale: number;
}

export function isAnomalous(recent: readonly number[], history: readonly number[], options: AnomalyOptions = {}): AnomalyResult {
  const o = { ...DEFAULT_ANOMALY_OPTIONS, ...options };
  const past = history.filter(Number.isFinite);
  const now = recent.filter(Number.isFinite);
  const normal = median(past);
  const value = median(now);
  let scale = robustScale(past);
  // More than half the history equal (e.g. mostly zero): the mean absolute deviation instead.
  if (!(scale > 0) && past.length > 0) scale = (past.reduce((a, v) => a + Math.abs(v - normal), 0) / past.length) * Math.sqrt(Math.PI / 2);
  const relativeChange = normal === 0 ? (value === 0 ? 0 : Infinity * Math.sign(value)) : value / normal - 1;
  const standardError = (1.2533 * scale) / Math.sqrt(Math.max(1, now.length));
  const diff = value - normal;
  const z = standardError > 0 ? diff / standardError : diff === 0 ? 0 : Infinity * Math.sign(diff);
  const directed = o.direction === 'both' ? Math.abs(z) : o.direction === 'up' ? z : -z;
  const anomalous = past.length >= o.minHistory && now.length > 0 && Number.isFinite(value) && directed > o.threshold && Math.abs(relativeChange) >= o.minRelativeChange;
  return { anomalous, normal, recent: value, z, relativeChange, scale };
}

