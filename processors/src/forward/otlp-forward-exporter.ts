/**
 * Re-exports enriched spans over OTLP/HTTP (JSON) to an existing OpenTelemetry backend (Jaeger,
 * Tempo, Langfuse, another collector), with the collector's cost attributes added. Answers per the
 * OTLP/HTTP spec: 429/502/503/504 and network failures are retryable; other 4xx are permanent.
 * Retries are the job of a RetryingConsumer around it, as for every exporter.
 */
import { PermanentError, type SpanConsumer } from '../pipeline/processor.js';
import type { Attributes, SpanRecord } from '../pipeline/span-record.js';
import { encodeOtlpJson } from './otlp-json-encoder.js';

export interface ForwardConfig {
  /** Base URL, e.g. `http://tempo:4318`; spans go to `${endpoint}/v1/traces`. */
  endpoint: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** The enrichment to add to each forwarded span. */
  extraAttributes?: (span: SpanRecord) => Attributes;
}

/** Statuses an OTLP/HTTP receiver answers when the sender should retry (OTLP spec, "Retryable Response Codes"). */
export const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

export class OtlpForwardExporter implements SpanConsumer {
  private readonly url: string;

  constructor(private readonly config: ForwardConfig) {
    this.url = `${config.endpoint.replace(/\/+$/, '')}/v1/traces`;
  }

  async consume(spans: SpanRecord[]): Promise<void> {
    if (spans.length === 0) return;
    const body = JSON.stringify(encodeOtlpJson(spans, this.config.extraAttributes));
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.config.headers },
      body,
      signal: AbortSignal.timeout(this.config.timeoutMs ?? 10_000),
    });
    await response.arrayBuffer(); // release the connection
    if (response.ok) return;
    const message = `forward to ${this.url} answered ${response.status}`;
    if (RETRYABLE_HTTP_STATUSES.has(response.status)) throw new Error(message);
    throw new PermanentError(message);
  }
}
