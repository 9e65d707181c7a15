import { describe, expect, it } from 'vitest';
import { ConfigError } from '../pipeline/config-error.js';
import { DEFAULT_CLICKHOUSE_EXPORTER_CONFIG, resolveClickHouseExporterConfig } from './config.js';
import { DEFAULT_RETENTION_DAYS } from './migrations.js';

describe('ClickHouse exporter config: retention', () => {
  it('keeps spans 400 days by default, the schema\'s default too', () => {
    expect(DEFAULT_CLICKHOUSE_EXPORTER_CONFIG.retentionDays).toBe(400);
    expect(DEFAULT_RETENTION_DAYS).toBe(DEFAULT_CLICKHOUSE_EXPORTER_CONFIG.retentionDays);
  });

  it('takes whole days from 0 (forever) to 36500, and names the key otherwise', () => {
    for (const days of [0, 1, 30, 36_500]) expect(resolveClickHouseExporterConfig({ retentionDays: days }).retentionDays).toBe(days);
    for (const days of [-1, 1.5, 36_501, Number.NaN, '30' as unknown as number]) {
      expect(() => resolveClickHouseExporterConfig({ retentionDays: days }), String(days)).toThrow(/invalid retentionDays: expected a whole number of days from 0 \(keep forever\) to 36500/);
    }
  });
});

describe('ClickHouse exporter config: cluster keys (issue 5)', () => {
  it('defaults to the embedded engine, not a cluster', () => {
    expect(DEFAULT_CLICKHOUSE_EXPORTER_CONFIG).toMatchObject({ url: '', dataDir: '.data/clickhouse', cluster: '', replicated: false, nodeUrls: [] });
  });

  it('takes a cluster, replicated or run per node', () => {
    const url = 'http://ch-1:8123';
    expect(resolveClickHouseExporterConfig({ url, cluster: 'tokentrace', replicated: true })).toMatchObject({ cluster: 'tokentrace', replicated: true, nodeUrls: [] });
    expect(resolveClickHouseExporterConfig({ url, cluster: 'tokentrace_loopback', nodeUrls: ['http://127.0.0.1:8123', 'http://127.0.0.1:8124'] }).nodeUrls).toHaveLength(2);
  });

  it('names the key of a setting that cannot work', () => {
    const key = (options: Parameters<typeof resolveClickHouseExporterConfig>[0]) => {
      try {
        resolveClickHouseExporterConfig(options);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).key;
      }
      return undefined;
    };
    const url = 'http://ch-1:8123';
    expect(key({ url, replicated: true })).toBe('replicated');
    expect(key({ url, nodeUrls: ['http://ch-1:8123'] })).toBe('nodeUrls');
    expect(key({ url, cluster: 'c', nodeUrls: ['ch-1:8123'] })).toBe('nodeUrls');
    expect(key({ url, cluster: "x' OR 1" })).toBe('cluster');
    expect(key({ cluster: 'c' })).toBe('url'); // the embedded engine is one node
    expect(key({ url: 'ch-1:8123' })).toBe('url');
    expect(key({ url: '', dataDir: '' })).toBe('dataDir');
    expect(key({ maxThreads: 0 })).toBe('maxThreads');
    expect(key({ maxMemoryBytes: 1024 })).toBe('maxMemoryBytes');
  });
});
