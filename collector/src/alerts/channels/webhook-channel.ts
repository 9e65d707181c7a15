/**
 * The generic webhook: the notification as JSON, signed so that the receiver can check it came
 * from this collector and was not replayed. Headers (README.md shows how to verify):
 *
 *   X-Tokentrace-Timestamp: <unix seconds>
 *   X-Tokentrace-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 *
 * The timestamp is inside the signed text, so a receiver that refuses old timestamps (say, more
 * than 5 minutes) refuses replays; the comparison should be constant-time.
 */
import { createHmac } from 'node:crypto';
import type { WebhookChannel } from '../alert-rule.js';
import type { AlertNotification } from '../notification.js';
import { postJson } from './channel-error.js';

export const SIGNATURE_HEADER = 'x-tokentrace-signature';
export const TIMESTAMP_HEADER = 'x-tokentrace-timestamp';

/** `sha256=<hex>` of `<timestamp>.<body>` under `secret`. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export async function sendWebhook(notification: AlertNotification, channel: WebhookChannel, nowMs: number, timeoutMs: number): Promise<void> {
  const body = JSON.stringify(notification);
  const timestamp = String(Math.floor(nowMs / 1000));
  await postJson(channel.url, body, { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: webhookSignature(channel.secret, timestamp, body), 'user-agent': 'tokentrace-alerts/1' }, timeoutMs);
}
