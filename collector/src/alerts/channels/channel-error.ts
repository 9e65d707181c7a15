/**
 * A delivery that failed, with the stable code every channel uses. `permanent`: retrying cannot
 * help (the receiver refused the request: 4xx other than 408 and 429, an address the mail server
 * rejects), so delivery.ts gives up at once instead of backing off.
 */
export class ChannelError extends Error {
  readonly code = 'TOKENTRACE_ALERT_DELIVERY_FAILED';
  override readonly name = 'ChannelError';

  constructor(
    message: string,
    readonly permanent: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** HTTP answers worth retrying (the same set the OTLP forward exporter retries). */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** POSTs `body` as JSON; a non-2xx answer or a network failure is a ChannelError. */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new ChannelError(`POST ${new URL(url).host} failed: ${reason}`, false, { cause: err });
  }
  // Read the answer to the end: the connection goes back to the pool.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new ChannelError(`POST ${new URL(url).host} answered HTTP ${response.status}`, !retryableStatus(response.status));
}
