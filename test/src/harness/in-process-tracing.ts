/**
 * In-process OpenTelemetry setup for tests: a real SDK tracer provider with an in-memory span
 * exporter, a metric reader that collects on demand, the AsyncLocalStorage context manager,
 * and tokentrace's instrumentation (by default after the generic undici/http instrumentations,
 * set up as register sets them up, URL redaction hook included). One per test file: vitest runs
 * each file in its own process.
 */
import { context, metrics, propagation, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { redactSpanUrlAttributes, TokentraceInstrumentation, type TokentraceInstrumentationConfig } from '@tokentrace/instrumentation';

class OnDemandMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Counts the spans started and not yet ended, so a test can wait for every one to end. */
class OpenSpans implements SpanProcessor {
  count = 0;
  onStart(): void {
    this.count++;
  }
  onEnd(): void {
    this.count--;
  }
  forceFlush = async () => undefined;
  shutdown = async () => undefined;
}

export interface TracingHarness {
  readonly instrumentation: TokentraceInstrumentation;
  /** Finished spans so far. */
  spans(): ReadableSpan[];
  /** Waits until `predicate` holds for the finished spans (span ends can be asynchronous). */
  waitForSpans(predicate: (spans: ReadableSpan[]) => boolean, timeoutMs?: number): Promise<ReadableSpan[]>;
  /**
   * Waits until every span started so far has ended: after a call's answer reached the app, its
   * spans (ours, the generic HTTP ones, an emulator's server span) were all started, so this is
   * the point at which an absent span is really absent.
   */
  waitForOpenSpans(timeoutMs?: number): Promise<ReadableSpan[]>;
  collectMetrics(): Promise<ResourceMetrics>;
  reset(): void;
  shutdown(): Promise<void>;
}

export interface HarnessOptions {
  /** Also enable instrumentation-undici and instrumentation-http, before tokentrace's (default true). */
  httpInstrumentations?: boolean;
}

export function setupTracing(config: TokentraceInstrumentationConfig, options: HarnessOptions = {}): TracingHarness {
  const exporter = new InMemorySpanExporter();
  const open = new OpenSpans();
  const tracerProvider = new TracerProvider({ spanProcessors: [open, new SimpleSpanProcessor({ exporter })] });
  const reader = new OnDemandMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);

  // Constructed in this order on purpose: each enables itself in its constructor, and node:http
  // must be patched by the HTTP instrumentation before tokentrace wraps it.
  const redact = (span: Span) => redactSpanUrlAttributes(span, (span as { attributes?: Record<string, unknown> }).attributes);
  const generic =
    options.httpInstrumentations === false
      ? []
      : [new UndiciInstrumentation({ requestHook: redact }), new HttpInstrumentation({ requestHook: redact })];
  const instrumentation = new TokentraceInstrumentation(config);
  const unregister = registerInstrumentations({ instrumentations: [...generic, instrumentation], tracerProvider, meterProvider });

  async function waitForSpans(predicate: (spans: ReadableSpan[]) => boolean, timeoutMs = 5000): Promise<ReadableSpan[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const spans = exporter.getFinishedSpans();
      if (predicate(spans)) return spans;
      if (Date.now() > deadline) throw new Error(`spans not as expected after ${timeoutMs} ms: ${spans.map((s) => s.name).join(', ')} (${open.count} still open)`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  return {
    instrumentation,
    spans: () => exporter.getFinishedSpans(),
    waitForSpans,
    waitForOpenSpans: (timeoutMs) => waitForSpans(() => open.count === 0, timeoutMs),
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
