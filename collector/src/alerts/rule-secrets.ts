/**
 * Webhook secrets are write-only through the API: answers show HIDDEN_SECRET in their place, and
 * a rule sent back with HIDDEN_SECRET (a dashboard edit) keeps the secret the stored rule has for
 * the same URL.
 */
import type { AlertRule } from './alert-rule.js';

export const HIDDEN_SECRET = '(hidden)';

/** `input` with each hidden webhook secret replaced by the stored one of the same URL (left as is when none: validation refuses it). */
export function withStoredSecrets(input: unknown, stored: AlertRule): unknown {
  if (input === null || typeof input !== 'object' || !Array.isArray((input as { channels?: unknown }).channels)) return input;
  const secrets = new Map(stored.channels.flatMap((c) => (c.type === 'webhook' ? [[c.url, c.secret] as const] : [])));
  const channels = ((input as { channels: unknown[] }).channels).map((c) => {
    const channel = c as { type?: unknown; url?: unknown; secret?: unknown };
    if (channel?.type !== 'webhook' || channel.secret !== HIDDEN_SECRET || typeof channel.url !== 'string' || !secrets.has(channel.url)) return c;
    return { ...channel, secret: secrets.get(channel.url) };
  });
  return { ...(input as object), channels };
}
