/**
 * The limit check of one call (issue 14 §2), before the request leaves the process: every policy
 * that applies (configured budgets and policies, then `withContext` and `Helicone-RateLimit-Policy`)
 * is charged atomically in its counter store; one refusal in `enforce` mode limits the call, and
 * the charges already made for it are refunded. `warn` policies are charged whatever the quota
 * and only mark the breach. A failing store fails open: the call goes out unlimited, and says why.
 *
 * Cost policies charge an estimate first (input tokens × the model's price) and the difference to
 * the actual cost when the call completes (settle). Hence the bound stated in the README: a window
 * overshoots its quota by at most the output cost (plus the input-estimate error) of the calls in
 * flight when the quota was reached.
 */
import { RATE_LIMIT_DECISION, type RateLimitDecision } from '@tokentrace/semconv';
import type { TrackingContext } from '../types.js';
import type { CounterStore } from './counter-store.js';
import type { ResolvedLimitsConfig } from './limit-config.js';
import { parseLimitPolicy, type LimitPolicy } from './limit-policy.js';
import { windowAt, type RollingBuckets } from './limit-window.js';
import type { LimitReport } from './rate-limit-response.js';

export interface LimitCheckInput {
  tracking: TrackingContext | undefined;
  /** The estimated cost of the call's input, in cents; asked only when a cost policy applies. */
  estimateCents: () => Promise<number | undefined>;
}

export interface Charge {
  key: string;
  amount: number;
  expireAt: number;
  unit: LimitPolicy['unit'];
  rolling?: RollingBuckets;
}

export interface LimitReportOnSpan extends LimitReport {
  unit: LimitPolicy['unit'];
  segment: string;
}

export interface LimitOutcome {
  decision: RateLimitDecision;
  /** The limiting policy, else the applicable one with the least left (for headers and the span). */
  report?: LimitReportOnSpan;
  /** Cost charges to correct once the actual cost is known. */
  charges: Charge[];
  /** Why the check failed open, or a policy header that could not be read. */
  error?: string;
}

export const NO_LIMITS: LimitOutcome = { decision: RATE_LIMIT_DECISION.allowed, charges: [] };

/** Distinct header policies remembered; a flood of distinct texts only costs re-parsing. */
const MAX_PARSED_POLICIES = 256;

export class Limiter {
  private readonly parsedPolicies = new Map<string, LimitPolicy | string>();

  constructor(
    private readonly config: ResolvedLimitsConfig,
    private readonly store: () => CounterStore,
  ) {}

  /** Whether any limit can apply at all: configured ones, or ones the call or its context sets. */
  mayApply(tracking: TrackingContext | undefined): boolean {
    return this.config.policies.length > 0 || (tracking?.rateLimitPolicies?.length ?? 0) > 0;
  }

