/**
 * Decides whether a captured call failed and how the conventions name it: `error.type` is the
 * transport error's code (ECONNRESET, AbortError, ...), else the HTTP status for a 4xx/5xx, else
 * the provider's error type from an in-stream error event (overloaded_error, ThrottlingException).
 */
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@tokentrace/semconv';
import type { ResponseInfo } from '../providers/types.js';

export interface CallError {
  type: string;
  message?: string;
}

export function classifyCallError(transportError: unknown, status: number, response: ResponseInfo | undefined): CallError | undefined {
  if (transportError !== undefined) {
    return {
      type: transportErrorType(transportError),
      message: transportError instanceof Error ? transportError.message : String(transportError),
    };
  }
  if (status >= 400) return { type: String(status), message: response?.error?.message ?? `HTTP ${status}` };
  if (response?.error) return { type: response.error.type, message: response.error.message };
  return undefined;
}

/** Sets error.type and the error status on the span. */
export function recordCallError(span: Span, error: CallError): void {
  span.setAttribute(ATTR_ERROR_TYPE, error.type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/** The client gave up on the call (fetch's AbortError, undici's UND_ERR_ABORTED, Node's ABORT_ERR). */
export function isAbortError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: unknown; code?: unknown };
  return e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED' || e.code === 'ABORT_ERR';
}

function transportErrorType(err: unknown): string {
  if (isAbortError(err)) return 'AbortError';
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; code?: unknown };
    if (typeof e.code === 'string' && e.code) return e.code;
    if (typeof e.name === 'string' && e.name) return e.name;
  }
  return 'Error';
}
