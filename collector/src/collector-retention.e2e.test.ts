/**
 * `clickhouse.retentionDays` reaches the table: a collector started with a retention sets the
 * spans' TTL to it (the exporter ensures the schema at start), and a restart with another one
 * changes it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClickHouseClient } from '@tokentrace/processors';
import { describe, expect, it } from 'vitest';
import { Collector } from './collector.js';
import { testCollectorConfig } from './config/testing/test-collector-config.js';

describe('collector retention', () => {
  it('sets the spans table TTL to clickhouse.retentionDays at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-collector-retention-'));
    const ttlAfterStart = async (retentionDays: number): Promise<string> => {
      const base = testCollectorConfig(dir);
      const collector = await Collector.start({ ...base, clickhouse: { ...base.clickhouse, retentionDays } }, { log: () => undefined });
      const client = createClickHouseClient(collector.clickhouse);
      try {
        const [row] = await (
          await client.query({ query: `SELECT engine_full FROM system.tables WHERE database = 'tokentrace' AND name = 'spans'`, format: 'JSONEachRow' })
        ).json<{ engine_full: string }>();
        return /\bTTL (.*?) SETTINGS/.exec(row.engine_full)?.[1] ?? 'none';
      } finally {
        await client.close();
        await collector.shutdown();
      }
    };
    expect(await ttlAfterStart(9)).toBe('toDateTime(start_time) + toIntervalDay(9)');
    expect(await ttlAfterStart(0)).toBe('none');
  }, 60_000);
});
