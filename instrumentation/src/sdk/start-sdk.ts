/**
 * Starts tracing for `--import @tokentrace/instrumentation/register`: an OpenTelemetry SDK
 * configured from the standard OTEL_* variables (env-sdk.ts), the undici and http
 * instrumentations for generic HTTP spans, and ours for GenAI spans. When the app (for example
 * through an earlier `--import`) already registered a tracer provider, tokentrace joins it: only
 * its instrumentation is added and spans go wherever the app sends them.
 */
import { context, diag, trace, type Span } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { COMPLETION_BATCH_MS, completionsSettled } from '../capture/pending-completions.js';
import { TokentraceInstrumentation } from '../instrumentation.js';
import { redactSpanUrlAttributes } from '../telemetry/url-redaction.js';
import type { TokentraceInstrumentationConfig } from '../types.js';
import { startEnvSdk } from './env-sdk.js';

export interface TokentraceHandle {
  /** True when tokentrace started its own SDK; false when it joined the app's tracer provider. */
  readonly ownsSdk: boolean;
  /** The instrumentations tokentrace enabled, in the order they were enabled. */
  readonly instrumentations: readonly Instrumentation[];
  /** Flushes and stops what tokentrace started. */
  shutdown(): Promise<void>;
}

export function startTokentrace(config: TokentraceInstrumentationConfig = {}): TokentraceHandle {
  if (hasRegisteredTracerProvider()) {
    const instrumentations = [new TokentraceInstrumentation(config)];
    const unregister = registerInstrumentations({ instrumentations });
    return { ownsSdk: false, instrumentations, shutdown: async () => unregister() };
  }
  const sdk = startEnvSdk({ beforeFlush: completionsSettled });
  // Calls complete in batches (pending-completions.ts) where our flush completes the waiting ones first.
  const ours = sdk ? { completionBatchMs: COMPLETION_BATCH_MS, ...config } : config;
  const redact = (span: Span) => redactSpanUrlAttributes(span, (span as { attributes?: Record<string, unknown> }).attributes);
  // Where tracing is suppressed (under a GenAI span without `httpSpans`, in an exporter's own
  // request) they would make a non-recording span anyway: skip all their per-request work.
  const suppressed = () => isTracingSuppressed(context.active());
  // Constructed in this order on purpose: each instrumentation enables itself in its constructor,
  // and node:http must be patched by the HTTP instrumentation before tokentrace wraps it.
  const instrumentations = [
    new UndiciInstrumentation({ requestHook: redact, ignoreRequestHook: suppressed }),
    new HttpInstrumentation({ requestHook: redact, ignoreOutgoingRequestHook: suppressed }),
    new TokentraceInstrumentation(ours, sdk),
  ];
  registerInstrumentations({ instrumentations });
  let stopping: Promise<void> | undefined;
  // Patches stay in place until the process ends; shutting down only flushes and stops the SDK.
  // Calls whose completion is still under way (a few event-loop turns) are completed first.
  const shutdown = () =>
    (stopping ??= completionsSettled()
      .then(() => sdk?.shutdown())
      .catch((err) => diag.error('tokentrace: shutdown failed', err)));
  // A short script that ends right after its last call still gets its spans exported: when the
  // event loop drains, flush (which keeps the loop alive until the export is done).
  process.once('beforeExit', () => void shutdown());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => flushOnSignal(signal, shutdown));
  return { ownsSdk: true, instrumentations, shutdown };
}

/**
 * Flushes on a termination signal. If the app handles the signal itself, it decides what happens
 * next; if we were the only listener, the default behaviour (terminate by that signal) follows
 * the flush, as it would have without us.
 */
function flushOnSignal(signal: NodeJS.Signals, shutdown: () => Promise<void>): void {
  const appHandlesIt = process.listenerCount(signal) > 0;
  const deadline = setTimeout(() => undefined, 5_000); // keeps the loop alive while flushing
  void shutdown().finally(() => {
    clearTimeout(deadline);
    if (!appHandlesIt) process.kill(process.pid, signal);
  });
}

/** The API's global tracer provider is a proxy; it has a real delegate once someone registered. */
function hasRegisteredTracerProvider(): boolean {
  const provider = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = provider.getDelegate?.();
  return delegate !== undefined && delegate?.constructor?.name !== 'NoopTracerProvider';
}
