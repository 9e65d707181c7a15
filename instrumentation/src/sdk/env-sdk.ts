/**
 * A lean OpenTelemetry SDK for Node, configured from the standard OTEL_* environment variables
 * (the subset of the SDK environment-variable spec that matters for an app's traces and metrics).
 * Why not @opentelemetry/sdk-node: it loads every exporter it supports (gRPC, Zipkin, Prometheus,
 * logs) whatever is configured, which costs ~0.5 s per process start; this loads only the exporter
 * the environment selects, and only when it first exports, so `--import` stays cheap.
 *
 * Supported: OTEL_SDK_DISABLED, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_EXPORTER
 * and OTEL_METRICS_EXPORTER (otlp | console | none), OTEL_EXPORTER_OTLP_[TRACES_|METRICS_]PROTOCOL
 * (http/protobuf | http/json), the exporters' own OTEL_EXPORTER_OTLP_* endpoint/headers/timeout/
 * compression, OTEL_TRACES_SAMPLER[_ARG], OTEL_BSP_*, OTEL_METRIC_EXPORT_INTERVAL/TIMEOUT,
 * OTEL_PROPAGATORS (tracecontext, baggage, none).
 */
import { context, diag, metrics, propagation, trace, type TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  getBooleanFromEnv,
  getNumberFromEnv,
  getStringFromEnv,
  getStringListFromEnv,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { detectResources, envDetector, hostDetector, processDetector } from '@opentelemetry/resources';
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { DeferredSpans, ReservingIdGenerator } from './deferred-span.js';
import { LazyMetricExporter, LazySpanExporter } from './lazy-exporters.js';

export interface EnvSdk {
  readonly tracerProvider?: TracerProvider;
  readonly meterProvider?: MeterProvider;
  /** GenAI spans made with this SDK at their end, with the ids their calls sent (deferred-span.ts). */
  readonly deferredSpans: DeferredSpans;
  shutdown(): Promise<void>;
}

export interface EnvSdkOptions {
  /**
   * Awaited before the providers flush (`forceFlush`): tokentrace completes the calls whose
   * completion waits for its batch (capture/pending-completions.ts), so that a flush exports them.
   */
  beforeFlush?: () => Promise<void>;
}

/** Builds and registers the global tracer provider, meter provider, context manager and propagator. */
export function startEnvSdk(options: EnvSdkOptions = {}): EnvSdk | undefined {
  if (getBooleanFromEnv('OTEL_SDK_DISABLED')) return undefined;
  const resource = detectResources({ detectors: [processDetector, hostDetector, envDetector] });

  const spanProcessors = spanExportersFromEnv().map((exporter) => batchProcessor(exporter));
  const sampler = samplerFromEnv();
  const idGenerator = new ReservingIdGenerator();
  const tracerProvider = new TracerProvider({ resource, spanProcessors, sampler, idGenerator });
  const exportIntervalMillis = getNumberFromEnv('OTEL_METRIC_EXPORT_INTERVAL') ?? 60_000;
  // The reader rejects a timeout longer than the interval; a short interval shortens the timeout.
  const exportTimeoutMillis = Math.min(getNumberFromEnv('OTEL_METRIC_EXPORT_TIMEOUT') ?? 30_000, exportIntervalMillis);
  const metricReaders = metricExportersFromEnv().map(
    (exporter) => new PeriodicExportingMetricReader({ exporter, exportIntervalMillis, exportTimeoutMillis }),
  );
  const meterProvider = metricReaders.length > 0 ? new MeterProvider({ resource, readers: metricReaders }) : undefined;
  const { beforeFlush } = options;
  if (beforeFlush) {
    const flushTraces = tracerProvider.forceFlush.bind(tracerProvider);
    tracerProvider.forceFlush = () => beforeFlush().then(() => flushTraces());
    if (meterProvider) {
      const flushMetrics = meterProvider.forceFlush.bind(meterProvider);
      meterProvider.forceFlush = (flushOptions) => beforeFlush().then(() => flushMetrics(flushOptions));
    }
  }

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const propagator = propagatorFromEnv();
  if (propagator) propagation.setGlobalPropagator(propagator);
  trace.setGlobalTracerProvider(tracerProvider);
  if (meterProvider) metrics.setGlobalMeterProvider(meterProvider);

  return {
    tracerProvider,
    meterProvider,
    deferredSpans: new DeferredSpans(idGenerator, sampler),
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider?.shutdown()]);
    },
  };
}

