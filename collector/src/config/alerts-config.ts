/**
 * `alerts.*` of the collector's config (issue 13): whether the collector evaluates alert rules,
 * how often, the dashboard URL notifications link to, the SMTP server e-mail channels send
 * through, how deliveries are retried, and rules loaded from the file (each with its `projectId`,
 * default `default`; they are written to the rule store at start, replacing a rule of the same id).
 * Validated here; a ConfigError names the key under `alerts.`.
 */
import { ConfigError, validateBackoff } from '@tokentrace/processors';
import type { AlertRule } from '../alerts/alert-rule.js';
import { AlertError } from '../alerts/alert-error.js';
import { DEFAULT_DELIVERY_CONFIG, type DeliveryConfig } from '../alerts/channels/alert-delivery.js';
import type { SmtpConfig } from '../alerts/channels/email-channel.js';
import { validateRule } from '../alerts/rule-validate.js';

export interface AlertsConfig {
  enabled: boolean;
  /** Between evaluation rounds; at least 10 s. */
  intervalMs: number;
  /** The dashboard's public base URL for links in notifications; empty: `http://<http.host>:<http.port>/dashboard/`. */
  dashboardUrl: string;
  smtp: SmtpConfig;
  delivery: DeliveryConfig;
  /** Rules from the config file: a rule (rule-validate.ts) plus `projectId`. */
  rules: unknown[];
}

export const DEFAULT_ALERTS_CONFIG: AlertsConfig = {
  enabled: true,
  intervalMs: 60_000,
  dashboardUrl: '',
  smtp: { host: '', port: 587, secure: false, username: '', password: '', from: 'tokentrace <alerts@localhost>' },
  delivery: structuredClone(DEFAULT_DELIVERY_CONFIG),
  rules: [],
};

export interface ConfiguredRule {
  projectId: string;
  rule: AlertRule;
}

/** Checks `alerts.*` and returns the rules of the file, validated; keys in errors are relative to `alerts.`. */
export function resolveAlertsConfig(c: AlertsConfig): ConfiguredRule[] {
  if (!Number.isInteger(c.intervalMs) || c.intervalMs < 10_000) throw new ConfigError('intervalMs', 'an integer number of milliseconds ≥ 10000', c.intervalMs);
  if (c.dashboardUrl && !/^https?:\/\//.test(c.dashboardUrl)) throw new ConfigError('dashboardUrl', 'an http(s) URL', c.dashboardUrl);
  if (!Number.isInteger(c.smtp.port) || c.smtp.port < 1 || c.smtp.port > 65535) throw new ConfigError('smtp.port', 'a port number', c.smtp.port);
  if (!Number.isInteger(c.delivery.maxAttempts) || c.delivery.maxAttempts < 1 || c.delivery.maxAttempts > 20) throw new ConfigError('delivery.maxAttempts', 'an integer from 1 to 20', c.delivery.maxAttempts);
  if (!(c.delivery.timeoutMs > 0)) throw new ConfigError('delivery.timeoutMs', 'a positive number of milliseconds', c.delivery.timeoutMs);
  validateBackoff(c.delivery.backoff, 'delivery.backoff.');
  const ids = new Set<string>();
  return c.rules.map((raw, i) => {
    const { projectId = 'default', ...rule } = (raw ?? {}) as { projectId?: unknown };
    if (typeof projectId !== 'string' || projectId === '') throw new ConfigError(`rules[${i}].projectId`, 'a project id', projectId);
    if ((rule as { id?: unknown }).id === undefined) throw new ConfigError(`rules[${i}].id`, 'an id (rules from the file keep theirs across restarts)', undefined);
    try {
      const valid = validateRule(rule);
      const key = JSON.stringify([projectId, valid.id]);
      if (ids.has(key)) throw new ConfigError(`rules[${i}].id`, 'an id not used by another rule of the project', valid.id);
      ids.add(key);
      return { projectId, rule: valid };
    } catch (err) {
      if (err instanceof AlertError) throw new ConfigError(`rules[${i}].${err.field ?? 'rule'}`, err.expected ?? err.message, err.got, { cause: err });
      throw err;
    }
  });
}
