/**
 * The trace context a captured call sends downstream when no generic HTTP span is made under its
 * GenAI span (issue 12 part 5, `httpSpans` off): the HTTP instrumentations then neither open a
 * span nor inject headers, so tokentrace injects them itself (the global propagator: `traceparent`,
 * and `baggage` when there is some), naming the GenAI span, and a gateway or server that traces
 * still joins the app's trace.
 */
import { propagation, type Context } from '@opentelemetry/api';
import { readRequestHeader } from './request-header.js';
import type { HeaderShape } from './tracking-headers.js';

/** The headers the global propagator writes for `ctx`; undefined when it writes none. */
export function propagationHeaders(ctx: Context): Record<string, string> | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  for (const _ in carrier) return carrier;
  return undefined;
}

/**
 * `headers` (any shape undici accepts) with `added` appended, without mutating the caller's
 * object. A header the app already set is left as it is.
 */
export function withHeaders(headers: HeaderShape, added: Record<string, string>): HeaderShape {
  if (headers == null) return { ...added };
  if (!Array.isArray(headers) && typeof (headers as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    const record = headers as Record<string, unknown>;
    const out = { ...record };
    for (const name in added) if (readRequestHeader(record, name) === undefined) out[name] = added[name];
    return out;
  }
  const list = Array.isArray(headers) ? headers : [...(headers as Iterable<[string, unknown]>)];
  const pairs = !Array.isArray(headers) || (list.length > 0 && Array.isArray(list[0]));
  const out = [...list];
  for (const name in added) {
    if (readRequestHeader(list, name) !== undefined) continue;
    if (pairs) out.push([name, added[name]]);
    else out.push(name, added[name]);
  }
  return out;
}
