/**
 * The longest a collector's graceful shutdown can take with its default settings, from the code:
 * receivers close (their grace for requests in flight), the batch is flushed into storage (one
 * insert: retries up to the retry budget, of which the last attempt may run a whole request
 * timeout), then the spool persists what is still in flight (its drain timeout). The deployment's
 * stop timeout (compose stop_grace_period, Kubernetes terminationGracePeriodSeconds) must exceed
 * it, or the runtime kills the process mid-flush.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CLICKHOUSE_EXPORTER_CONFIG } from '../../../processors/src/storage/config.js';
import { DEFAULT_RETRY_CONFIG } from '../../../processors/src/exporter-helper/retrying-consumer.js';
import { DEFAULT_SPOOL_CONFIG } from '../../../processors/src/exporter-helper/spooling-consumer.js';
import { repoRoot } from './repo.js';

/** The receivers' default `shutdownGraceMs` (not exported: `options.shutdownGraceMs ?? N`). */
function receiverGraceMs(file: string): number {
  const m = /shutdownGraceMs\s*\?\?\s*([\d_]+)/.exec(readFileSync(join(repoRoot, file), 'utf8'));
  if (!m) throw new Error(`${file}: shutdownGraceMs default not found; update deploy/src/testing/shutdown-budget.ts`);
  return Number(m[1].replace(/_/g, ''));
}

export function shutdownBudgetMs(): { totalMs: number; parts: Record<string, number> } {
  const parts = {
    receivers: Math.max(receiverGraceMs('collector/src/receivers/otlp-http-receiver.ts'), receiverGraceMs('collector/src/receivers/otlp-grpc-receiver.ts')),
    flushRetries: DEFAULT_RETRY_CONFIG.maxElapsedMs,
    flushLastAttempt: DEFAULT_CLICKHOUSE_EXPORTER_CONFIG.requestTimeoutMs,
    spoolDrain: DEFAULT_SPOOL_CONFIG.drainTimeoutMs,
  };
  return { totalMs: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}

/** Seconds of a Compose duration (90s, 1m30s) or a plain number of seconds. */
export function seconds(duration: string | number): number {
  if (typeof duration === 'number') return duration;
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(h|m|s|ms)/g;
  let m: RegExpExecArray | null;
  let matched = '';
  while ((m = re.exec(duration))) {
    total += Number(m[1]) * { h: 3600, m: 60, s: 1, ms: 0.001 }[m[2] as 'h' | 'm' | 's' | 'ms'];
    matched += m[0];
  }
  if (matched !== duration) throw new Error(`not a duration: ${duration}`);
  return total;
}
