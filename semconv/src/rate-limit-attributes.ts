/**
 * Budgets and rate limits enforced in the app's process (issue 14 §2): what the limit check
 * decided for a model call, on its GenAI span. The collector stores them in the span's attribute
 * map; the dashboard's "rate limits" panel reads them.
 */

/** `allowed`, `limited` (the provider was not called; the app got a 429), `warned` (over the limit in warn mode, sent anyway) or `fail_open` (the counter store failed; sent unlimited). */
export const ATTR_TOKENTRACE_RATE_LIMIT_DECISION = 'tokentrace.rate_limit.decision';
/** The policy that decided, in Helicone's grammar: `100;w=60;u=request;s=user`. */
export const ATTR_TOKENTRACE_RATE_LIMIT_POLICY = 'tokentrace.rate_limit.policy';
/** The policy's quota (requests, or cents). */
export const ATTR_TOKENTRACE_RATE_LIMIT_LIMIT = 'tokentrace.rate_limit.limit';
/** What is left of the quota in the current window after this call's charge (never below 0). */
export const ATTR_TOKENTRACE_RATE_LIMIT_REMAINING = 'tokentrace.rate_limit.remaining';
/** `request` or `cents`. */
export const ATTR_TOKENTRACE_RATE_LIMIT_UNIT = 'tokentrace.rate_limit.unit';
/** Who the counter belongs to: `global`, `user:<id>`, `<property>:<value>`. */
export const ATTR_TOKENTRACE_RATE_LIMIT_SEGMENT = 'tokentrace.rate_limit.segment';
/** Why the check failed open (the counter store unreachable, ...): the call went out unlimited. */
export const ATTR_TOKENTRACE_RATE_LIMIT_ERROR = 'tokentrace.rate_limit.error';

export const RATE_LIMIT_DECISION = {
  allowed: 'allowed',
  limited: 'limited',
  warned: 'warned',
  failOpen: 'fail_open',
} as const;
export type RateLimitDecision = (typeof RATE_LIMIT_DECISION)[keyof typeof RATE_LIMIT_DECISION];

/** Response headers, as Helicone names them (https://docs.helicone.ai/features/advanced-usage/custom-rate-limits). */
export const HEADER_RATE_LIMIT_LIMIT = 'Helicone-RateLimit-Limit';
export const HEADER_RATE_LIMIT_REMAINING = 'Helicone-RateLimit-Remaining';
export const HEADER_RATE_LIMIT_POLICY = 'Helicone-RateLimit-Policy';
