/**
 * Who hit their rate limits and budgets, and how often (issue 14 §2): the limit decisions the
 * instrumentation records on model-call spans (semconv `tokentrace.rate_limit.*`), per counter
 * owner (`user:<id>`, `<property>:<value>`, `global`) and policy, over a range. Only owners with
 * at least one call limited, warned or failed open are listed, most limited first.
 *
 * Read from the model calls of the range with FINAL, like analytics (README: exact under duplicates).
 */
import { QueryParams } from '@tokentrace/processors';
import {
  ATTR_TOKENTRACE_RATE_LIMIT_DECISION,
  ATTR_TOKENTRACE_RATE_LIMIT_POLICY,
  ATTR_TOKENTRACE_RATE_LIMIT_SEGMENT,
  RATE_LIMIT_DECISION,
} from '@tokentrace/semconv';
import type { ProjectScope, TimeRange } from './query-model.js';
import { selectRows, type QueryContext } from './query-context.js';
import { modelCallsWhere } from './model-calls.js';
import { isoOfNs, validRange } from './query-sql.js';

export interface RateLimitHitsQuery extends ProjectScope {
  range: TimeRange;
  /** Default 20. */
  limit?: number;
}

export interface RateLimitHit {
  /** Whose counter: `user:u-42`, `tenant:acme`, `global`. */
  segment: string;
  /** The policy in Helicone's grammar. */
  policy: string;
  /** Calls answered 429 in the process (the provider was not called). */
  limited: number;
  /** Calls over the limit sent anyway (warn mode). */
  warned: number;
  /** Calls sent unlimited because the counter store failed. */
  failedOpen: number;
  /** Calls the policy checked. */
  checked: number;
  /** ISO time of the last limited call; empty when none. */
  lastLimitedAt: string;
}

interface Row {
  segment: string;
  policy: string;
  limited: string;
  warned: string;
  failed_open: string;
  checked: string;
  last_limited_ns: string;
}

export const DEFAULT_RATE_LIMIT_HITS = 20;

export async function rateLimitHits(ctx: QueryContext, query: RateLimitHitsQuery): Promise<RateLimitHit[]> {
  const params = new QueryParams();
  const attr = (name: string) => `attributes[${params.bind('String', name)}]`;
  const decision = attr(ATTR_TOKENTRACE_RATE_LIMIT_DECISION);
  const is = (value: string) => `${decision} = ${params.bind('String', value)}`;
  const limited = is(RATE_LIMIT_DECISION.limited);
  const rows = await selectRows<Row>(
    ctx,
    `SELECT ${attr(ATTR_TOKENTRACE_RATE_LIMIT_SEGMENT)} AS segment, ${attr(ATTR_TOKENTRACE_RATE_LIMIT_POLICY)} AS policy,
       countIf(${limited}) AS limited, countIf(${is(RATE_LIMIT_DECISION.warned)}) AS warned,
       countIf(${is(RATE_LIMIT_DECISION.failOpen)}) AS failed_open, count() AS checked,
       toString(maxIf(start_time_ns, ${limited})) AS last_limited_ns
     FROM ${ctx.spans} FINAL
     WHERE ${modelCallsWhere(params, query.projectId, validRange(query.range), undefined)} AND ${decision} != ''
     GROUP BY segment, policy
     HAVING limited + warned + failed_open > 0
     ORDER BY limited DESC, warned DESC, failed_open DESC, segment, policy
     LIMIT ${Math.max(1, Math.floor(query.limit ?? DEFAULT_RATE_LIMIT_HITS))}`,
    params,
  );
  return rows.map((r) => ({
    segment: r.segment,
    policy: r.policy,
    limited: Number(r.limited),
    warned: Number(r.warned),
    failedOpen: Number(r.failed_open),
    checked: Number(r.checked),
    lastLimitedAt: r.last_limited_ns === '0' ? '' : isoOfNs(r.last_limited_ns),
  }));
}
