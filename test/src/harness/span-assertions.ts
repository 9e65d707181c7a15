/** Helpers to read finished spans in tests: GenAI spans, their HTTP children, trace context sent, and secret checks. */
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { ATTR_GEN_AI_OPERATION_NAME } from '@tokentrace/semconv';
import { expect } from 'vitest';
import type { RecordedExchange } from '../provider-emulator/index.js';

export function genAiSpans(spans: readonly ReadableSpan[]): ReadableSpan[] {
  return spans.filter((s) => s.attributes[ATTR_GEN_AI_OPERATION_NAME] !== undefined);
}

export function childrenOf(spans: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  return spans.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);
}

/** The generic HTTP client span(s) that undici/http instrumentation opened under `parent`. */
export function httpChildren(spans: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  return childrenOf(spans, parent).filter((s) => s.kind === SpanKind.CLIENT && s.attributes[ATTR_GEN_AI_OPERATION_NAME] === undefined);
}

/** Every attribute value of every span, and status messages, as one string to search for secrets. */
export function everythingRecorded(spans: readonly ReadableSpan[]): string {
  return JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events })));
}

/** The `traceparent` header that names `span` (sampled). */
export function traceparentOf(span: ReadableSpan): string {
  return `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;
}

/**
 * By default (`httpSpans` off) a captured call's GenAI span is its only client span: no generic
 * HTTP span under it, and the request the emulator received last carried the GenAI span's trace context.
 */
export function expectOnlyClientSpan(spans: readonly ReadableSpan[], span: ReadableSpan, emulator: { readonly lastRequest?: RecordedExchange }): void {
  expect(httpChildren(spans, span)).toEqual([]);
  expect(emulator.lastRequest?.request.headers.traceparent).toBe(traceparentOf(span));
}
