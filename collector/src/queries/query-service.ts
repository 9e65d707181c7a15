/**
 * The query engine on ClickHouse (issue 4): trace and session trees, request lists and details,
 * analytics, top users and session statistics, each scoped to one project. One file per
 * concern; README.md explains how reads stay exact under duplicates and fast.
 *
 *   const service = new QueryService({ client: createClickHouseClient(config), database: 'tokentrace' });
 *   const tree = await service.traceTree({ projectId: 'default', traceId });
 *
 * With `cluster: true` the table is Distributed over shards (issue 5): every read runs on each
 * shard's rows; request lists drop repeated versions themselves.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { DEFAULT_ROLLUP_GRACE_MS, rollupGraceMs } from '@tokentrace/processors';
import type {
  AnalyticsQuery,
  AnalyticsResult,
  AnalyticsRow,
  ProjectScope,
  QueryApi,
  RequestDetail,
  RequestListQuery,
  RequestPage,
  SessionNameStats,
  SessionStatsQuery,
  SpanTree,
  TimeRange,
} from './query-model.js';
import type { FilterExpression } from './filter/filter-expression.js';
import { queryContext, type QueryContext } from './query-context.js';
import { analytics, topUsers } from './analytics.js';
import { listRequests } from './request-list.js';
import { getRequest } from './request-detail.js';
import { sessionStats } from './session-stats.js';
import { sessionTree } from './session-tree.js';
import { traceTree } from './trace-tree.js';
import { rateLimitHits, type RateLimitHit, type RateLimitHitsQuery } from './rate-limit-hits.js';

export interface QueryServiceOptions {
  client: ClickHouseClient;
  database: string;
  /** The database's `spans` is a Distributed table over a cluster's shards (the collector's `clickhouse.cluster`). Default false. */
  cluster?: boolean;
  /**
   * Analytics read the usage rollup where it is clean (rollup-read.ts), with the builder's grace;
   * false: spans only. Default: the builder's default grace on this store (rollupGraceMs: 0 on the
   * embedded engine, `DEFAULT_ROLLUP_GRACE_MS` on a server).
   */
  rollup?: { graceMs: number } | false;
}

export class QueryService implements QueryApi {
  private readonly ctx: QueryContext;

  constructor(options: QueryServiceOptions) {
    const rollup = options.rollup === false ? undefined : (options.rollup ?? { graceMs: rollupGraceMs(options.client, DEFAULT_ROLLUP_GRACE_MS) });
    this.ctx = queryContext(options.client, options.database, options.cluster ?? false, rollup);
  }

  traceTree(scope: ProjectScope & { traceId: string }): Promise<SpanTree | null> {
    return traceTree(this.ctx, scope.projectId, scope.traceId);
  }

  sessionTree(scope: ProjectScope & { sessionId: string }): Promise<SpanTree | null> {
    return sessionTree(this.ctx, scope.projectId, scope.sessionId);
  }

  listRequests(query: RequestListQuery): Promise<RequestPage> {
    return listRequests(this.ctx, query);
  }

  getRequest(scope: ProjectScope & { traceId: string; spanId: string }): Promise<RequestDetail | null> {
    return getRequest(this.ctx, scope.projectId, scope.traceId, scope.spanId);
  }

  analytics(query: AnalyticsQuery): Promise<AnalyticsResult> {
    return analytics(this.ctx, query);
  }

  topUsers(query: ProjectScope & { range: TimeRange; limit?: number; filter?: FilterExpression }): Promise<AnalyticsRow[]> {
    return topUsers(this.ctx, query);
  }

  sessionStats(query: SessionStatsQuery): Promise<SessionNameStats[]> {
    return sessionStats(this.ctx, query);
  }

  rateLimitHits(query: RateLimitHitsQuery): Promise<RateLimitHit[]> {
    return rateLimitHits(this.ctx, query);
  }
}
