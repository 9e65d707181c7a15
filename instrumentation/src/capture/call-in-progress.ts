/**
 * Marks the context an HTTP client runs in for a captured call, so that a second hook seeing the
 * same request lower down (undici speaking HTTP/2 through node:http2, with `allowH2`) knows it is
 * already captured and opens no second span.
 */
import { createContextKey, type Context } from '@opentelemetry/api';

const CALL_IN_PROGRESS = createContextKey('tokentrace: LLM call captured');

export function markCallInProgress(ctx: Context): Context {
  return ctx.setValue(CALL_IN_PROGRESS, true);
}

export function isCallInProgress(ctx: Context): boolean {
  return ctx.getValue(CALL_IN_PROGRESS) === true;
}