  async check(input: LimitCheckInput): Promise<LimitOutcome> {
    const { policies, error: policyError } = this.applicable(input.tracking);
    if (policies.length === 0) return policyError ? { ...NO_LIMITS, error: policyError } : NO_LIMITS;
    const now = this.config.now();
    const store = this.store();
    let estimate: number | undefined;
    if (policies.some((p) => p.policy.unit === 'cents')) estimate = (await input.estimateCents()) ?? 0;
    const charges: Charge[] = [];
    let limited: LimitReportOnSpan | undefined;
    let warned = false;
    let tightest: LimitReportOnSpan | undefined;
    try {
      for (const { policy, segment } of policies) {
        const window = windowAt(policy.window, now);
        const key = `${this.config.project}:${policy.id}:${segment}:${window.rolling ? 'rolling' : window.start}`;
        const amount = policy.unit === 'request' ? 1 : estimate!;
        const warn = policy.mode === 'warn';
        const result = await store.charge(key, amount, policy.quota, window.end, warn, window.rolling);
        const wouldBlock = warn && result.used > policy.quota;
        const report: LimitReportOnSpan = {
          quota: policy.quota,
          remaining: Math.max(0, roundCents(policy.quota - result.used)),
          policyText: policy.text,
          retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)),
          unit: policy.unit,
          segment,
        };
        if (result.allowed) charges.push({ key, amount, expireAt: window.end, unit: policy.unit, ...(window.rolling && { rolling: window.rolling }) });
        if (!result.allowed) {
          limited = report;
          break;
        }
        if (wouldBlock) warned = true;
        if (!tightest || report.remaining / (report.quota || 1) < tightest.remaining / (tightest.quota || 1)) tightest = report;
      }
      if (limited) {
        await Promise.all(charges.map((c) => store.adjust(c.key, -c.amount, c.expireAt, c.rolling)));
        return { decision: RATE_LIMIT_DECISION.limited, report: limited, charges: [], ...(policyError && { error: policyError }) };
      }
    } catch (err) {
      return { decision: RATE_LIMIT_DECISION.failOpen, charges: [], error: `counter store: ${(err as Error).message ?? String(err)}` };
    }
    return {
      decision: warned ? RATE_LIMIT_DECISION.warned : RATE_LIMIT_DECISION.allowed,
      ...(tightest && { report: tightest }),
      charges: charges.filter((c) => c.unit === 'cents'),
      ...(policyError && { error: policyError }),
    };
  }

  /** Charges the difference between the actual cost and the estimate (a refund when it cost less). */
  async settle(outcome: LimitOutcome, actualCents: number | undefined): Promise<void> {
    if (actualCents === undefined || outcome.charges.length === 0) return;
    const store = this.store();
    await Promise.all(outcome.charges.map((c) => (actualCents === c.amount ? undefined : store.adjust(c.key, actualCents - c.amount, c.expireAt, c.rolling))));
  }

  /** A header policy, parsed once per distinct text (apps send the same few); its error message when invalid. */
  private parsed(text: string): LimitPolicy | string {
    let policy = this.parsedPolicies.get(text);
    if (policy === undefined) {
      try {
        policy = parseLimitPolicy(text, this.config.mode);
      } catch (err) {
        policy = (err as Error).message;
      }
      if (this.parsedPolicies.size >= MAX_PARSED_POLICIES) this.parsedPolicies.clear();
      this.parsedPolicies.set(text, policy);
    }
    return policy;
  }

  private applicable(tracking: TrackingContext | undefined): { policies: Array<{ policy: LimitPolicy; segment: string }>; error?: string } {
    const out: Array<{ policy: LimitPolicy; segment: string }> = [];
    let error: string | undefined;
    const add = (policy: LimitPolicy) => {
      if (policy.match && !matches(policy.match, tracking)) return;
      const segment = segmentOf(policy, tracking);
      if (segment !== undefined) out.push({ policy, segment });
    };
    for (const policy of this.config.policies) add(policy);
    for (const text of tracking?.rateLimitPolicies ?? []) {
      const parsed = this.parsed(text);
      if (typeof parsed === 'string') error = `Helicone-RateLimit-Policy "${text}": ${parsed}`;
      else add(parsed);
    }
    return { policies: out, ...(error && { error }) };
  }
}

/** The counter's owner for this call; undefined when the call lacks the user or property the policy counts by (not counted). */
function segmentOf(policy: LimitPolicy, tracking: TrackingContext | undefined): string | undefined {
  const segment = policy.segment;
  if (segment.kind === 'global') return 'global';
  if (segment.kind === 'user') return tracking?.userId === undefined ? undefined : `user:${tracking.userId}`;
  const value = tracking?.properties?.[segment.name];
  return value === undefined ? undefined : `${segment.name}:${value}`;
}

function matches(match: NonNullable<LimitPolicy['match']>, tracking: TrackingContext | undefined): boolean {
  if (match.userId !== undefined && tracking?.userId !== match.userId) return false;
  for (const [name, value] of Object.entries(match.properties ?? {})) if (tracking?.properties?.[name] !== value) return false;
  return true;
}

function roundCents(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
