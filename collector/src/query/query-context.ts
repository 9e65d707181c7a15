/**
 * What every query function gets: the client, the qualified table names and two ways to run a
 * statement (rows, or rows plus the `WITH TOTALS` row). Table names come from the database name,
 * which is validated as a plain identifier once, here. On a cluster the same names are
 * Distributed tables over the shards (processors/src/clickhouse/schema-layout.ts).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { sqlIdentifier, sqlString } from '@tokentrace/processors';

export interface QueryTables {
  spans: string;
  requests: string;
  rollups: string;
  rollupBuilds: string;
  traceIndex: string;
  sessionIndex: string;
  /** The database as a string literal, for `system.parts WHERE database = …`. */
  databaseLiteral: string;
}

export interface QueryContext {
  client: ClickHouseClient;
  database: string;
  tables: QueryTables;
  /**
   * The tables are Distributed over the shards of a cluster: `system.parts` of the node queried
   * shows none of their parts, so reads do not plan by parts (request-source.ts) and nothing is
   * compacted or rolled up; request lists de-duplicate versions themselves (request-list.ts).
   */
  cluster: boolean;
}

export function queryContext(client: ClickHouseClient, database: string, cluster = false): QueryContext {
  const db = sqlIdentifier(database);
  return {
    client,
    database,
    cluster,
    tables: {
      spans: `${db}.spans`,
      requests: `${db}.requests`,
      rollups: `${db}.request_rollups`,
      rollupBuilds: `${db}.request_rollup_builds`,
      traceIndex: `${db}.trace_index`,
      sessionIndex: `${db}.session_index`,
      databaseLiteral: sqlString(database),
    },
  };
}

export async function selectRows<T>(ctx: QueryContext, query: string): Promise<T[]> {
  const result = await ctx.client.query({ query, format: 'JSONEachRow' });
  return result.json<T>();
}

/** Rows and the totals row of a `GROUP BY … WITH TOTALS` query (JSON format carries both). */
export async function selectWithTotals<T>(ctx: QueryContext, query: string): Promise<{ rows: T[]; totals: T | undefined }> {
  const result = await ctx.client.query({ query, format: 'JSON' });
  const text = await result.text();
  // The embedded engine (chdb 3.4, ClickHouse 26.7) writes the totals before the header when no
  // row matched, which is not JSON; there are no rows then, and no totals worth reading.
  if (!text.startsWith('{')) return { rows: [], totals: undefined };
  const body = JSON.parse(text) as { data: T[]; totals?: T };
  return { rows: body.data, totals: body.totals };
}
