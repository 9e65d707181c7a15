/**
 * Generates a month or more of LLM traffic as the collector stores it (SpanRecords with GenAI
 * fields, cost and session, as the processors leave them), hour by hour, deterministic from a
 * seed, memory bounded whatever the volume:
 *
 * - requests per hour: Poisson around `requestsPerHour` × a daily cycle (low at 03:00 UTC, high
 *   at 15:00) × a weekly one (weekends at half);
 * - each request: a feature (custom property `Feature`) by its share, one of its prompts (prompt
 *   id), the feature's model, a user from a skewed (Zipf-like) share, a session of that user (one
 *   per user and three hours), token counts around the prompt's means (log-normal, mean exact),
 *   cached input per prompt, reasoning output on reasoning models, ≈1 % failed calls (no usage,
 *   no cost); cost from the model's list price (traffic-catalog.ts);
 * - per request a trace of an `invoke_agent` span and the model call under it (`agentSpans`), or
 *   the model call alone;
 * - planted events (planted-events.ts) with their truth in `events`, or none (`events: false`:
 *   stable traffic for false-alarm tests).
 */
import type { SpanRecord } from '@tokentrace/processors';
import { DAY_MS, HOUR_MS, driftFactor, plantEvents, type EventPlan, type PlantedEvent } from './planted-events.js';
import { cumulative, SeededRandom } from './seeded-random.js';
import { FEATURES, MODELS, type FeatureSpec, type ModelPrice } from './traffic-catalog.js';

export interface TrafficOptions {
  /** Default 1. */
  seed?: number;
  /** First hour (epoch ms, whole UTC hour); default Monday 2026-11-02 00:00 UTC. */
  startMs?: number;
  /** Default 35. */
  days?: number;
  /** Mean model calls per hour over a week; default 300. */
  requestsPerHour?: number;
  /** Default `default`. */
  project?: string;
  /** Plant the events (default true); false: stable traffic. */
  events?: boolean;
  /** An `invoke_agent` parent span per model call (default true). */
  agentSpans?: boolean;
  /** Number of users; default 300. */
  users?: number;
  /** A factor on the requests of the hour starting at `hourMs` (default 1): a trend, e.g. for forecast and budget tests. */
  volume?: (hourMs: number) => number;
}

export const DEFAULT_TRAFFIC_START_MS = Date.UTC(2026, 10, 2);

export const DEFAULT_EVENT_PLAN: EventPlan = {
  doubledPrompt: 'triage-classifier-v1',
  surgeUser: '',
  switchedFeature: 'search',
  switchedTo: 'gpt-4o',
  driftPrompt: 'summarize-doc-v2',
  driftRatio: 1.5,
};

const SCOPE = { scopeName: '@tokentrace/instrumentation', scopeVersion: '0.1.0' };
const FAILED_SHARE = 0.01;
const TOKEN_SIGMA = 0.35;

/** The daily and weekly cycle: a relative rate for the hour starting at `hourMs` (mean 1 over a week). */
function cycle(hourMs: number): number {
  const date = new Date(hourMs);
  const hour = date.getUTCHours();
  const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
  const daily = 0.3 + 0.7 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 3)) / 24));
  return (daily * (weekend ? 0.5 : 1)) / WEEK_MEAN;
}
const WEEK_MEAN = (() => {
  let sum = 0;
  for (let h = 0; h < 168; h++) {
    const hour = h % 24;
    const weekend = h >= 120; // 2026-11-02 is a Monday: hours 120–167 are Saturday and Sunday
    sum += (0.3 + 0.7 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 3)) / 24))) * (weekend ? 0.5 : 1);
  }
  return sum / 168;
})();

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);

export class TrafficGenerator {
  readonly startMs: number;
  readonly endMs: number;
  readonly project: string;
  /** The planted events and their truth (empty for stable traffic). */
  readonly events: PlantedEvent[];
  readonly plan: EventPlan;
  /** Model calls generated so far, and their cost (USD). */
  requests = 0;
  costUsd = 0;
  private readonly rand: SeededRandom;
  private readonly requestsPerHour: number;
  private readonly volume: (hourMs: number) => number;
  private readonly agentSpans: boolean;
  private readonly users: string[];
  private readonly userCdf: number[];
  private readonly featureCdf: number[];
  private readonly promptCdfs: number[][];
  private readonly resources = new Map<string, SpanRecord['resourceAttributes']>();
  private hourMs: number;
  private pending: SpanRecord[] = [];
  private traceNo = 0;

