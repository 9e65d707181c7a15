/**
 * The alerts component as the collector, the API and the tests use it: the rule store, the
 * history, the engine and its schedule over one ClickHouse client. Every operation takes the
 * caller's project; a rule of another project is "not found", never read or changed.
 *
 *   const alerts = new AlertService({ client, database: 'tokentrace', config: DEFAULT_ALERTS_CONFIG, dashboardBase });
 *   await alerts.start(configuredRules);   // restores states, writes the config file's rules, schedules rounds
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { AlertsConfig, ConfiguredRule } from '../config/alerts-config.js';
import { queryContext } from '../queries/query-context.js';
import type { StoredRule } from './alert-rule.js';
import { AlertError, ruleNotFound } from './alert-error.js';
import { AlertEngine, type RoundReport, type RuleTestResult } from './alert-engine.js';
import type { AlertCounterName } from './alert-counters.js';
import { AlertHistory, type HistoryEntry } from './alert-history.js';
import { AlertScheduler, SYSTEM_CLOCK, type SchedulerClock } from './alert-scheduler.js';
import { alertTables } from './alert-storage.js';
import { AlertDelivery } from './channels/alert-delivery.js';
import { EmailSender } from './channels/email-channel.js';
import type { Explain } from './notification.js';
import { RuleStore } from './rule-store.js';
import { validateRule } from './rule-validate.js';
import { withStoredSecrets } from './rule-secrets.js';

export interface AlertServiceOptions {
  client: ClickHouseClient;
  database: string;
  /** `spans` is Distributed over a cluster. */
  cluster?: boolean;
  config: AlertsConfig;
  /**
   * The day billing periods start on: the collector's `forecast.billingDay` (one key for the
   * forecast and the alerts); `calendar_month` windows and budgets on the forecast follow it. Default 1.
   */
  billingDay?: number;
  /** Budgets on the forecast read clean days from the usage rollup (the collector's `rollup.graceMs`); absent: spans only. */
  rollup?: { graceMs: number };
  /** The dashboard's base URL for links (`http://127.0.0.1:4318/dashboard/`), or a function asked at each notification. */
  dashboardBase: string | (() => string);
  explain?: Explain;
  clock?: SchedulerClock;
  /** Waits between delivery attempts (tests: no wait). */
  sleep?: (ms: number) => Promise<void>;
  count?: (name: AlertCounterName, n?: number) => void;
  log?: (message: string) => void;
}

export const MAX_HISTORY_LIMIT = 500;

export class AlertService {
  readonly rules: RuleStore;
  readonly history: AlertHistory;
  readonly engine: AlertEngine;
  /** The day billing periods start on (`calendar_month` windows), 1–28; 1: calendar months. */
  readonly billingDay: number;
  private readonly scheduler: AlertScheduler;
  private readonly email: EmailSender;
  private readonly clock: SchedulerClock;
  private readonly log: (message: string) => void;
  private readonly delivery: AlertDelivery;
  /** What start() still has to do before rounds can run (undefined once done). */
  private prepare: (() => Promise<void>) | undefined;

  constructor(options: AlertServiceOptions) {
    const tables = alertTables(options.client, options.database);
    this.billingDay = options.billingDay ?? 1;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.rules = new RuleStore(tables, () => this.clock.now());
    this.history = new AlertHistory(tables);
    this.email = new EmailSender(options.config.smtp);
    const delivery = (this.delivery = new AlertDelivery({
      config: options.config.delivery,
      email: this.email,
      sleep: options.sleep,
      now: () => this.clock.now(),
      onRetry: () => options.count?.('alert_delivery_retries'),
    }));
    this.engine = new AlertEngine({
      ctx: queryContext(options.client, options.database, options.cluster ?? false),
      forecastStore: { client: options.client, database: options.database, cluster: options.cluster, rollup: options.rollup },
      billingDay: this.billingDay,
      rules: this.rules,
      history: this.history,
      delivery,
      dashboardBase: typeof options.dashboardBase === 'string' ? () => options.dashboardBase as string : options.dashboardBase,
      explain: options.explain,
      count: options.count,
      log: options.log,
    });
    this.log = options.log ?? ((m) => console.error(`[tokentrace-alerts] ${m}`));
    this.scheduler = new AlertScheduler(
      async (now) => {
        await this.prepare?.();
        return this.engine.evaluateRound(now);
      },
      options.config.intervalMs,
      this.clock,
      this.log,
    );
  }

  /**
   * Writes the config file's rules, restores the firing states, and starts the schedule when
   * `schedule`. With the store unreachable at start the collector starts anyway: this is retried
   * before each round until it succeeds.
   */
  async start(configured: readonly ConfiguredRule[] = [], schedule = true): Promise<void> {
    this.prepare = async () => {
      for (const { projectId, rule } of configured) await this.rules.put(projectId, rule);
      await this.engine.restore();
      this.prepare = undefined;
    };
    try {
      await this.prepare();
    } catch (err) {
      if (!schedule) throw err;
      this.log(`alerts: the store is not ready (${(err as Error).message}); retrying before the next round`);
    }
    if (schedule) this.scheduler.start();
  }

  /** Stops the schedule, ends retries waiting for their turn (recorded as failed), waits for deliveries under way. */
  async stop(): Promise<void> {
    await this.scheduler.stop();
    this.delivery.close();
    await this.engine.idle();
    this.email.close();
  }

  evaluateNow(): Promise<RoundReport> {
    return this.engine.evaluateRound(this.clock.now());
  }

  listRules(projectId: string): Promise<StoredRule[]> {
    return this.rules.list(projectId);
  }

  async getRule(projectId: string, id: string): Promise<StoredRule> {
    const rule = await this.rules.get(projectId, id);
    if (!rule) throw ruleNotFound(id);
    return rule;
  }

  /** A new rule; an id already used in the project is refused. */
  async createRule(projectId: string, input: unknown): Promise<StoredRule> {
    const rule = validateRule(input);
    if (await this.rules.get(projectId, rule.id)) throw new AlertError('TOKENTRACE_INVALID_ALERT_RULE', `id: a rule ${JSON.stringify(rule.id)} exists already (PUT /alerts/rules/${rule.id} changes it)`, 'id');
    return this.rules.put(projectId, rule);
  }

  /** Replaces rule `id` (it must exist). */
  async updateRule(projectId: string, id: string, input: unknown): Promise<StoredRule> {
    const stored = await this.getRule(projectId, id);
    return this.rules.put(projectId, validateRule(withStoredSecrets(input, stored), id));
  }

  async deleteRule(projectId: string, id: string): Promise<void> {
    if (!(await this.rules.delete(projectId, id))) throw ruleNotFound(id);
  }

  async testRule(projectId: string, id: string): Promise<RuleTestResult> {
    return this.engine.testRule(await this.getRule(projectId, id), this.clock.now());
  }

  listHistory(projectId: string, options: { ruleId?: string; limit?: number; sinceMs?: number } = {}): Promise<HistoryEntry[]> {
    return this.history.list(projectId, { ruleId: options.ruleId, limit: Math.min(options.limit ?? 100, MAX_HISTORY_LIMIT), sinceMs: options.sinceMs });
  }
}
