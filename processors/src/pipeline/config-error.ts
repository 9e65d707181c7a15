/**
 * The one error for a configuration value that cannot be used, thrown by every component's
 * resolver and by the collector's config (STYLE.md: config composed, not re-resolved). `key` is the
 * component's own key (`url`, `maxSpans`); the collector's config re-keys it under the component's
 * prefix with `under('clickhouse')`, so the message names the key as the user wrote it.
 */
export class ConfigError extends Error {
  readonly code = 'TOKENTRACE_INVALID_CONFIG';
  override readonly name = 'ConfigError';

  constructor(
    readonly key: string,
    readonly expected: string,
    readonly got: unknown,
    options?: ErrorOptions,
  ) {
    super(`invalid ${key}: expected ${expected}, got ${shown(got)}`, options);
  }

  /** This error with its key under `prefix` (`url` → `clickhouse.url`). */
  under(prefix: string): ConfigError {
    return new ConfigError(`${prefix}.${this.key}`, this.expected, this.got, { cause: this.cause });
  }
}

/** Runs a component's resolver; a ConfigError from it comes out re-keyed under `prefix`. */
export function resolvedUnder<T>(prefix: string, resolve: () => T): T {
  try {
    return resolve();
  } catch (err) {
    throw err instanceof ConfigError ? err.under(prefix) : err;
  }
}

function shown(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
