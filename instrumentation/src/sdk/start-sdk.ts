/**
 * Starts tracing for `--import @tokentrace/instrumentation/register`: the OpenTelemetry Node SDK,
 * configured from the standard OTEL_* variables, with the undici and http instrumentations for
 * generic HTTP spans and ours for GenAI spans. When the app (for example through an earlier
 * `--import`) already registered a tracer provider, only our instrumentation is added to it.
 */
import { diag, trace, type Span } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { TokentraceInstrumentation } from '../instrumentation.js';
import { redactSpanUrlAttributes } from '../telemetry/url-redaction.js';
import type { TokentraceInstrumentationConfig } from '../types.js';

export interface TokentraceHandle {
  /** True when tokentrace started its own SDK; false when it joined the app's tracer provider. */
  readonly ownsSdk: boolean;
  /** Flushes and stops what tokentrace started. */
  shutdown(): Promise<void>;
}

export function startTokentrace(config: TokentraceInstrumentationConfig = {}): TokentraceHandle {
  if (hasRegisteredTracerProvider()) {
    const instrumentation = new TokentraceInstrumentation(config);
    const unregister = registerInstrumentations({ instrumentations: [instrumentation] });
    return { ownsSdk: false, shutdown: async () => unregister() };
  }
  const redact = (span: Span) => redactSpanUrlAttributes(span, (span as { attributes?: Record<string, unknown> }).attributes);
  const sdk = new NodeSDK({
    // Order matters: the http instrumentation must patch node:http before ours wraps it.
    instrumentations: [
      new UndiciInstrumentation({ requestHook: redact }),
      new HttpInstrumentation({ requestHook: redact }),
      new TokentraceInstrumentation(config),
    ],
  });
  sdk.start();
  let stopping: Promise<void> | undefined;
  const shutdown = () => (stopping ??= sdk.shutdown().catch((err) => diag.error('tokentrace: shutdown failed', err)));
  // A short script that ends right after its last call still gets its spans exported: when the
  // event loop drains, flush (which keeps the loop alive until the export is done).
  process.once('beforeExit', () => void shutdown());
  return { ownsSdk: true, shutdown };
}

/** The API's global tracer provider is a proxy; it has a real delegate once someone registered. */
function hasRegisteredTracerProvider(): boolean {
  const provider = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = provider.getDelegate?.();
  return delegate !== undefined && delegate?.constructor?.name !== 'NoopTracerProvider';
}
