/**
 * A ClickHouse with the known dataset loaded, for tests of the query engine and of what is built
 * on it (HTTP API, CLI, dashboard): starts a LocalClickHouse in a temporary folder, creates the
 * schema and loads `knownSpans(now)` through the real exporter (`createClickHouseExporter`), so
 * the rows are exactly what production writes. One store per test file; `stop()` in afterAll.
 *
 *   const store = await startQueryStore();
 *   const tree = await store.service.traceTree({ projectId: PROJECT_A, traceId: KNOWN_IDS.t1 });
 *   await store.stop();
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient, createClickHouseExporter, type SpanRecord } from '@tokentrace/processors';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalClickHouse } from '../../clickhouse-server/local-clickhouse.js';
import { QueryService } from '../query-service.js';
import { knownSpans } from './known-dataset.js';

export interface QueryStore {
  /** The server's HTTP URL. */
  url: string;
  database: string;
  client: ClickHouseClient;
  /** A QueryService on the store (background maintenance off unless asked for). */
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
  /** Default `tokentrace`. */
  database?: string;
  /** Let the service compact days and build rollups in the background (default false). */
  maintenance?: boolean;
  /** Load the known dataset (default true). */
  load?: boolean;
}

export async function startQueryStore(options: QueryStoreOptions = {}): Promise<QueryStore> {
  const now = options.now ?? Date.now();
  const database = options.database ?? 'tokentrace';
  const root = await mkdtemp(join(tmpdir(), 'tokentrace-query-store-'));
  let server: LocalClickHouse | undefined;
  try {
    server = await LocalClickHouse.start({ dir: join(root, 'clickhouse'), shutdownWaitSeconds: 1 });
    const url = server.url;
    const client = createClickHouseClient({ url, username: 'default', password: '', requestTimeoutMs: 30_000, compressRequests: false, maxOpenConnections: 4 });
    const exporter = createClickHouseExporter({ url, database }, { client });
    await exporter.start();
    const insert = (spans: SpanRecord[]) => exporter.consume(spans);
    const spans = options.load === false ? [] : knownSpans(now);
    if (spans.length > 0) await insert(spans);
    const service = new QueryService({ client, database, maintenance: options.maintenance ?? false });
    const running = server;
    return {
      url,
      database,
      client,
      service,
      now,
      spans,
      insert,
      async stop() {
        try {
          await service.close();
          await exporter.shutdown();
          await client.close();
        } finally {
          await running.stop();
          await rm(root, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}
