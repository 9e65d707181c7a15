// Change points and anomalies on series of figures (README.md): pure TypeScript, no I/O.
export { detectChangePoints, DEFAULT_CHANGE_POINT_OPTIONS, type ChangePoint, type ChangePointOptions, type ChangePointResult, type Segment } from './change-points.js';
export { isAnomalous, DEFAULT_ANOMALY_OPTIONS, type AnomalyOptions, type AnomalyResult } from './anomaly.js';
export { median, robustScale, differenceNoise, MAD_TO_SIGMA } from './robust-stats.js';
