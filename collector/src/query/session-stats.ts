/**
 * Session cost by session name over a time range: how many sessions, average / p50 / p95 / max
 * cost per session, and the outliers (sessions costing more than their name's p95, at most 10,
 * costliest first). A session's cost is the sum of its model calls in the range; its name is the
 * one its spans carry (a span without the name does not make a second session).
 *
 * Read from `requests` (plain for settled days, FINAL for the others; no rollups, which hold no
 * session ids). Percentiles use the reservoir `quantiles`: exact and interpolated up to 8192
 * sessions per name, a uniform sample beyond.
 */
import { sqlString } from '@tokentrace/processors';
import { compileFilter } from './filter/index.js';
import type { SessionNameStats, SessionStatsQuery } from './query-model.js';
import { selectRows, type QueryContext } from './query-context.js';
import { exactUsdSum, isoOfNs, validRange } from './query-sql.js';
import { rowSource, type SourcePlan } from './request-source.js';
import { withStablePlan } from './stable-plan.js';

const MAX_OUTLIERS = 10;

interface NameRow {
  session_name: string;
  sessions: string;
  avg_cost: number;
  q: number[];
  max_cost: number;
}

interface OutlierRow {
  session_name: string;
  session_id: string;
  cost: number;
  requests: string;
  first_ns: string;
}

export async function sessionStats(ctx: QueryContext, query: SessionStatsQuery): Promise<SessionNameStats[]> {
  const range = validRange(query.range);
  const filter = query.filter === undefined ? undefined : compileFilter(query.filter);
  return withStablePlan(ctx, query.projectId, range, { rollups: false, hourly: false }, async (plan) => {
    const sessions = perSession(ctx, plan, filter);
    if (sessions === undefined) return [];
    const names = await selectRows<NameRow>(
      ctx,
      `SELECT session_name, count() AS sessions, avg(cost) AS avg_cost, quantiles(0.5, 0.95)(cost) AS q, max(cost) AS max_cost
       FROM (${sessions}) GROUP BY session_name ORDER BY avg_cost DESC, session_name`,
    );
    if (names.length === 0) return [];
    const p95 = (r: NameRow) => Number(r.q[1]);
    const outliers = await selectRows<OutlierRow>(
      ctx,
      `SELECT session_name, session_id, cost, requests, toString(first_start) AS first_ns FROM (${sessions})
       WHERE cost > transform(session_name, [${names.map((r) => sqlString(r.session_name)).join(', ')}], [${names.map((r) => floatLiteral(p95(r))).join(', ')}], inf)
       ORDER BY session_name, cost DESC, session_id LIMIT ${MAX_OUTLIERS} BY session_name`,
    );
    return names.map((r) => ({
      sessionName: r.session_name,
      sessions: Number(r.sessions),
      avgCostUsd: Number(r.avg_cost),
      p50CostUsd: Number.isFinite(Number(r.q[0])) ? Number(r.q[0]) : null,
      p95CostUsd: Number.isFinite(p95(r)) ? p95(r) : null,
      maxCostUsd: Number(r.max_cost),
      outliers: outliers
        .filter((o) => o.session_name === r.session_name)
        .map((o) => ({ sessionId: o.session_id, costUsd: Number(o.cost), requests: Number(o.requests), startTime: isoOfNs(o.first_ns) })),
    }));
  });
}

/** One row per session in the range: name, cost, requests, first start (ns). */
function perSession(ctx: QueryContext, plan: SourcePlan, filter: string | undefined): string | undefined {
  const branches = plan.rows.map(
    (branch) => `SELECT session_id, max(session_name) AS name, ${exactUsdSum('ifNull(cost_total_usd, 0)')} AS c, count() AS n, min(start_time_ns) AS first
     ${rowSource(ctx, branch, filter ? `session_id != '' AND (${filter})` : "session_id != ''")} GROUP BY session_id`,
  );
  if (branches.length === 0) return undefined;
  return `SELECT session_id, max(name) AS session_name, ${exactUsdSum('c')} AS cost, sum(n) AS requests, min(first) AS first_start
    FROM (${branches.join(' UNION ALL ')}) GROUP BY session_id`;
}

/** A finite float as SQL (p95 of costs); never NaN or Infinity text. */
function floatLiteral(value: number): string {
  return Number.isFinite(value) ? String(value) : 'inf';
}
