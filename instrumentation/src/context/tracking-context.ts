/**
 * The context API: `withContext({ userId, sessionId, ... }, fn)` attaches user, session and custom
 * properties to every LLM call made inside `fn`, through the OpenTelemetry context so that async
 * children inherit it. Nested calls merge, the inner values winning.
 */
import { context, createContextKey, type Context } from '@opentelemetry/api';
import { mergeRetryOptions } from '../retry/retry-options.js';
import type { TrackingContext } from '../types.js';

const TRACKING_KEY = createContextKey('tokentrace.tracking');

export function getTrackingContext(ctx: Context = context.active()): TrackingContext | undefined {
  return ctx.getValue(TRACKING_KEY) as TrackingContext | undefined;
}

/** Returns a context carrying `tracking` merged over what `ctx` already carries. */
export function setTrackingContext(ctx: Context, tracking: TrackingContext): Context {
  return ctx.setValue(TRACKING_KEY, mergeTracking(getTrackingContext(ctx), tracking));
}

/** Runs `fn` with the tracking values attached to every LLM call it makes, however deep. */
export function withContext<T>(tracking: TrackingContext, fn: () => T): T {
  return context.with(setTrackingContext(context.active(), tracking), fn);
}

export function mergeTracking(base: TrackingContext | undefined, over: TrackingContext | undefined): TrackingContext {
  if (!base) return over?.properties ? { ...over, properties: normalizeProperties(over.properties) } : (over ?? {});
  if (!over) return base;
  const merged: TrackingContext = { ...base };
  for (const key of ['userId', 'sessionId', 'sessionName', 'sessionPath', 'promptId'] as const) {
    if (over[key] !== undefined) merged[key] = over[key];
  }
  if (over.properties) merged.properties = { ...base.properties, ...normalizeProperties(over.properties) };
  if (over.cache) merged.cache = { ...base.cache, ...over.cache };
  if (over.retry) merged.retry = mergeRetryOptions(base.retry, over.retry);
  if (over.rateLimitPolicies) merged.rateLimitPolicies = over.rateLimitPolicies;
  return merged;
}

/** Property names are case-insensitive, like the headers they also come from: stored lower-cased. */
export function normalizeProperties(properties: Record<string, string>): Record<string, string> {
  const normalized: Record<string, string> = {};
  for (const [name, value] of Object.entries(properties)) normalized[name.toLowerCase()] = String(value);
  return normalized;
}
