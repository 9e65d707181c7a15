/**
 * Helicone's retry options (issue 14 §3), honoured in-process: `Helicone-Retry-Enabled: true`
 * with `Helicone-Retry-Num`, `-Factor`, `-Min-Timeout`, `-Max-Timeout` (and the `Tokentrace-`
 * forms), `withContext({ retry })` and the programmatic `retry` option. Defaults are Helicone's
 * (https://docs.helicone.ai/features/advanced-usage/retries): 5 retries, factor 2, 1000 ms
 * minimum and 10000 ms maximum wait, i.e. waits of 1 s, 2 s, 4 s, 8 s, 10 s.
 */
import type { RetryOptions, TrackingContext } from '../types.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  num: number;
  factor: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

export const HELICONE_RETRY_DEFAULTS: Readonly<RetryPolicy> = { num: 5, factor: 2, minTimeoutMs: 1000, maxTimeoutMs: 10_000 };

/** Header name after its `Helicone-`/`Tokentrace-` prefix → option. */
const HEADER_FIELDS: Record<string, keyof RetryOptions> = {
  'retry-enabled': 'enabled',
  'retry-num': 'num',
  'retry-factor': 'factor',
  'retry-min-timeout': 'minTimeoutMs',
  'retry-max-timeout': 'maxTimeoutMs',
};

/**
 * Reads one retry header (`rest` is the lower-case name after the prefix) into `into.retry`.
 * Returns false when the header is no retry header. A value that is no number is ignored, as a
 * proxy would ignore it, and the default applies.
 */
export function readRetryHeader(rest: string, text: string, into: TrackingContext): boolean {
  const field = HEADER_FIELDS[rest];
  if (!field) return false;
  const retry = (into.retry ??= {});
  if (field === 'enabled') retry.enabled = text.trim().toLowerCase() === 'true';
  else {
    const n = Number(text.trim());
    if (text.trim() !== '' && Number.isFinite(n) && n >= 0) retry[field] = n;
  }
  return true;
}

/** Options over options: the later wins field by field. */
export function mergeRetryOptions(base: RetryOptions | undefined, over: RetryOptions | undefined): RetryOptions | undefined {
  if (!base) return over;
  if (!over) return base;
  return { ...base, ...over };
}

/**
 * The policy in force for one call (configured defaults, then context, then headers), or
 * undefined when retries are not enabled for it.
 */
export function retryPolicyOf(configured: RetryOptions | undefined, tracking: RetryOptions | undefined): RetryPolicy | undefined {
  const options = mergeRetryOptions(configured, tracking);
  if (!options?.enabled) return undefined;
  const d = HELICONE_RETRY_DEFAULTS;
  const minTimeoutMs = options.minTimeoutMs ?? d.minTimeoutMs;
  return {
    num: Math.floor(options.num ?? d.num),
    factor: options.factor ?? d.factor,
    minTimeoutMs,
    maxTimeoutMs: Math.max(minTimeoutMs, options.maxTimeoutMs ?? d.maxTimeoutMs),
  };
}
