// The app's own OpenTelemetry setup, as it was before tokentrace came along: the Node SDK, HTTP
// instrumentation for its server, and OTLP exporters for traces and metrics to the team's existing
// backend (Jaeger, Tempo, an OpenTelemetry Collector, …). Loaded first, the usual way for ESM:
//
//   node --import ./tracing.js app.js
//
// Adding tokentrace is one more --import after this one. It then finds this tracer provider
// registered and joins it: it adds only its LLM instrumentation, starts no SDK of its own, and
// its spans and GenAI metrics go through these exporters.
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';

const backend = process.env.OTLP_BACKEND_URL ?? 'http://localhost:4318';

const sdk = new NodeSDK({
  serviceName: 'helpdesk-api',
  traceExporter: new OTLPTraceExporter({ url: `${backend}/v1/traces` }),
  metricReaders: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${backend}/v1/metrics` }) })],
  instrumentations: [new HttpInstrumentation()],
});
sdk.start();

const shutdown = () => sdk.shutdown().catch((err) => console.error('[tracing] shutdown failed:', err));
process.once('beforeExit', shutdown);
process.once('SIGTERM', () => shutdown().finally(() => process.exit(0)));
