/**
 * The query engine on ClickHouse (issue 4): trace and session trees, request lists and details,
 * analytics, top users and session statistics, each scoped to one project. One file per
 * concern; README.md explains how reads stay exact under duplicates and fast.
 *
 *   const service = new QueryService({ client: createClickHouseClient(config), database: 'tokentrace' });
 *   const tree = await service.traceTree({ projectId: 'default', traceId });
 *
 * Analytics queries queue background maintenance for the days they read (day-maintenance.ts:
 * compact closed days, build rollups); `close()` waits for the task in progress.
 *
 * With `cluster: true` the tables are Distributed over shards (issue 5): analytics read FINAL
 * through them on every shard, there is no maintenance, trees and lists work as on one server.
 */
import type { ClickHouseClient } from '@clickhouse/client';
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
import { DayMaintenance, type DayMaintenanceOptions } from './day-maintenance.js';
import { sessionStats } from './session-stats.js';
import { validRange } from './query-sql.js';
import type { MaintenanceHint } from './stable-plan.js';
import { sessionTree } from './session-tree.js';
import { traceTree } from './trace-tree.js';

export interface QueryServiceOptions {
  client: ClickHouseClient;
  database: string;
  /**
   * Compact days that are over and build rollups of settled days in the background (default
   * true; day-maintenance.ts); false keeps the service read-only (queries stay exact, only slower).
   */
  maintenance?: boolean;
  /** What went wrong in background maintenance (compaction, rollup builds); default console.warn. */
  onRollupError?: DayMaintenanceOptions['onError'];
  /**
   * The database's tables are Distributed tables over a cluster's shards (the collector's
   * `clickhouse.cluster`): reads stay exact without planning by parts, and nothing is maintained
   * (query-context.ts). Default false.
   */
  cluster?: boolean;
}

export class QueryService implements QueryApi {
  readonly maintenance: DayMaintenance;
  private readonly ctx: QueryContext;
  private readonly schedule?: MaintenanceHint;

  constructor(options: QueryServiceOptions) {
    this.ctx = queryContext(options.client, options.database, options.cluster ?? false);
    this.maintenance = new DayMaintenance(this.ctx, { onError: options.onRollupError });
    if (options.maintenance !== false && !this.ctx.cluster) this.schedule = (found) => this.maintenance.schedule(found);
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
    return analytics(this.ctx, query, this.schedule);
  }

  topUsers(query: ProjectScope & { range: TimeRange; limit?: number; filter?: FilterExpression }): Promise<AnalyticsRow[]> {
    return topUsers(this.ctx, query, this.schedule);
  }

  sessionStats(query: SessionStatsQuery): Promise<SessionNameStats[]> {
    return sessionStats(this.ctx, query);
  }

  /**
   * Compacts the closed days of `range` and builds their rollups now (benchmarks, tools). On a
   * cluster there is nothing to do: reads there use neither parts nor rollups.
   */
  async maintain(range: TimeRange): Promise<{ compacted: number; built: number }> {
    const valid = validRange(range);
    return this.ctx.cluster ? { compacted: 0, built: 0 } : this.maintenance.maintain(valid);
  }

  /** Stops background maintenance and waits for the task in progress (the client stays open). */
  close(): Promise<void> {
    return this.maintenance.close();
  }
}
