/** The programmatic `retry` option, resolved once: defaults for every call and the wait function. */
import { ConfigError } from '../config.js';
import type { RetryConfig, RetryOptions } from '../types.js';
import { timerSleep, type RetrySleep } from './retry-sleep.js';

export interface ResolvedRetryConfig {
  /** Under the context's and the headers' options. */
  defaults?: RetryOptions;
  sleep: RetrySleep;
}

export function resolveRetryConfig(option: RetryConfig | undefined): ResolvedRetryConfig {
  if (option === undefined) return { sleep: timerSleep };
  if (typeof option !== 'object' || option === null) throw new ConfigError('retry', 'an object', option);
  const { sleep, ...defaults } = option;
  for (const key of ['num', 'factor', 'minTimeoutMs', 'maxTimeoutMs'] as const) {
    const v = defaults[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw new ConfigError(`retry.${key}`, 'a number >= 0', v);
  }
  if (sleep !== undefined && typeof sleep !== 'function') throw new ConfigError('retry.sleep', 'a function (ms) => Promise', sleep);
  return { defaults, sleep: sleep ?? timerSleep };
}
