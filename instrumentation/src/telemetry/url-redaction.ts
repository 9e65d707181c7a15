/**
 * Keeps API keys out of URL attributes written by the generic HTTP instrumentations: Gemini and
 * other Google APIs accept the key as a `key=` query parameter.
 */
import type { Span } from '@opentelemetry/api';
import { ATTR_HTTP_TARGET, ATTR_HTTP_URL, ATTR_URL_FULL, ATTR_URL_QUERY } from '@tokentrace/semconv';

const SECRET_PARAMS = /([?&](?:key|api[-_]?key|access[-_]?token|token|sig|signature|x-goog-signature|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&#]*/gi;
const REDACTED = 'REDACTED';

export function redactUrl(url: string): string {
  return url.includes('=') ? url.replace(SECRET_PARAMS, `$1${REDACTED}`) : url;
}

/** Rewrites the URL attributes of an HTTP client span; usable as an HTTP/undici `requestHook`. */
export function redactSpanUrlAttributes(span: Span, attributes: Record<string, unknown> | undefined): void {
  if (!attributes) return;
  for (const key of [ATTR_URL_FULL, ATTR_URL_QUERY, ATTR_HTTP_URL, ATTR_HTTP_TARGET]) {
    const value = attributes[key];
    if (typeof value === 'string' && value.includes('=')) {
      const redacted = redactUrl(key === ATTR_URL_QUERY && !value.startsWith('?') ? `?${value}` : value);
      span.setAttribute(key, key === ATTR_URL_QUERY && !value.startsWith('?') ? redacted.slice(1) : redacted);
    }
  }
}
