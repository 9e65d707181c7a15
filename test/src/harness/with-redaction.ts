/**
 * The in-process harness of in-process-tracing.ts, with the generic HTTP instrumentations set up
 * the way `startTokentrace` (instrumentation/src/sdk/start-sdk.ts) sets them up for
 * `--import @tokentrace/instrumentation/register`: instrumentation-undici and -http with a
 * `requestHook` that redacts secret query parameters (`key=` ...) from their URL attributes.
 * For tests of what register promises about secrets; one per test file, like setupTracing.
 */
import { context, metrics, propagation, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { redactSpanUrlAttributes, TokentraceInstrumentation, type TokentraceInstrumentationConfig } from '@tokentrace/instrumentation';
import type { TracingHarness } from './in-process-tracing.js';

class OnDemandMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export function setupTracingWithRedaction(config: TokentraceInstrumentationConfig): TracingHarness {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const reader = new OnDemandMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);

  // As start-sdk.ts does it, constructed in the same order: each enables itself in its
  // constructor, and node:http must be patched by the HTTP instrumentation before tokentrace wraps it.
  const redact = (span: Span) => redactSpanUrlAttributes(span, (span as { attributes?: Record<string, unknown> }).attributes);
  const generic = [new UndiciInstrumentation({ requestHook: redact }), new HttpInstrumentation({ requestHook: redact })];
  const instrumentation = new TokentraceInstrumentation(config);
  const unregister = registerInstrumentations({ instrumentations: [...generic, instrumentation], tracerProvider, meterProvider });

  return {
    instrumentation,
    spans: () => exporter.getFinishedSpans(),
    async waitForSpans(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const spans = exporter.getFinishedSpans();
        if (predicate(spans)) return spans;
        if (Date.now() > deadline) throw new Error(`spans not as expected after ${timeoutMs} ms: ${spans.map((s) => s.name).join(', ')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async collectMetrics() {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics;
    },
    reset: () => exporter.reset(),
    async shutdown() {
      instrumentation.disable(); // ours first: it wraps what the HTTP instrumentation patched
      unregister();
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}
