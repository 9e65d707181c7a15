/**
 * Exporters that load their implementation on first use. The OTLP/protobuf exporters pull in
 * protobufjs and the OTLP transformer (~100 ms of module loading); the first export happens on a
 * timer or at shutdown, well after start-up, so that is when the cost is paid.
 */
import { ExportResultCode, getStringFromEnv, type ExportResult } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InstrumentType,
  type AggregationTemporalitySelector,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

export class LazySpanExporter implements SpanExporter {
  private exporter?: Promise<SpanExporter>;

  constructor(private readonly load: () => Promise<SpanExporter>) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.get().then(
      (exporter) => exporter.export(spans, resultCallback),
      (error: Error) => resultCallback({ code: ExportResultCode.FAILED, error }),
    );
  }

  async shutdown(): Promise<void> {
    if (this.exporter) await (await this.exporter).shutdown();
  }

  async forceFlush(): Promise<void> {
    if (this.exporter) await (await this.exporter).forceFlush?.();
  }

  private get(): Promise<SpanExporter> {
    return (this.exporter ??= this.load());
  }
}

export class LazyMetricExporter implements PushMetricExporter {
  private exporter?: Promise<PushMetricExporter>;
  /** Decided up front, as the OTLP exporter would: the reader asks before the first export. */
  readonly selectAggregationTemporality: AggregationTemporalitySelector = temporalitySelectorFromEnv();

  constructor(private readonly load: () => Promise<PushMetricExporter>) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    this.get().then(
      (exporter) => exporter.export(metrics, resultCallback),
      (error: Error) => resultCallback({ code: ExportResultCode.FAILED, error }),
    );
  }

  async forceFlush(): Promise<void> {
    if (this.exporter) await (await this.exporter).forceFlush();
  }

  async shutdown(): Promise<void> {
    if (this.exporter) await (await this.exporter).shutdown();
  }

  private get(): Promise<PushMetricExporter> {
    return (this.exporter ??= this.load());
  }
}

/**
 * OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: cumulative (default), delta, lowmemory, as
 * the OTLP metric exporter chooses (the spec's table; written here so that the exporter's module
 * is not loaded at start just for it). Delta for the instruments listed, cumulative otherwise.
 */
function temporalitySelectorFromEnv(): AggregationTemporalitySelector {
  const preference = getStringFromEnv('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE')?.trim().toLowerCase();
  const delta = new Set<InstrumentType>(
    preference === 'delta'
      ? [InstrumentType.COUNTER, InstrumentType.OBSERVABLE_COUNTER, InstrumentType.GAUGE, InstrumentType.HISTOGRAM, InstrumentType.OBSERVABLE_GAUGE]
      : preference === 'lowmemory'
        ? [InstrumentType.COUNTER, InstrumentType.HISTOGRAM]
        : [],
  );
  return (type) => (delta.has(type) ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE);
}

