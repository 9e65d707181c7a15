/**
 * The configuration end-to-end tests start an in-process Collector with: free ports, the embedded
 * engine's data and the spool under `dir`, batches cut after 100 ms so spans are queryable soon.
 */
import { join } from 'node:path';
import { DEFAULT_CONFIG, type CollectorConfig } from '../collector-config.js';

export function testCollectorConfig(dir: string, options: { grpc?: boolean } = {}): CollectorConfig {
  return {
    ...DEFAULT_CONFIG,
    http: { ...DEFAULT_CONFIG.http, port: 0 },
    grpc: options.grpc ? { ...DEFAULT_CONFIG.grpc, port: 0 } : { ...DEFAULT_CONFIG.grpc, enabled: false },
    clickhouse: { ...DEFAULT_CONFIG.clickhouse, dataDir: join(dir, 'clickhouse') },
    spool: { ...DEFAULT_CONFIG.spool, dir: join(dir, 'spool') },
    batch: { ...DEFAULT_CONFIG.batch, maxDelayMs: 100 },
  };
}
