/**
 * The least a capture at the HTTP layer can do per call, for `npm run bench:instrumentation`'s
 * reference variants (instrumentation-variant.ts): `floor` wraps the global undici dispatcher,
 * forwards the app's handler, and records one span per chat call with the OpenTelemetry SDK
 * (started in `dispatch`, three attributes, ended after the response) — no parsing, no metrics, no
 * propagation; `floor-nospan` does the same without the span. What tokentrace costs above `floor`
 * is what its features cost (parsing, attributes, metrics, trace context); what `floor` costs above
 * bare is what any OpenTelemetry instrumentation that records one span per call pays on this
 * benchmark (bench/README.md, "The floor").
 */
import { context, SpanKind, trace, type Span } from '@opentelemetry/api';

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

interface Dispatcher {
  dispatch(options: { path?: unknown }, handler: Handler): boolean;
}
type Handler = Record<string, ((...args: unknown[]) => unknown) | undefined>;

/** A span context that no SDK records: what `floor-nospan` puts in the context instead of a span. */
const NO_SPAN = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });

export function installFloorCapture(withSpan: boolean): void {
  const g = globalThis as unknown as Record<symbol, Dispatcher>;
  void (globalThis as { Headers?: unknown }).Headers; // loads Node's undici, which installs the global dispatcher
  const original = g[GLOBAL_DISPATCHER];
  const dispatch = original.dispatch.bind(original);
  const tracer = trace.getTracer('floor');
  const capture = (options: { path?: unknown }, handler: Handler): boolean => {
    if (typeof options.path !== 'string' || !options.path.endsWith('/chat/completions')) return dispatch(options, handler);
    const span: Span = withSpan
      ? tracer.startSpan('chat', { kind: SpanKind.CLIENT, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai' } })
      : NO_SPAN;
    const observed: Handler = {
      onConnect: (...a) => handler.onConnect?.(...a),
      onHeaders: (...a) => {
        span.setAttribute('http.response.status_code', a[0] as number);
        return handler.onHeaders?.(...a);
      },
      onData: (...a) => handler.onData?.(...a),
      onComplete: (...a) => {
        const result = handler.onComplete?.(...a);
        setImmediate(() => span.end());
        return result;
      },
      onError: (...a) => {
        span.end();
        return handler.onError?.(...a);
      },
      onUpgrade: (...a) => handler.onUpgrade?.(...a),
      onBodySent: (...a) => handler.onBodySent?.(...a),
    };
    return context.with(trace.setSpan(context.active(), span), () => dispatch(options, observed));
  };
  g[GLOBAL_DISPATCHER] = new Proxy(original, {
    get(target, prop) {
      if (prop === 'dispatch') return capture;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
