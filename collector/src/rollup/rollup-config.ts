/**
 * `rollup.*` of the collector's config (issue 11): whether the collector builds the usage rollup
 * that analytics read (rollup-builder.ts), how often, how much per round and per statement, its
 * pause after a statement, the grace after a change, and the custom properties kept as dimensions. Defaults here; `validateRollupConfig`
 * throws a ConfigError naming the key under `rollup.`.
 */
import { ConfigError, DEFAULT_ROLLUP_GRACE_MS } from '@tokentrace/processors';

export interface RollupConfig {
  /** Build the rollup in this process. Off: nothing is built and analytics read spans only. */
  enabled: boolean;
  /** Between the starts of two rounds; at least 1 s. */
  intervalMs: number;
  /**
   * An hour is built once its last change is this old, and read from the rollup only when its
   * build started this long after its last change: at least the longest insert (the exporter's
   * `requestTimeoutMs`, 30 s by default), so that an insert in flight during a build is not missed.
   */
  graceMs: number;
  /** Hours rebuilt in one round at most (oldest first), so a backfill never starves ingestion. */
  hoursPerRound: number;
  /** Hours rebuilt by one statement (a day of spans FINAL fits the embedded engine's memory; a month does not). */
  hoursPerStatement: number;
  /**
   * After each statement the builder pauses this many times as long as the statement took: 0 (the
   * default) builds back to back while catching up; 1 leaves at least half of the time to others.
   */
  pauseRatio: number;
  /** Custom properties kept as dimensions (`groupBy: property:<name>` from the rollup); names are case-insensitive. */
  properties: string[];
}

export const DEFAULT_ROLLUP_CONFIG: RollupConfig = {
  enabled: true,
  intervalMs: 30_000,
  graceMs: DEFAULT_ROLLUP_GRACE_MS,
  hoursPerRound: 168,
  hoursPerStatement: 24,
  pauseRatio: 0,
  properties: [],
};

const MAX_PROPERTIES = 32;

export function validateRollupConfig(c: RollupConfig): void {
  if (!Number.isInteger(c.intervalMs) || c.intervalMs < 1000) throw new ConfigError('intervalMs', 'an integer number of milliseconds ≥ 1000', c.intervalMs);
  if (!Number.isInteger(c.graceMs) || c.graceMs < 1000) throw new ConfigError('graceMs', 'an integer number of milliseconds ≥ 1000', c.graceMs);
  if (!Number.isInteger(c.hoursPerRound) || c.hoursPerRound < 1) throw new ConfigError('hoursPerRound', 'a positive integer', c.hoursPerRound);
  if (!Number.isInteger(c.hoursPerStatement) || c.hoursPerStatement < 1 || c.hoursPerStatement > 168) throw new ConfigError('hoursPerStatement', 'an integer from 1 to 168', c.hoursPerStatement);
  if (typeof c.pauseRatio !== 'number' || !(c.pauseRatio >= 0 && c.pauseRatio <= 10)) throw new ConfigError('pauseRatio', 'a number from 0 to 10', c.pauseRatio);
  if (!Array.isArray(c.properties) || c.properties.length > MAX_PROPERTIES) throw new ConfigError('properties', `a list of at most ${MAX_PROPERTIES} property names`, c.properties);
  c.properties.forEach((p, i) => {
    if (typeof p !== 'string' || p === '' || p.length > 256) throw new ConfigError(`properties[${i}]`, 'a property name of 1 to 256 characters', p);
  });
}
