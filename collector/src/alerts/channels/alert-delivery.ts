/**
 * Sends one notification to each of its channels, all at once and each on its own: a channel
 * that fails is retried with randomized exponential backoff (the exporters' ExponentialBackoff)
 * up to `maxAttempts`, a permanent failure is not retried, and no channel waits for another. The
 * outcome of every channel is reported (history rows, counters); nothing here throws.
 */
import { ExponentialBackoff, sleep as realSleep, type BackoffConfig } from '@tokentrace/processors';
import type { AlertChannel } from '../alert-rule.js';
import type { AlertNotification } from '../notification.js';
import { ChannelError } from './channel-error.js';
import type { EmailSender } from './email-channel.js';
import { sendSlack } from './slack-channel.js';
import { sendWebhook } from './webhook-channel.js';

export interface DeliveryConfig {
  maxAttempts: number;
  /** Per attempt, for HTTP channels. */
  timeoutMs: number;
  backoff: BackoffConfig;
}

export const DEFAULT_DELIVERY_CONFIG: DeliveryConfig = {
  maxAttempts: 5,
  timeoutMs: 10_000,
  backoff: { initialIntervalMs: 2_000, multiplier: 2, randomizationFactor: 0.5, maxIntervalMs: 60_000 },
};

export interface DeliveryResult {
  notificationId: string;
  /** Where it went, without secrets: `webhook example.com/hooks/a`, `slack hooks.slack.com`, `email a@b.c`. */
  channel: string;
  delivered: boolean;
  attempts: number;
  error: string;
}

export interface DeliveryOptions {
  config: DeliveryConfig;
  email: EmailSender;
  /** Waits between attempts (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Called before each retry. */
  onRetry?: (channel: string, attempt: number, error: string) => void;
}

export function channelLabel(channel: AlertChannel): string {
  if (channel.type === 'email') return `email ${channel.to.join(', ')}`;
  const url = new URL(channel.url);
  return channel.type === 'slack' ? `slack ${url.host}` : `webhook ${url.host}${url.pathname}`;
}

export class AlertDelivery {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  /** Aborted by close(): waits between attempts end, and no further attempt is made. */
  private readonly closing = new AbortController();

  constructor(private readonly options: DeliveryOptions) {
    this.sleep = options.sleep ?? ((ms) => realSleep(ms, this.closing.signal));
    this.now = options.now ?? Date.now;
  }

  /** Stops retrying (collector shutdown): deliveries waiting for a retry end as failed at once. */
  close(): void {
    this.closing.abort();
  }

  deliver(notification: AlertNotification, channels: readonly AlertChannel[]): Promise<DeliveryResult[]> {
    return Promise.all(channels.map((c) => this.deliverOne(notification, c)));
  }

  private async deliverOne(n: AlertNotification, channel: AlertChannel): Promise<DeliveryResult> {
    const label = channelLabel(channel);
    const backoff = new ExponentialBackoff(this.options.config.backoff, this.options.random);
    let error = '';
    for (let attempt = 1; ; attempt++) {
      try {
        await this.send(n, channel);
        return { notificationId: n.id, channel: label, delivered: true, attempts: attempt, error: '' };
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        const permanent = err instanceof ChannelError && err.permanent;
        if (permanent || attempt >= this.options.config.maxAttempts) return { notificationId: n.id, channel: label, delivered: false, attempts: attempt, error };
        if (this.closing.signal.aborted) return { notificationId: n.id, channel: label, delivered: false, attempts: attempt, error: `${error} (not retried: the collector stopped)` };
        this.options.onRetry?.(label, attempt, error);
        await this.sleep(backoff.next());
        if (this.closing.signal.aborted) return { notificationId: n.id, channel: label, delivered: false, attempts: attempt, error: `${error} (not retried: the collector stopped)` };
      }
    }
  }

  private send(n: AlertNotification, channel: AlertChannel): Promise<void> {
    const { timeoutMs } = this.options.config;
    switch (channel.type) {
      case 'webhook':
        return sendWebhook(n, channel, this.now(), timeoutMs);
      case 'slack':
        return sendSlack(n, channel, timeoutMs);
      case 'email':
        return this.options.email.send(n, channel);
    }
  }
}