function protocolFor(signal: 'TRACES' | 'METRICS'): 'http/protobuf' | 'http/json' {
  const protocol = (getStringFromEnv(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`) ?? getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL'))?.trim();
  if (!protocol || protocol === 'http/protobuf') return 'http/protobuf';
  if (protocol === 'http/json') return 'http/json';
  diag.warn(`tokentrace: OTLP protocol "${protocol}" is not supported; using http/protobuf`);
  return 'http/protobuf';
}

function exporterNames(variable: string): string[] {
  const names = [...new Set(getStringListFromEnv(variable) ?? [])];
  if (names.length === 0) return ['otlp'];
  return names.includes('none') ? [] : names;
}

function spanExportersFromEnv(): SpanExporter[] {
  return exporterNames('OTEL_TRACES_EXPORTER').flatMap((name): SpanExporter[] => {
    if (name === 'console') return [new ConsoleSpanExporter()];
    if (name !== 'otlp') {
      diag.warn(`tokentrace: unsupported OTEL_TRACES_EXPORTER "${name}" (otlp, console, none)`);
      return [];
    }
    // Literal import() calls, so that a bundler keeps them as lazily evaluated modules.
    const json = protocolFor('TRACES') === 'http/json';
    return [
      new LazySpanExporter(async () =>
        json
          ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()
          : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter(),
      ),
    ];
  });
}

function metricExportersFromEnv(): PushMetricExporter[] {
  return exporterNames('OTEL_METRICS_EXPORTER').flatMap((name): PushMetricExporter[] => {
    if (name === 'console') return [new ConsoleMetricExporter()];
    if (name !== 'otlp') {
      diag.warn(`tokentrace: unsupported OTEL_METRICS_EXPORTER "${name}" (otlp, console, none)`);
      return [];
    }
    const json = protocolFor('METRICS') === 'http/json';
    return [
      new LazyMetricExporter(async () =>
        json
          ? new (await import('@opentelemetry/exporter-metrics-otlp-http')).OTLPMetricExporter()
          : new (await import('@opentelemetry/exporter-metrics-otlp-proto')).OTLPMetricExporter(),
      ),
    ];
  });
}

function batchProcessor(exporter: SpanExporter): SpanProcessor {
  return new BatchSpanProcessor({
    exporter,
    maxQueueSize: getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
    scheduledDelayMillis: getNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
    maxExportBatchSize: getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  });
}

/** The sampler the variables name; the spec's default, parentbased_always_on, without one. */
function samplerFromEnv(): Sampler {
  const name = getStringFromEnv('OTEL_TRACES_SAMPLER');
  const parentBasedAlwaysOn = () => new ParentBasedSampler({ root: new AlwaysOnSampler() });
  if (!name) return parentBasedAlwaysOn();
  const ratio = () => {
    const arg = getNumberFromEnv('OTEL_TRACES_SAMPLER_ARG');
    return arg !== undefined && arg >= 0 && arg <= 1 ? arg : 1;
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return parentBasedAlwaysOn();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      diag.warn(`tokentrace: unknown OTEL_TRACES_SAMPLER "${name}"; using the default`);
      return parentBasedAlwaysOn();
  }
}

function propagatorFromEnv(): TextMapPropagator | undefined {
  const names = getStringListFromEnv('OTEL_PROPAGATORS') ?? ['tracecontext', 'baggage'];
  if (names.includes('none')) return undefined;
  const propagators: TextMapPropagator[] = [];
  for (const name of names) {
    if (name === 'tracecontext') propagators.push(new W3CTraceContextPropagator());
    else if (name === 'baggage') propagators.push(new W3CBaggagePropagator());
    else diag.warn(`tokentrace: unsupported propagator "${name}" in OTEL_PROPAGATORS`);
  }
  return new CompositePropagator({ propagators });
}