  constructor(options: TrafficOptions = {}) {
    this.rand = new SeededRandom(options.seed ?? 1);
    this.startMs = options.startMs ?? DEFAULT_TRAFFIC_START_MS;
    this.endMs = this.startMs + (options.days ?? 35) * DAY_MS;
    this.project = options.project ?? 'default';
    this.requestsPerHour = options.requestsPerHour ?? 300;
    this.volume = options.volume ?? (() => 1);
    this.agentSpans = options.agentSpans ?? true;
    const userCount = options.users ?? 300;
    this.users = Array.from({ length: userCount }, (_, i) => `user-${String(i + 1).padStart(4, '0')}`);
    const weights = this.users.map((_, i) => 1 / (i + 3) ** 1.2);
    this.userCdf = cumulative(weights);
    // The surge user: about 1.5 % of requests before its surge.
    const total = weights.reduce((a, b) => a + b, 0);
    const surge = weights.reduce((best, w, i) => (Math.abs(w / total - 0.015) < Math.abs(weights[best] / total - 0.015) ? i : best), 0);
    this.plan = { ...DEFAULT_EVENT_PLAN, surgeUser: this.users[surge] };
    this.surgeShare = weights[surge] / total;
    this.featureCdf = cumulative(FEATURES.map((f) => f.share));
    this.promptCdfs = FEATURES.map((f) => cumulative(f.prompts.map((p) => p.share)));
    this.events = options.events === false ? [] : plantEvents(this.plan, this.startMs, options.days ?? 35, (h) => this.expectedRequests(h));
    this.hourMs = this.startMs;
  }

  private readonly surgeShare: number;

  /** Expected model calls of the hour starting at `hourMs`, before any planted event. */
  expectedRequests(hourMs: number): number {
    return this.requestsPerHour * cycle(hourMs) * this.volume(hourMs);
  }

  get done(): boolean {
    return this.hourMs >= this.endMs && this.pending.length === 0;
  }

  /** The next `spans` spans or fewer (the last batch), in time order by hour. */
  records(spans: number): SpanRecord[] {
    while (this.pending.length < spans && this.hourMs < this.endMs) {
      this.hour(this.hourMs);
      this.hourMs += HOUR_MS;
    }
    return this.pending.splice(0, spans);
  }

  /** Every span at once (tests with small volumes). */
  all(): SpanRecord[] {
    const out: SpanRecord[] = [];
    while (!this.done) out.push(...this.records(100_000));
    return out;
  }

  private event(kind: PlantedEvent['kind']): PlantedEvent | undefined {
    return this.events.find((e) => e.kind === kind);
  }

  private hour(hourMs: number): void {
    const r = this.rand;
    const lambda = this.expectedRequests(hourMs);
    const n = r.poisson(lambda);
    for (let i = 0; i < n; i++) this.request(hourMs, this.users[r.pick(this.userCdf)]);
    const surge = this.event('user-surge');
    if (surge && hourMs >= surge.atMs) {
      const extra = r.poisson(lambda * this.surgeShare * (surge.ratio - 1));
      for (let i = 0; i < extra; i++) this.request(hourMs, surge.group);
    }
  }

  private resource(feature: FeatureSpec, environment: string): SpanRecord['resourceAttributes'] {
    const key = `${feature.service}/${environment}`;
    let attributes = this.resources.get(key);
    if (!attributes) this.resources.set(key, (attributes = { 'service.name': feature.service, 'deployment.environment.name': environment }));
    return attributes;
  }

  private request(hourMs: number, user: string): void {
    const r = this.rand;
    const f = r.pick(this.featureCdf);
    const feature = FEATURES[f];
    const prompt = feature.prompts[r.pick(this.promptCdfs[f])];
    const startMs = hourMs + Math.floor(r.next() * HOUR_MS);
    const switched = this.event('model-switch');
    const modelName = switched && feature.name === switched.group && startMs >= switched.atMs ? this.plan.switchedTo : feature.model;
    const model = MODELS[modelName];
    const doubling = this.event('prompt-input-doubling');
    const inputFactor = doubling && prompt.id === doubling.group && startMs >= doubling.atMs ? doubling.ratio : 1;
    const drift = this.event('output-drift');
    const outputFactor = drift && prompt.id === drift.group ? driftFactor(this.plan, drift.atMs, drift.untilMs!, startMs) : 1;
    const failed = r.next() < FAILED_SHARE;
    const input = Math.max(1, Math.round(prompt.inputTokens * inputFactor * r.logNormalFactor(TOKEN_SIGMA)));
    const output = Math.max(1, Math.round(prompt.outputTokens * outputFactor * r.logNormalFactor(TOKEN_SIGMA)));
    const cached = Math.round(input * prompt.cachedShare);
    const reasoning = Math.round(output * model.reasoningShare);
    const userNo = Number(user.slice(5));
    const environment = userNo % 20 === 0 ? 'staging' : 'production';
    const durationMs = 400 + output * 12 * r.logNormalFactor(0.3);
    this.emit({ feature, promptId: prompt.id, model, user, environment, startMs, durationMs, failed, input, output, cached, reasoning });
  }

