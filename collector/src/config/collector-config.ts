/**
 * The collector's configuration, merged from a JSON file and TOKENTRACE_* environment variables
 * (env wins), resolved once at start. It composes the components' own configs under their key
 * prefixes (STYLE.md): `clickhouse.*` is the ClickHouse exporter's config (its defaults and
 * validate()), `limits.*` the receivers' span limits, `wal.*` the write-ahead log's; every
 * problem is one ConfigError naming the key as the user wrote it (`clickhouse.url`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigError,
  DEFAULT_CLICKHOUSE_EXPORTER_CONFIG,
  resolvedUnder,
  validateClickHouseExporterConfig,
  validatePricingConfig,
  type ClickHouseExporterConfig,
} from '@tokentrace/processors';
import { DEFAULT_SPAN_LIMITS, resolveSpanLimits, type SpanLimits } from '../receivers/span-limits.js';
import { DEFAULT_WAL_CONFIG, validateWalConfig } from '../wal/write-ahead-log.js';
import { DEFAULT_FORECAST_CONFIG, validateForecastConfig, type ForecastConfig } from '../insights/forecast/forecast-config.js';
import { DEFAULT_ALERTS_CONFIG, resolveAlertsConfig, type AlertsConfig } from './alerts-config.js';
import { DEFAULT_ROLLUP_CONFIG, validateRollupConfig, type RollupConfig } from '../rollup/rollup-config.js';

/** The exporter's keys the collector's config exposes under `clickhouse.` (the rest keep the exporter's defaults). */
export type CollectorClickHouseConfig = Pick<
  ClickHouseExporterConfig,
  'url' | 'database' | 'username' | 'password' | 'dataDir' | 'maxThreads' | 'maxMemoryBytes' | 'retentionDays' | 'cluster' | 'replicated' | 'nodeUrls'
>;

export interface CollectorConfig {
  http: { host: string; port: number; maxBodyBytes: number };
  grpc: { enabled: boolean; host: string; port: number; maxBodyBytes: number };
  /** API key → project. Empty: auth off, every span goes to project `default`. */
  apiKeys: Record<string, string>;
  /** The ClickHouse exporter's config (processors/src/storage/config.ts): the embedded engine, or a server or cluster. */
  clickhouse: CollectorClickHouseConfig;
  /**
   * Worker threads that decode OTLP bodies; 0 (default) decodes on the event loop. Measured on 2
   * shared cores (bench:collector): 1 thread was slower (15.5k vs 21.8k spans/s) and +150 MiB RSS,
   * since records cross back by structured clone; it pays only with cores to spare.
   */
  decode: { threads: number };
  /** What one span may carry; past a limit values are truncated or dropped, never the span (receivers/span-limits.ts). */
  limits: SpanLimits;
  /** maxConcurrentExports: batches being inserted at once (processors' BatchProcessor). */
  batch: { maxSpans: number; maxBytes: number; maxDelayMs: number; maxConcurrentExports: number };
  spool: { dir: string; maxBytes: number };
  /**
   * Write-ahead log of accepted trace exports (issue 11, collector/src/wal): a request is answered
   * once appended. `dir` empty: `<spool.dir>/wal`. `sync`: `none` survives the collector being
   * killed, `always` also power loss (fdatasync per write). `enabled: false`: acknowledged once buffered.
   */
  wal: { enabled: boolean; dir: string; sync: 'none' | 'always'; segmentBytes: number };
  pricing: { priceFile: string };
  /** Re-export enriched spans to another OTLP/HTTP backend; empty: off. */
  forward: { endpoint: string; headers: Record<string, string> };
  /**
   * Defaults of the month-end forecast (insights/forecast/forecast-config.ts): billing start day,
   * budget. The billing day is also where the alerts' `calendar_month` windows start (one key).
   */
  forecast: ForecastConfig;
  /** Alert rules, their evaluation, SMTP and delivery (alerts-config.ts). */
  alerts: AlertsConfig;
  /** The usage rollup analytics read and its builder (rollup/rollup-config.ts). */
  rollup: RollupConfig;
}

export const DEFAULT_CONFIG: CollectorConfig = {
  http: { host: '127.0.0.1', port: 4318, maxBodyBytes: 16 * 1024 * 1024 },
  grpc: { enabled: true, host: '127.0.0.1', port: 4317, maxBodyBytes: 16 * 1024 * 1024 },
  apiKeys: {},
  clickhouse: clickhouseDefaults(DEFAULT_CLICKHOUSE_EXPORTER_CONFIG),
  decode: { threads: 0 },
  limits: { ...DEFAULT_SPAN_LIMITS },
  batch: { maxSpans: 10_000, maxBytes: 16 * 1024 * 1024, maxDelayMs: 1000, maxConcurrentExports: 2 },
  spool: { dir: '.data/spool', maxBytes: 1024 * 1024 * 1024 },
  wal: { enabled: true, dir: '', ...DEFAULT_WAL_CONFIG },
  pricing: { priceFile: '' },
  forward: { endpoint: '', headers: {} },
  forecast: { ...DEFAULT_FORECAST_CONFIG },
  alerts: structuredClone(DEFAULT_ALERTS_CONFIG),
  rollup: structuredClone(DEFAULT_ROLLUP_CONFIG),
};

