/**
 * Limits on what one span may carry into the pipeline, in the spirit of the OpenTelemetry SDK's
 * attribute limits (spec, "Attribute Limits" and "Span Limits"): past a limit a value is truncated
 * or dropped, never the span. The receivers apply them while decoding (span-sanitizer.ts), so that
 * nothing a receiver accepted can later be too large or too deep to process and store.
 *
 * The defaults are well above what SDKs send (their own defaults are 128 attributes and 128
 * events, unlimited length) and leave room for captured LLM content: a prompt with a long
 * document is several hundred kilobytes.
 */
import { ConfigError } from '@tokentrace/processors';

export interface SpanLimits {
  /** Longest string attribute value and status message, in UTF-16 code units (a string array's elements each). */
  maxAttributeValueLength: number;
  /** Longest span name, event name, attribute key, scope name and version. */
  maxNameLength: number;
  /** Attributes kept per span, event, resource, scope and key-value list; later distinct keys are dropped. */
  maxAttributeCount: number;
  /** Elements kept per array value. */
  maxArrayLength: number;
  /** Events kept per span (the first ones). */
  maxEventCount: number;
  /** Levels of arrays and key-value lists inside one attribute value; deeper containers become null. */
  maxNestingDepth: number;
}

export const DEFAULT_SPAN_LIMITS: Readonly<SpanLimits> = {
  maxAttributeValueLength: 1024 * 1024,
  maxNameLength: 4096,
  maxAttributeCount: 1024,
  maxArrayLength: 4096,
  maxEventCount: 1024,
  maxNestingDepth: 32,
};

/** `options` over the defaults; throws a ConfigError naming the key (`maxNameLength`). */
export function resolveSpanLimits(options: Partial<SpanLimits> = {}): SpanLimits {
  const limits = { ...DEFAULT_SPAN_LIMITS, ...options };
  for (const key of Object.keys(DEFAULT_SPAN_LIMITS) as (keyof SpanLimits)[]) {
    const value = limits[key];
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(key, 'an integer ≥ 1', value);
  }
  // The deepest level must still fit on the stack of every stage that walks values recursively.
  if (limits.maxNestingDepth > 1000) throw new ConfigError('maxNestingDepth', 'an integer from 1 to 1000', limits.maxNestingDepth);
  return limits;
}
