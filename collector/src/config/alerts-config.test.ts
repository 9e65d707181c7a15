/**
 * `alerts.*` of the collector's config: rules from the file validated at load (a ConfigError
 * names the key as written, `alerts.rules[0].window`), and a collector started with them serves
 * them through the alerts API of its project and counts its alert rounds at /metrics.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Collector } from '../collector.js';
import { resolveAlertsConfig } from './alerts-config.js';
import { loadCollectorConfig } from './collector-config.js';
import { testCollectorConfig } from './testing/test-collector-config.js';
import type { AlertNotification } from '../alerts/notification.js';
import { billingPeriodAt, isoDay } from '../insights/forecast/billing-period.js';
import { DAY_MS } from '../insights/forecast/daily-model.js';

const RULE = { id: 'monthly', projectId: 'team-a', metric: 'cost', window: 'calendar_month', condition: { type: 'budget', amount: 500 } };
/** A budget on the month-end forecast, "projected to exceed". */
const PROJECTED = { ...RULE, id: 'projected', condition: { type: 'budget', amount: 3500, basis: 'forecast', forecastBound: 'high80', levels: [{ percent: 100, severity: 'critical' }] } };

function configFile(alerts: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tt-alerts-config-')), 'collector.json');
  writeFileSync(file, JSON.stringify({ alerts }));
  return file;
}

describe('alerts config', () => {
  it('loads rules from the file, each with its project, and refuses a bad one naming the key', () => {
    const config = loadCollectorConfig(configFile({ intervalMs: 30_000, rules: [RULE] }), {});
    expect(config.alerts.intervalMs).toBe(30_000);
    expect(resolveAlertsConfig(config.alerts)).toMatchObject([{ projectId: 'team-a', rule: { id: 'monthly', condition: { type: 'budget', amount: 500, levels: [{ percent: 50 }, { percent: 80 }, { percent: 95 }, { percent: 100 }] } } }]);
    expect(resolveAlertsConfig(loadCollectorConfig(configFile({ rules: [PROJECTED] }), {}).alerts)).toMatchObject([{ projectId: 'team-a', rule: { id: 'projected', condition: PROJECTED.condition } }]);
    expect(() => loadCollectorConfig(configFile({ rules: [{ ...PROJECTED, window: '30d' }] }), {})).toThrow('invalid alerts.rules[0].window: expected calendar_month for a budget on the forecast (the billing period it forecasts), got "30d"');
    expect(() => loadCollectorConfig(configFile({ rules: [{ ...RULE, window: '1y' }] }), {})).toThrow(
      'invalid alerts.rules[0].window: expected <n>m, <n>h or <n>d from 5m to 30d, or calendar_day or calendar_month, got "1y"',
    );
    expect(() => loadCollectorConfig(configFile({ rules: [{ ...RULE, id: undefined }] }), {})).toThrow(/invalid alerts\.rules\[0\]\.id: expected an id/);
    expect(() => loadCollectorConfig(configFile({ rules: [RULE, RULE] }), {})).toThrow(/invalid alerts\.rules\[1\]\.id: expected an id not used by another rule of the project/);
    expect(() => loadCollectorConfig(configFile({ intervalMs: 500 }), {})).toThrow(/invalid alerts\.intervalMs: expected an integer number of milliseconds ≥ 10000, got 500/);
    expect(() => loadCollectorConfig(configFile({ delivery: { backoff: { multiplier: 0.5 } } }), {})).toThrow(/invalid alerts\.delivery\.backoff\.multiplier/);
    expect(loadCollectorConfig(undefined, { TOKENTRACE_ALERTS_ENABLED: 'false' }).alerts.enabled).toBe(false);
  });

  it('a started collector serves the file\'s rules to their project and counts its rounds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-alerts-collector-'));
    const base = testCollectorConfig(dir);
    // The billing start day is the forecast's key: the alerts' calendar months follow it.
    const collector = await Collector.start({ ...base, apiKeys: { 'key-a': 'team-a', 'key-b': 'team-b' }, forecast: { ...base.forecast, billingDay: 15 }, alerts: { ...base.alerts, rules: [RULE, PROJECTED] } }, { log: () => undefined });
    try {
      const rules = async (key: string) => (await (await fetch(`${collector.http.url}/api/v1/alerts/rules`, { headers: { authorization: `Bearer ${key}` } })).json()) as { items: Array<{ id: string }> };
      expect((await rules('key-a')).items.map((r) => r.id)).toEqual(['monthly', 'projected']);
      const tested = (await (await fetch(`${collector.http.url}/api/v1/alerts/rules/projected/test`, { method: 'POST', headers: { authorization: 'Bearer key-a' } })).json()) as { notification: AlertNotification };
      const period = billingPeriodAt(Date.parse(tested.notification.time), 15);
      expect(tested.notification.window.from).toBe(new Date(period.startDay * DAY_MS).toISOString());
      expect(tested.notification.forecast).toMatchObject({ periodStart: isoDay(period.startDay), periodEnd: isoDay(period.endDay), bound: 'high80' });
      expect((await rules('key-b')).items).toEqual([]);
      await collector.alerts!.evaluateNow();
      const metrics = await (await fetch(`${collector.http.url}/metrics`)).text();
      // At least the round above (the collector's own schedule may have run one too).
      expect(metrics).toMatch(/\ntokentrace_collector_alert_rounds_total [1-9]\d*\n/);
      expect(metrics).toContain('tokentrace_collector_alert_deliveries_failed_total 0');
    } finally {
      await collector.shutdown();
    }
  }, 60_000);
});