function clickhouseDefaults(c: ClickHouseExporterConfig): CollectorClickHouseConfig {
  const { url, database, username, password, dataDir, maxThreads, maxMemoryBytes, retentionDays, cluster, replicated, nodeUrls } = c;
  return { url, database, username, password, dataDir, maxThreads, maxMemoryBytes, retentionDays, cluster, replicated, nodeUrls: [...nodeUrls] };
}

type Env = Record<string, string | undefined>;

/** Environment variable → config path. */
export const ENV_KEYS: Record<string, string> = {
  TOKENTRACE_COLLECTOR_HTTP_HOST: 'http.host',
  TOKENTRACE_COLLECTOR_HTTP_PORT: 'http.port',
  TOKENTRACE_COLLECTOR_GRPC_ENABLED: 'grpc.enabled',
  TOKENTRACE_COLLECTOR_GRPC_HOST: 'grpc.host',
  TOKENTRACE_COLLECTOR_GRPC_PORT: 'grpc.port',
  TOKENTRACE_COLLECTOR_MAX_BODY_BYTES: 'http.maxBodyBytes',
  TOKENTRACE_CLICKHOUSE_URL: 'clickhouse.url',
  TOKENTRACE_CLICKHOUSE_DATABASE: 'clickhouse.database',
  TOKENTRACE_CLICKHOUSE_USER: 'clickhouse.username',
  TOKENTRACE_CLICKHOUSE_PASSWORD: 'clickhouse.password',
  TOKENTRACE_CLICKHOUSE_DATA_DIR: 'clickhouse.dataDir',
  TOKENTRACE_CLICKHOUSE_MAX_THREADS: 'clickhouse.maxThreads',
  TOKENTRACE_CLICKHOUSE_MAX_MEMORY_BYTES: 'clickhouse.maxMemoryBytes',
  TOKENTRACE_CLICKHOUSE_RETENTION_DAYS: 'clickhouse.retentionDays',
  TOKENTRACE_CLICKHOUSE_CLUSTER: 'clickhouse.cluster',
  TOKENTRACE_CLICKHOUSE_REPLICATED: 'clickhouse.replicated',
  /** Comma-separated. */
  TOKENTRACE_CLICKHOUSE_NODE_URLS: 'clickhouse.nodeUrls',
  TOKENTRACE_COLLECTOR_DECODE_THREADS: 'decode.threads',
  TOKENTRACE_LIMIT_ATTRIBUTE_VALUE_LENGTH: 'limits.maxAttributeValueLength',
  TOKENTRACE_LIMIT_NAME_LENGTH: 'limits.maxNameLength',
  TOKENTRACE_LIMIT_ATTRIBUTE_COUNT: 'limits.maxAttributeCount',
  TOKENTRACE_LIMIT_ARRAY_LENGTH: 'limits.maxArrayLength',
  TOKENTRACE_LIMIT_EVENT_COUNT: 'limits.maxEventCount',
  TOKENTRACE_LIMIT_NESTING_DEPTH: 'limits.maxNestingDepth',
  TOKENTRACE_BATCH_MAX_SPANS: 'batch.maxSpans',
  TOKENTRACE_BATCH_MAX_BYTES: 'batch.maxBytes',
  TOKENTRACE_BATCH_MAX_DELAY_MS: 'batch.maxDelayMs',
  TOKENTRACE_BATCH_MAX_CONCURRENT_EXPORTS: 'batch.maxConcurrentExports',
  TOKENTRACE_SPOOL_DIR: 'spool.dir',
  TOKENTRACE_SPOOL_MAX_BYTES: 'spool.maxBytes',
  TOKENTRACE_WAL_ENABLED: 'wal.enabled',
  TOKENTRACE_WAL_DIR: 'wal.dir',
  TOKENTRACE_WAL_SYNC: 'wal.sync',
  TOKENTRACE_PRICE_FILE: 'pricing.priceFile',
  TOKENTRACE_FORWARD_ENDPOINT: 'forward.endpoint',
  TOKENTRACE_FORECAST_BILLING_DAY: 'forecast.billingDay',
  TOKENTRACE_FORECAST_BUDGET_USD: 'forecast.budgetUsd',
  TOKENTRACE_ALERTS_ENABLED: 'alerts.enabled',
  TOKENTRACE_ALERTS_DASHBOARD_URL: 'alerts.dashboardUrl',
  TOKENTRACE_ROLLUP_ENABLED: 'rollup.enabled',
  /** Comma-separated. */
  TOKENTRACE_ROLLUP_PROPERTIES: 'rollup.properties',
};

