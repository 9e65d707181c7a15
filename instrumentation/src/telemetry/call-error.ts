/**
 * Decides whether a captured call failed and how the conventions name it: `error.type` is the
 * transport error's code (ECONNRESET, AbortError, ...), else the HTTP status for a 4xx/5xx, else
 * `invalid_response` for a 2xx whose body is no answer (empty, cut short, not JSON: the SDK
 * throws), else the provider's error type from a body or an in-stream error event
 * (overloaded_error, ThrottlingException).
 */
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ERROR_TYPE } from '@tokentrace/semconv';
import type { ResponseInfo } from '../providers/types.js';

export interface CallError {
  type: string;
  message?: string;
}

export function classifyCallError(
  transportError: unknown,
  status: number,
  response: ResponseInfo | undefined,
  /** Why a 2xx body is not an answer, if it is not. */
  invalidResponse?: string,
): CallError | undefined {
  if (transportError !== undefined) {
    return {
      type: transportErrorType(transportError),
      message: transportError instanceof Error ? transportError.message : String(transportError),
    };
  }
  if (status >= 400) return { type: String(status), message: response?.error?.message ?? `HTTP ${status}` };
  if (invalidResponse !== undefined && status >= 200 && status < 300) {
    return { type: ERROR_TYPE.invalidResponse, message: `HTTP ${status}, but ${invalidResponse}` };
  }
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
