/**
 * Runs instrumentation code so that nothing it throws reaches the app: the failure is logged
 * through the OpenTelemetry diag logger and, when a span is at hand, recorded on it.
 */
import { diag, type Span } from '@opentelemetry/api';
import { ATTR_TOKENTRACE_CAPTURE_ERROR } from '@tokentrace/semconv';

export function guard<T>(what: string, fn: () => T, span?: Span): T | undefined {
  try {
    return fn();
  } catch (err) {
    recordCaptureError(what, err, span);
    return undefined;
  }
}

export function recordCaptureError(what: string, err: unknown, span?: Span): void {
  const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  diag.warn(`tokentrace: ${message}`);
  try {
    span?.setAttribute(ATTR_TOKENTRACE_CAPTURE_ERROR, message.slice(0, 500));
  } catch {
    // the span itself is broken; the diag line above is all we can do
  }
}
