/**
 * Session cost by session name over a time range: how many sessions, average / p50 / p95 / max
 * cost per session, and the outliers (sessions costing more than their name's p95, at most 10,
 * costliest first). A session's cost is the sum of its model calls in the range; its name is the
 * one its spans carry (a span without the name does not make a second session).
 *
 * Read from the model calls of the range with FINAL. Percentiles use the reservoir `quantiles`:
 * exact and interpolated up to 8192 sessions per name, a uniform sample beyond.
 */
import { exactUsdSum, QueryParams } from '@tokentrace/processors';
import type { SessionNameStats, SessionStatsQuery } from './query-model.js';
import { selectRows, type QueryContext } from './query-context.js';
import { modelCallsWhere } from './model-calls.js';
import { isoOfNs, validRange } from './query-sql.js';

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
  const params = new QueryParams();
  const range = validRange(query.range);
  const sessions = `SELECT session_id, max(session_name) AS session_name, ${exactUsdSum('ifNull(cost_total_usd, 0)')} AS cost, count() AS requests,
      min(start_time_ns) AS first_start
    FROM ${ctx.spans} FINAL WHERE ${modelCallsWhere(params, query.projectId, range, query.filter)} AND session_id != '' GROUP BY session_id`;
  const names = await selectRows<NameRow>(
    ctx,
    `SELECT session_name, count() AS sessions, avg(cost) AS avg_cost, quantiles(0.5, 0.95)(cost) AS q, max(cost) AS max_cost
     FROM (${sessions}) GROUP BY session_name ORDER BY avg_cost DESC, session_name`,
    params,
  );
  if (names.length === 0) return [];
  const p95 = (r: NameRow) => Number(r.q[1]);
  // Names without a finite p95 keep the default `inf` (no outliers): a parameter cannot carry inf.
  const limited = names.filter((r) => Number.isFinite(p95(r)));
  const outliers = await selectRows<OutlierRow>(
    ctx,
    `SELECT session_name, session_id, cost, requests, toString(first_start) AS first_ns FROM (${sessions})
     WHERE cost > transform(session_name, ${params.bind('Array(String)', limited.map((r) => r.session_name))}, ${params.bind('Array(Float64)', limited.map(p95))}, inf)
     ORDER BY session_name, cost DESC, session_id LIMIT ${MAX_OUTLIERS} BY session_name`,
    params,
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
}
