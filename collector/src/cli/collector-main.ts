#!/usr/bin/env node
/**
 * `tokentrace-collector [--config file.json]` (also `tokentrace collector`): starts the collector
 * with its defaults, the file and TOKENTRACE_* variables; stops gracefully on SIGINT/SIGTERM,
 * draining what it holds into ClickHouse or the spool.
 */
import { parseArgs } from 'node:util';
import { Collector } from '../collector.js';
import { ConfigError } from '@tokentrace/processors';
import { loadCollectorConfig } from '../config/collector-config.js';

export async function runCollector(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('usage: tokentrace-collector [--config collector.json]\nEnvironment: TOKENTRACE_COLLECTOR_HTTP_PORT, TOKENTRACE_COLLECTOR_GRPC_PORT, TOKENTRACE_CLICKHOUSE_URL, TOKENTRACE_API_KEYS, TOKENTRACE_SPOOL_DIR, TOKENTRACE_WAL_DIR, TOKENTRACE_WAL_SYNC, TOKENTRACE_COLLECTOR_DECODE_THREADS, TOKENTRACE_PRICE_FILE, TOKENTRACE_FORWARD_ENDPOINT (see collector/README.md)');
    return;
  }
  // Signals are handled from the start: one that arrives while starting (the "listening" line is
  // printed before start() returns) stops the collector once it has started.
  let collector: Collector | undefined;
  let stopSignal: string | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    stopSignal ??= signal;
    if (!collector || stopping) return;
    stopping = true;
    console.log(`[tokentrace-collector] ${signal}: draining and stopping`);
    collector.shutdown().then(
      () => process.exit(0),
      (err) => {
        console.error(`[tokentrace-collector] shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    collector = await Collector.start(loadCollectorConfig(values.config));
  } catch (err) {
    console.error(`[tokentrace-collector] ${err instanceof ConfigError ? `configuration: ${err.message}` : `could not start: ${(err as Error).message}`}`);
    process.exitCode = 1;
    return;
  }
  if (stopSignal) stop(stopSignal);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('collector-main.js')) {
  await runCollector(process.argv.slice(2));
}
