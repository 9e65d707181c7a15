// Generated LLM traffic with planted events of known truth, and its loader (README.md).
export { TrafficGenerator, DEFAULT_EVENT_PLAN, DEFAULT_TRAFFIC_START_MS, type TrafficOptions } from './traffic-generator.js';
export { plantEvents, driftFactor, COMPARISON_DAYS, DAY_MS, HOUR_MS, type EventPlan, type PlantedEvent, type PlantedKind, type TimeRange } from './planted-events.js';
export { FEATURES, MODELS, meanRequestCost, type FeatureSpec, type ModelPrice, type PromptSpec } from './traffic-catalog.js';
export { SeededRandom, cumulative } from './seeded-random.js';
export { loadTraffic, type LoadTrafficOptions, type LoadTrafficResult, type TrafficTarget } from './traffic-loader.js';
