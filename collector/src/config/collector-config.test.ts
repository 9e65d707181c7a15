import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CLICKHOUSE_EXPORTER_CONFIG } from '@tokentrace/processors';
import { DEFAULT_CONFIG, loadCollectorConfig, walDirectory } from './collector-config.js';

describe('loadCollectorConfig', () => {
  it('has sensible defaults: OTLP ports, loopback, auth off', () => {
    expect(loadCollectorConfig(undefined, {})).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG.http.port).toBe(4318);
    expect(DEFAULT_CONFIG.grpc.port).toBe(4317);
  });

  it('merges a file, then the environment over it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tt-config-')), 'collector.json');
    writeFileSync(file, JSON.stringify({ http: { port: 14318 }, batch: { maxSpans: 10 }, apiKeys: { k1: 'proj-a' } }));
    const config = loadCollectorConfig(file, { TOKENTRACE_COLLECTOR_HTTP_PORT: '24318', TOKENTRACE_CLICKHOUSE_URL: 'http://ch:8123' });
    expect(config.http.port).toBe(24318);
    expect(config.batch.maxSpans).toBe(10);
    expect(config.apiKeys).toEqual({ k1: 'proj-a' });
    expect(config.clickhouse.url).toBe('http://ch:8123');
  });

  it('takes span limits from the file and the environment, and names a bad one', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tt-config-')), 'limits.json');
    writeFileSync(file, JSON.stringify({ limits: { maxAttributeCount: 256 } }));
    const config = loadCollectorConfig(file, { TOKENTRACE_LIMIT_ATTRIBUTE_VALUE_LENGTH: '65536', TOKENTRACE_LIMIT_NESTING_DEPTH: '8' });
    expect(config.limits).toEqual({ ...DEFAULT_CONFIG.limits, maxAttributeCount: 256, maxAttributeValueLength: 65_536, maxNestingDepth: 8 });
    expect(() => loadCollectorConfig(undefined, { TOKENTRACE_LIMIT_EVENT_COUNT: '0' })).toThrow(/invalid limits.maxEventCount: expected an integer ≥ 1, got 0/);
  });

  it('builds the usage rollup by default, takes its properties from the environment, and names a bad key under rollup. (issue 11)', () => {
    expect(DEFAULT_CONFIG.rollup).toEqual({ enabled: true, intervalMs: 30_000, graceMs: 60_000, hoursPerRound: 168, hoursPerStatement: 24, pauseRatio: 0, properties: [] });
    const config = loadCollectorConfig(undefined, { TOKENTRACE_ROLLUP_PROPERTIES: 'feature, tier', TOKENTRACE_ROLLUP_ENABLED: 'false' });
    expect([config.rollup.properties, config.rollup.enabled]).toEqual([['feature', 'tier'], false]);
    const file = join(mkdtempSync(join(tmpdir(), 'tt-config-')), 'rollup.json');
    writeFileSync(file, JSON.stringify({ rollup: { graceMs: 10 } }));
    expect(() => loadCollectorConfig(file, {})).toThrow(/invalid rollup\.graceMs: expected an integer number of milliseconds ≥ 1000, got 10/);
    writeFileSync(file, JSON.stringify({ rollup: { properties: ['feature', ''] } }));
    expect(() => loadCollectorConfig(file, {})).toThrow(/invalid rollup\.properties\[1\]: expected a property name of 1 to 256 characters/);
    writeFileSync(file, JSON.stringify({ rollup: { hoursPerStatement: 1000 } }));
    expect(() => loadCollectorConfig(file, {})).toThrow(/invalid rollup\.hoursPerStatement/);
    writeFileSync(file, JSON.stringify({ rollup: { pauseRatio: -1 } }));
    expect(() => loadCollectorConfig(file, {})).toThrow(/invalid rollup\.pauseRatio: expected a number from 0 to 10, got -1/);
  });

  it('puts the write-ahead log in the spool directory unless told otherwise, and names a bad sync policy (issue 11)', () => {
    expect(DEFAULT_CONFIG.wal).toMatchObject({ enabled: true, dir: '', sync: 'none' });
    expect(walDirectory(loadCollectorConfig(undefined, { TOKENTRACE_SPOOL_DIR: '/var/tt/spool' }))).toBe(join('/var/tt/spool', 'wal'));
    const config = loadCollectorConfig(undefined, { TOKENTRACE_WAL_DIR: '/fast/wal', TOKENTRACE_WAL_SYNC: 'always', TOKENTRACE_WAL_ENABLED: 'false' });
    expect([walDirectory(config), config.wal.sync, config.wal.enabled]).toEqual(['/fast/wal', 'always', false]);
    expect(() => loadCollectorConfig(undefined, { TOKENTRACE_WAL_SYNC: 'sometimes' })).toThrow(/invalid wal\.sync: expected "none" or "always", got "sometimes"/);
  });

  it('reads API keys from the environment', () => {
    expect(loadCollectorConfig(undefined, { TOKENTRACE_API_KEYS: 'a=one, b=two' }).apiKeys).toEqual({ a: 'one', b: 'two' });
  });

  it('names the offending key', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tt-config-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ http: { prot: 1 } }));
    expect(() => loadCollectorConfig(file, {})).toThrow(/http\.prot/);
    expect(() => loadCollectorConfig(undefined, { TOKENTRACE_COLLECTOR_HTTP_PORT: 'abc' })).toThrow(/TOKENTRACE_COLLECTOR_HTTP_PORT/);
    expect(() => loadCollectorConfig(undefined, { TOKENTRACE_COLLECTOR_HTTP_PORT: '70000' })).toThrow(/http\.port/);
    expect(() => loadCollectorConfig(undefined, { TOKENTRACE_CLICKHOUSE_URL: 'ch:8123' })).toThrow(ConfigError);
  });

  it('refuses to listen beyond loopback without API keys', () => {
    expect(() => loadCollectorConfig(undefined, { TOKENTRACE_COLLECTOR_HTTP_HOST: '0.0.0.0' })).toThrow(/http\.host.*loopback/);
    expect(loadCollectorConfig(undefined, { TOKENTRACE_COLLECTOR_HTTP_HOST: '0.0.0.0', TOKENTRACE_COLLECTOR_GRPC_HOST: '0.0.0.0', TOKENTRACE_API_KEYS: 'k=p' }).http.host).toBe('0.0.0.0');
  });

  it('takes a ClickHouse cluster from the file or the environment (issue 5), node URLs as a list', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tt-config-')), 'cluster.json');
    writeFileSync(file, JSON.stringify({ clickhouse: { url: 'http://ch-1:8123', cluster: 'tokentrace', replicated: true } }));
    expect(loadCollectorConfig(file, {}).clickhouse).toMatchObject({ cluster: 'tokentrace', replicated: true, nodeUrls: [] });
    const env = { TOKENTRACE_CLICKHOUSE_URL: 'http://ch-1:8123', TOKENTRACE_CLICKHOUSE_CLUSTER: 'loop', TOKENTRACE_CLICKHOUSE_NODE_URLS: 'http://ch-1:8123, http://ch-2:8123' };
    expect(loadCollectorConfig(undefined, env).clickhouse).toMatchObject({ cluster: 'loop', replicated: false, nodeUrls: ['http://ch-1:8123', 'http://ch-2:8123'] });
    writeFileSync(file, JSON.stringify({ clickhouse: { url: 'http://ch-1:8123', cluster: 'loop', nodeUrls: 'http://ch-2:8123' } }));
    expect(() => loadCollectorConfig(file, {})).toThrow(/clickhouse\.nodeUrls: expected a list/);
  });

  it('takes the retention of stored spans in days from the file or TOKENTRACE_CLICKHOUSE_RETENTION_DAYS (400 by default, 0 keeps them forever)', () => {
    expect(DEFAULT_CONFIG.clickhouse.retentionDays).toBe(400);
    expect(loadCollectorConfig(undefined, {}).clickhouse.retentionDays).toBe(400);
    expect(loadCollectorConfig(undefined, { TOKENTRACE_CLICKHOUSE_RETENTION_DAYS: '30' }).clickhouse.retentionDays).toBe(30);
    expect(loadCollectorConfig(undefined, { TOKENTRACE_CLICKHOUSE_RETENTION_DAYS: '0' }).clickhouse.retentionDays).toBe(0);
    const file = join(mkdtempSync(join(tmpdir(), 'tt-config-')), 'retention.json');
    writeFileSync(file, JSON.stringify({ clickhouse: { retentionDays: 90 } }));
    expect(loadCollectorConfig(file, {}).clickhouse.retentionDays).toBe(90);
    expect(loadCollectorConfig(file, { TOKENTRACE_CLICKHOUSE_RETENTION_DAYS: '7' }).clickhouse.retentionDays).toBe(7); // env wins
    expect(() => loadCollectorConfig(undefined, { TOKENTRACE_CLICKHOUSE_RETENTION_DAYS: 'a year' })).toThrow(/invalid TOKENTRACE_CLICKHOUSE_RETENTION_DAYS: expected a number/);
    for (const bad of ['-1', '1.5', '36501']) {
      expect(() => loadCollectorConfig(undefined, { TOKENTRACE_CLICKHOUSE_RETENTION_DAYS: bad }), bad).toThrow(/invalid clickhouse\.retentionDays: expected a whole number of days from 0 \(keep forever\) to 36500/);
    }
  });

  it('refuses cluster settings that cannot work, naming the key', () => {
    expect(() => loadCollectorConfig(undefined, { TOKENTRACE_CLICKHOUSE_CLUSTER: 'loop' })).toThrow(/clickhouse\.url/); // the embedded engine is no cluster
    expect(() => loadCollectorConfig(undefined, { TOKENTRACE_CLICKHOUSE_URL: 'http://ch:8123', TOKENTRACE_CLICKHOUSE_REPLICATED: 'true' })).toThrow(/clickhouse\.replicated/);
    expect(() => loadCollectorConfig(undefined, { TOKENTRACE_CLICKHOUSE_URL: 'http://ch:8123', TOKENTRACE_CLICKHOUSE_NODE_URLS: 'http://ch:8123' })).toThrow(/clickhouse\.nodeUrls/);
    expect(() => loadCollectorConfig(undefined, { TOKENTRACE_CLICKHOUSE_URL: 'http://ch:8123', TOKENTRACE_CLICKHOUSE_CLUSTER: 'a b' })).toThrow(/clickhouse\.cluster/);
    expect(() => loadCollectorConfig(undefined, { TOKENTRACE_CLICKHOUSE_URL: 'http://ch:8123', TOKENTRACE_CLICKHOUSE_CLUSTER: 'c', TOKENTRACE_CLICKHOUSE_NODE_URLS: 'ch-2:8123' })).toThrow(/clickhouse\.nodeUrls/);
  });

  it('composes the components: one ConfigError naming the key under its prefix; defaults from the component', () => {
    expect(DEFAULT_CONFIG.clickhouse).toMatchObject({ url: DEFAULT_CLICKHOUSE_EXPORTER_CONFIG.url, retentionDays: DEFAULT_CLICKHOUSE_EXPORTER_CONFIG.retentionDays, maxThreads: DEFAULT_CLICKHOUSE_EXPORTER_CONFIG.maxThreads });
    const thrown = (env: Record<string, string>): ConfigError => {
      try {
        loadCollectorConfig(undefined, env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return err as ConfigError;
      }
      throw new Error('no error');
    };
    expect(thrown({ TOKENTRACE_CLICKHOUSE_RETENTION_DAYS: '-1' })).toMatchObject({ key: 'clickhouse.retentionDays', code: 'TOKENTRACE_INVALID_CONFIG' });
    expect(thrown({ TOKENTRACE_CLICKHOUSE_MAX_THREADS: '0' }).message).toBe('invalid clickhouse.maxThreads: expected a positive integer, got 0');
    expect(thrown({ TOKENTRACE_LIMIT_NAME_LENGTH: '0' }).key).toBe('limits.maxNameLength');
    expect(thrown({ TOKENTRACE_WAL_SYNC: 'never' }).key).toBe('wal.sync');
    expect(thrown({ TOKENTRACE_COLLECTOR_HTTP_PORT: '-5' }).key).toBe('http.port');
    expect(loadCollectorConfig(undefined, { TOKENTRACE_CLICKHOUSE_RETENTION_DAYS: '30' }).clickhouse.retentionDays).toBe(30);
  });
});
