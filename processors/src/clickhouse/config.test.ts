import { describe, expect, it } from 'vitest';
import { ClickHouseConfigError, DEFAULT_CLICKHOUSE_EXPORTER_CONFIG, resolveClickHouseExporterConfig } from './config.js';

describe('ClickHouse exporter config: cluster keys (issue 5)', () => {
  it('defaults to one server', () => {
    expect(DEFAULT_CLICKHOUSE_EXPORTER_CONFIG).toMatchObject({ cluster: '', replicated: false, nodeUrls: [] });
  });

  it('takes a cluster, replicated or run per node', () => {
    expect(resolveClickHouseExporterConfig({ cluster: 'tokentrace', replicated: true })).toMatchObject({ cluster: 'tokentrace', replicated: true, nodeUrls: [] });
    expect(resolveClickHouseExporterConfig({ cluster: 'tokentrace_loopback', nodeUrls: ['http://127.0.0.1:8123', 'http://127.0.0.1:8124'] }).nodeUrls).toHaveLength(2);
  });

  it('names the key of a setting that cannot work', () => {
    const key = (options: Parameters<typeof resolveClickHouseExporterConfig>[0]) => {
      try {
        resolveClickHouseExporterConfig(options);
      } catch (err) {
        expect(err).toBeInstanceOf(ClickHouseConfigError);
        return (err as ClickHouseConfigError).key;
      }
      return undefined;
    };
    expect(key({ replicated: true })).toBe('replicated');
    expect(key({ nodeUrls: ['http://ch-1:8123'] })).toBe('nodeUrls');
    expect(key({ cluster: 'c', nodeUrls: ['ch-1:8123'] })).toBe('nodeUrls');
    expect(key({ cluster: "x' OR 1" })).toBe('cluster');
  });
});
