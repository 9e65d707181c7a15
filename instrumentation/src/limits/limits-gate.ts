/**
 * Budgets and rate limits as a request gate (src/gate/): before a recognised LLM request leaves
 * the process, the limiter charges every policy that applies. Over a limit (enforce mode) the
 * gate answers the provider-shaped 429 itself; otherwise the response the app gets carries the
 * `Helicone-RateLimit-*` headers, and a cost limit charges the actual cost once the answer is
 * complete. Every decision is recorded on the call's span (semconv rate-limit attributes).
 *
 * Placed after the response cache: a cache hit costs nothing and is not counted.
 */
import type { Span } from '@opentelemetry/api';
import {
  ATTR_TOKENTRACE_RATE_LIMIT_DECISION,
  ATTR_TOKENTRACE_RATE_LIMIT_ERROR,
  ATTR_TOKENTRACE_RATE_LIMIT_LIMIT,
  ATTR_TOKENTRACE_RATE_LIMIT_POLICY,
  ATTR_TOKENTRACE_RATE_LIMIT_REMAINING,
  ATTR_TOKENTRACE_RATE_LIMIT_SEGMENT,
  ATTR_TOKENTRACE_RATE_LIMIT_UNIT,
  RATE_LIMIT_DECISION,
} from '@tokentrace/semconv';
import type { ResolvedConfig } from '../config.js';
import { GateChain } from '../gate/gate-chain.js';
import type { LocalResponse } from '../gate/local-response.js';
import type { GateDecision, GateRequest, RequestGate } from '../gate/request-gate.js';
import { recordCaptureError } from '../telemetry/guard.js';
import { actualCents, estimateCents, readRequest } from './call-cost.js';
import { MemoryCounterStore, type CounterStore } from './counter-store.js';
import type { ResolvedLimitsConfig } from './limit-config.js';
import { loadPrices } from './limit-prices.js';
import { Limiter, type LimitOutcome } from './limiter.js';
import { rateLimitedResponse, rateLimitHeaders } from './rate-limit-response.js';
import { RedisCounterStore } from './redis-counter-store.js';

export class LimitsGate implements RequestGate {
  readonly name = 'limits';
  private store?: CounterStore;
  readonly limiter: Limiter;

  constructor(config: ResolvedLimitsConfig) {
    this.limiter = new Limiter(config, () => (this.store ??= createStore(config)));
    // The catalog loads in the background as soon as a configured limit is priced in cents.
    if (config.policies.some((p) => p.unit === 'cents')) void loadPrices().catch(() => undefined);
    if (config.redis) this.store = createStore(config); // starts loading the Redis client now
  }

  wants(_controls: unknown, tracking: GateRequest['tracking']): boolean {
    return this.limiter.mayApply(tracking);
  }

  async admit(request: GateRequest): Promise<GateDecision | undefined> {
    const outcome = await this.limiter.check({ tracking: request.tracking, estimateCents: () => estimateCents(request.endpoint, request.body) });
    recordOutcome(request.span, outcome);
    const report = outcome.report;
    if (outcome.decision === RATE_LIMIT_DECISION.limited && report) return { respond: localResponse(rateLimitedResponse(request.endpoint.api, report)) };
    const decision: GateDecision = {};
    if (report) decision.responseHeaders = Object.entries(rateLimitHeaders(report));
    if (outcome.charges.length > 0) {
      // Called once the call's span ended, with its usage; an answer cut short keeps its estimate.
      decision.observe = (response) => {
        const model = readRequest(request.endpoint, request.body).model;
        actualCents(request.endpoint, model, response)
          .then((cents) => this.limiter.settle(outcome, response.complete || response.call.errorType !== undefined ? cents : undefined))
          .catch((err: unknown) => recordCaptureError('limits settle', err));
      };
    }
    return decision;
  }

  async close(): Promise<void> {
    await this.store?.close();
    this.store = undefined;
  }
}

/** The instrumentation's gates with the limits gate last (after the cache). */
export function withLimitsGate(chain: GateChain | undefined, config: ResolvedConfig): GateChain {
  return new GateChain([...(chain?.gates ?? []), new LimitsGate(config.limits)]);
}

function createStore(config: ResolvedLimitsConfig): CounterStore {
  if (!config.redis) return new MemoryCounterStore(config.now);
  const store = new RedisCounterStore(config.redis.url, config.redis.keyPrefix, config.redis.timeoutMs);
  store.warm();
  return store;
}

function recordOutcome(span: Span, outcome: LimitOutcome): void {
  if (outcome.error) span.setAttribute(ATTR_TOKENTRACE_RATE_LIMIT_ERROR, outcome.error);
  if (outcome.decision === RATE_LIMIT_DECISION.allowed && !outcome.report) return; // no policy applied
  span.setAttribute(ATTR_TOKENTRACE_RATE_LIMIT_DECISION, outcome.decision);
  const report = outcome.report;
  if (!report) return;
  span.setAttributes({
    [ATTR_TOKENTRACE_RATE_LIMIT_POLICY]: report.policyText,
    [ATTR_TOKENTRACE_RATE_LIMIT_LIMIT]: report.quota,
    [ATTR_TOKENTRACE_RATE_LIMIT_REMAINING]: report.remaining,
    [ATTR_TOKENTRACE_RATE_LIMIT_UNIT]: report.unit,
    [ATTR_TOKENTRACE_RATE_LIMIT_SEGMENT]: report.segment,
  });
}

function localResponse(response: { status: number; headers: Record<string, string>; body: string }): LocalResponse {
  const body = Buffer.from(response.body);
  return {
    status: response.status,
    headers: [...Object.entries(response.headers), ['content-length', String(body.length)]],
    chunks: [body],
  };
}