  private emit(c: {
    feature: FeatureSpec; promptId: string; model: ModelPrice; user: string; environment: string; startMs: number; durationMs: number;
    failed: boolean; input: number; output: number; cached: number; reasoning: number;
  }): void {
    const t = this.traceNo++;
    const traceId = hex(t, 16) + hex(Math.floor(this.rand.next() * 2 ** 32), 8) + hex(Math.floor(this.rand.next() * 2 ** 32), 8);
    const session = { id: `sess-${c.user}-${Math.floor(c.startMs / (3 * HOUR_MS))}`, name: c.feature.name, path: '/', parentPath: '', depth: 0 };
    const properties = { feature: c.feature.name };
    const resourceAttributes = this.resource(c.feature, c.environment);
    const startNs = BigInt(c.startMs) * 1_000_000n;
    const base = {
      projectId: this.project, traceId, statusMessage: '', resourceAttributes, ...SCOPE, events: [], session,
    };
    let parent = '';
    if (this.agentSpans) {
      parent = hex(t, 12) + '0000';
      this.pending.push({
        ...base, spanId: parent, parentSpanId: '', name: `invoke_agent ${c.feature.name}`, kind: 1,
        startTimeUnixNano: startNs, endTimeUnixNano: startNs + BigInt(Math.round((c.durationMs + 20) * 1e6)), statusCode: 1,
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': c.feature.name, 'user.id': c.user, 'tokentrace.property.Feature': c.feature.name, 'tokentrace.session.id': session.id },
        genAi: { operation: 'invoke_agent', userId: c.user, properties, isModelCall: false },
        cost: { status: 'not_a_model_call' },
      });
    }
    const m = c.model;
    const costIn = ((c.input - c.cached) * m.inputMtok + c.cached * m.cacheReadMtok) / 1e6;
    const costCache = (c.cached * m.cacheReadMtok) / 1e6;
    const costOut = (c.output * m.outputMtok) / 1e6;
    const callStartNs = startNs + 5_000_000n;
    const attributes: SpanRecord['attributes'] = {
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': m.provider, 'gen_ai.request.model': m.model,
      'user.id': c.user, 'tokentrace.prompt.id': c.promptId, 'tokentrace.property.Feature': c.feature.name, 'tokentrace.session.id': session.id,
    };
    if (!c.failed) {
      attributes['gen_ai.response.model'] = m.model;
      attributes['gen_ai.usage.input_tokens'] = c.input;
      attributes['gen_ai.usage.output_tokens'] = c.output;
      if (c.cached > 0) attributes['gen_ai.usage.cache_read.input_tokens'] = c.cached;
      if (c.reasoning > 0) attributes['gen_ai.usage.reasoning.output_tokens'] = c.reasoning;
    }
    this.pending.push({
      ...base, spanId: hex(t, 12) + '0001', parentSpanId: parent, name: `chat ${m.model}`, kind: 3,
      startTimeUnixNano: callStartNs, endTimeUnixNano: callStartNs + BigInt(Math.round(c.durationMs * 1e6)),
      statusCode: c.failed ? 2 : 1, statusMessage: c.failed ? 'Internal server error' : '', attributes,
      genAi: {
        provider: m.provider, operation: 'chat', requestModel: m.model, responseModel: c.failed ? undefined : m.model,
        ...(c.failed ? {} : { inputTokens: c.input, outputTokens: c.output, cacheReadInputTokens: c.cached, cacheCreationInputTokens: 0, reasoningOutputTokens: c.reasoning }),
        userId: c.user, promptId: c.promptId, errorType: c.failed ? 'server_error' : undefined, properties, isModelCall: true,
      },
      cost: c.failed
        ? { status: 'no_usage' }
        : { inputUsd: costIn, outputUsd: costOut, cacheReadUsd: costCache, cacheWriteUsd: 0, totalUsd: costIn + costOut, status: 'priced', pricedModel: `${m.provider}:${m.model}` },
    });
    this.requests++;
    if (!c.failed) this.costUsd += costIn + costOut;
  }
}
