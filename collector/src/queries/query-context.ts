/**
 * What every query function gets: the client, the qualified table name and two ways to run a
 * statement with its parameters (rows, or rows plus the `WITH TOTALS` row). The table name comes
 * from the database name, validated as a plain identifier once, here. On a cluster the same name
 * is a Distributed table over the shards (processors/src/storage/schema-layout.ts).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { QueryParams, READ_SETTINGS, schemaTables } from '@tokentrace/processors';

export interface QueryContext {
  client: ClickHouseClient;
  database: string;
  /** `spans`, qualified with the database. */
  spans: string;
  /** `usage_rollup`, qualified with the database. */
  usageRollup: string;
  /**
   * `spans` is Distributed over the shards of a cluster: request lists drop repeated versions
   * themselves (request-list.ts).
   */
  cluster: boolean;
  /**
   * Analytics may read the usage rollup (rollup-read.ts); `graceMs` is the builder's grace
   * (rollupGraceMs: the collector config's `rollup.graceMs` on a server, 0 on the embedded
   * engine). Absent: analytics read spans only.
   */
  rollup?: { graceMs: number };
}

export function queryContext(client: ClickHouseClient, database: string, cluster = false, rollup?: { graceMs: number }): QueryContext {
  const tables = schemaTables(database);
  return { client, database, cluster, spans: tables.spans, usageRollup: tables.usageRollup, ...(rollup ? { rollup } : {}) };
}

export async function selectRows<T>(ctx: QueryContext, query: string, params: QueryParams = new QueryParams()): Promise<T[]> {
  const result = await ctx.client.query({ query, format: 'JSONEachRow', query_params: params.values, clickhouse_settings: READ_SETTINGS });
  return result.json<T>();
}

/** Rows and the totals row of a `GROUP BY … WITH TOTALS` query (JSON format carries both). */
export async function selectWithTotals<T>(ctx: QueryContext, query: string, params: QueryParams): Promise<{ rows: T[]; totals: T | undefined }> {
  const result = await ctx.client.query({ query, format: 'JSON', query_params: params.values, clickhouse_settings: READ_SETTINGS });
  const text = await result.text();
  // The embedded engine (chdb 3.4, ClickHouse 26.7) writes the totals before the header when no
  // row matched, which is not JSON; there are no rows then, and no totals worth reading.
  if (!text.startsWith('{')) return { rows: [], totals: undefined };
  const body = JSON.parse(text) as { data: T[]; totals?: T };
  return { rows: body.data, totals: body.totals };
}
