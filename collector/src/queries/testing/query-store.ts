/**
 * A ClickHouse with the known dataset loaded, for tests of the query engine and of what is built
 * on it (HTTP API, CLI, dashboard): a database of its own on the embedded engine (one engine per
 * test process, in a temporary folder), with the schema created and `knownSpans(now)` loaded
 * through the real exporter (`createClickHouseExporter`), so the rows are exactly what production
 * writes. `stop()` in afterAll drops the database.
 *
 *   const store = await startQueryStore();
 *   const tree = await store.service.traceTree({ projectId: PROJECT_A, traceId: KNOWN_IDS.t1 });
 *   await store.stop();
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient, createClickHouseExporter, DEFAULT_CLICKHOUSE_EXPORTER_CONFIG, type ClickHouseConnectionConfig, type SpanRecord } from '@tokentrace/processors';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryService } from '../query-service.js';
import { knownSpans } from './known-dataset.js';

export interface QueryStore {
  /** How to reach the store (the embedded engine of this process). */
  connection: ClickHouseConnectionConfig;
  database: string;
  client: ClickHouseClient;
  /** A QueryService on the store. */
  service: QueryService;
  /** The `now` the dataset's times are relative to (epoch ms). */
  now: number;
  /** The spans loaded. */
  spans: SpanRecord[];
  /** Inserts more spans through the exporter (e.g. the same batch again, to make duplicates). */
  insert(spans: SpanRecord[]): Promise<void>;
  stop(): Promise<void>;
}

export interface QueryStoreOptions {
  /** Default Date.now(). */
  now?: number;
  /** Default `tokentrace`, or `tokentrace_<n>` when a store of this process already uses it. */
  database?: string;
  /** Load the known dataset (default true). */
  load?: boolean;
}

/** The embedded engine's folder for the stores of this process (chdb runs one engine per process). */
let engineDir: string | undefined;
const databases = new Set<string>();

export async function startQueryStore(options: QueryStoreOptions = {}): Promise<QueryStore> {
  const now = options.now ?? Date.now();
  let database = options.database ?? 'tokentrace';
  for (let n = 2; options.database === undefined && databases.has(database); n++) database = `tokentrace_${n}`;
  databases.add(database);
  engineDir ??= await mkdtemp(join(tmpdir(), 'tokentrace-query-store-'));
  const connection: ClickHouseConnectionConfig = { ...DEFAULT_CLICKHOUSE_EXPORTER_CONFIG, url: '', dataDir: engineDir };
  const client = createClickHouseClient(connection);
  // Retention off: datasets with fixed dates (filter tests) must not age out of the store.
  const exporter = createClickHouseExporter({ ...connection, database, retentionDays: 0 }, { client });
  try {
    await exporter.start();
    const insert = (spans: SpanRecord[]) => exporter.consume(spans);
    const spans = options.load === false ? [] : knownSpans(now);
    if (spans.length > 0) await insert(spans);
    const service = new QueryService({ client, database });
    return {
      connection,
      database,
      client,
      service,
      now,
      spans,
      insert,
      async stop() {
        try {
          await exporter.shutdown();
          await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
        } finally {
          databases.delete(database);
          await client.close();
        }
      },
    };
  } catch (err) {
    databases.delete(database);
    await client.close();
    throw err;
  }
}