/** Reads `file` (JSON, optional), then the environment, over the defaults; throws ConfigError. */
export function loadCollectorConfig(file: string | undefined, env: Env = process.env): CollectorConfig {
  const config = structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError('config file', `readable JSON at ${file}`, (err as Error).message);
    }
    merge(config, parsed, '');
  }
  for (const [variable, path] of Object.entries(ENV_KEYS)) {
    const raw = env[variable];
    if (raw !== undefined && raw !== '') setPath(config, path, coerce(raw, getPath(DEFAULT_CONFIG, path), variable));
  }
  // TOKENTRACE_API_KEYS="key1=project-a,key2=project-b"
  if (env.TOKENTRACE_API_KEYS) (config.apiKeys as Record<string, string>) = parsePairs(env.TOKENTRACE_API_KEYS, 'TOKENTRACE_API_KEYS');
  const result = config as unknown as CollectorConfig;
  validate(result);
  return result;
}

export function validate(c: CollectorConfig): void {
  port(c.http.port, 'http.port');
  port(c.grpc.port, 'grpc.port');
  positive(c.http.maxBodyBytes, 'http.maxBodyBytes');
  positive(c.grpc.maxBodyBytes, 'grpc.maxBodyBytes');
  if (!Number.isInteger(c.decode.threads) || c.decode.threads < 0 || c.decode.threads > 64) throw new ConfigError('decode.threads', 'an integer from 0 to 64', c.decode.threads);
  resolvedUnder('limits', () => resolveSpanLimits(c.limits));
  positive(c.batch.maxSpans, 'batch.maxSpans');
  positive(c.batch.maxBytes, 'batch.maxBytes');
  positive(c.batch.maxDelayMs, 'batch.maxDelayMs');
  if (!Number.isInteger(c.batch.maxConcurrentExports) || c.batch.maxConcurrentExports < 1 || c.batch.maxConcurrentExports > 16) {
    throw new ConfigError('batch.maxConcurrentExports', 'an integer from 1 to 16', c.batch.maxConcurrentExports);
  }
  positive(c.spool.maxBytes, 'spool.maxBytes');
  resolvedUnder('wal', () => validateWalConfig({ directory: walDirectory(c), sync: c.wal.sync, segmentBytes: c.wal.segmentBytes }));
  resolvedUnder('clickhouse', () => validateClickHouseExporterConfig({ ...DEFAULT_CLICKHOUSE_EXPORTER_CONFIG, ...c.clickhouse }));
  resolvedUnder('pricing', () => validatePricingConfig(c.pricing));
  resolvedUnder('forecast', () => validateForecastConfig(c.forecast));
  resolvedUnder('alerts', () => resolveAlertsConfig(c.alerts));
  resolvedUnder('rollup', () => validateRollupConfig(c.rollup));
  if (c.forward.endpoint && !/^https?:\/\//.test(c.forward.endpoint)) throw new ConfigError('forward.endpoint', 'an http(s) URL', c.forward.endpoint);
  const open = Object.keys(c.apiKeys).length === 0;
  for (const [key, host] of [['http.host', c.http.host], ['grpc.host', c.grpc.host]] as const) {
    if (open && !isLoopback(host)) {
      throw new ConfigError(key, 'a loopback address while no API keys are configured (set TOKENTRACE_API_KEYS to listen on other interfaces)', host);
    }
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function port(value: number, key: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new ConfigError(key, 'a port number (0 picks a free one)', value);
}

function positive(value: number, key: string): void {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(key, 'a positive number', value);
}

function coerce(raw: string, example: unknown, variable: string): unknown {
  if (Array.isArray(example)) return raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (typeof example === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new ConfigError(variable, 'a number', raw);
    return n;
  }
  if (typeof example === 'boolean') {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new ConfigError(variable, 'true or false', raw);
  }
  return raw;
}

function parsePairs(raw: string, key: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) throw new ConfigError(key, 'key=project pairs separated by commas', item);
    pairs[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return pairs;
}

function merge(target: Record<string, unknown>, source: unknown, prefix: string): void {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) throw new ConfigError(prefix || 'config file', 'an object', source);
  for (const [key, value] of Object.entries(source)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!(key in target)) throw new ConfigError(path, `one of ${Object.keys(target).join(', ')}`, key);
    const current = target[key];
    const freeForm = path === 'apiKeys' || path === 'forward.headers';
    if (Array.isArray(current)) {
      if (!Array.isArray(value)) throw new ConfigError(path, 'a list', value);
      target[key] = value;
    } else if (current !== null && typeof current === 'object' && !freeForm) merge(current as Record<string, unknown>, value, path);
    else {
      if (!freeForm && typeof value !== typeof current) throw new ConfigError(path, `a ${typeof current}`, value);
      target[key] = value;
    }
  }
}

function getPath(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root);
}

function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, root);
  parent[last] = value;
}

/** The write-ahead log's directory: `wal.dir`, or `wal/` in the spool directory. */
export function walDirectory(config: CollectorConfig): string {
  return config.wal.dir || join(config.spool.dir, 'wal');
}

/** The ClickHouse exporter's whole config (the embedded engine or a server), for the exporter, the query API and tools. */
export function clickhouseConnection(config: CollectorConfig): ClickHouseExporterConfig {
  return { ...DEFAULT_CLICKHOUSE_EXPORTER_CONFIG, ...config.clickhouse };
}
