/**
 * Passes OTLP metrics and logs through to the forward target unchanged (the collector stores only
 * traces). Without a forward target the receivers acknowledge them and drop them.
 */
import { BackpressureError, PermanentError, RETRYABLE_HTTP_STATUSES } from '@tokentrace/processors';
import type { ForwardSignal } from './receivers/index.js';

export function createSignalForwarder(endpoint: string, headers: Record<string, string>): ForwardSignal {
  const base = endpoint.replace(/\/+$/, '');
  return async (signal, body, contentType) => {
    let response: Response;
    try {
      response = await fetch(`${base}/v1/${signal}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': contentType },
        body: new Uint8Array(body), // a copy typed on a plain ArrayBuffer, as fetch's BodyInit wants
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new BackpressureError(`forward target unreachable: ${(err as Error).message}`);
    }
    await response.arrayBuffer();
    if (response.ok) return;
    if (RETRYABLE_HTTP_STATUSES.has(response.status)) throw new BackpressureError(`forward target answered ${response.status}`);
    throw new PermanentError(`forward target answered ${response.status}`);
  };
}
