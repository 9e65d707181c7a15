// The spend-change explainer (README.md): why cost changed between a baseline and a period.
export { Explainer, createExplainer, DECOMPOSITION_METHOD, DEFAULT_TOP_SERIES } from './explainer.js';
export { baselineFor, checkRanges } from './explain-range.js';
export { decompose, shapley4, cellCost, type CostCell, type KindFigures } from './decomposition.js';
export * from './explain-model.js';
