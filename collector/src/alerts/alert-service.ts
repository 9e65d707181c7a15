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
import { AlertEngine, type AlertCounterName, type RoundReport, type RuleTestResult } from './alert-engine.js';
import { AlertHistory, type HistoryEntry } from './alert-history.js';
import { AlertScheduler, SYSTEM_CLOCK, type SchedulerClock } from './alert-scheduler.js';
import { alertTables } from './alert-storage.js';
import { AlertDelivery } from './channels/alert-delivery.js';
import { EmailSender } from './channels/email-channel.js';
import type { Explain } from './notification.js';
import { RuleStore } from './rule-store.js';
import { validateRule } from './rule-validate.js';

export interface AlertServiceOptions {
  client: ClickHouseClient;
  database: string;
  /** `spans` is Distributed over a cluster. */
  cluster?: boolean;
  config: AlertsConfig;
  dashboardBase: string;
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
  private readonly scheduler: AlertScheduler;
  private readonly email: EmailSender;
  private readonly clock: SchedulerClock;

  constructor(options: AlertServiceOptions) {
    const tables = alertTables(options.client, options.database);
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.rules = new RuleStore(tables, () => this.clock.now());
    this.history = new AlertHistory(tables);
    this.email = new EmailSender(options.config.smtp);
    const delivery = new AlertDelivery({
      config: options.config.delivery,
      email: this.email,
      sleep: options.sleep,
      now: () => this.clock.now(),
      onRetry: () => options.count?.('alert_delivery_retries'),
    });
    this.engine = new AlertEngine({
      ctx: queryContext(options.client, options.database, options.cluster ?? false),
      rules: this.rules,
      history: this.history,
      delivery,
      dashboardBase: options.dashboardBase,
      explain: options.explain,
      count: options.count,
      log: options.log,
    });
    this.scheduler = new AlertScheduler((now) => this.engine.evaluateRound(now), options.config.intervalMs, this.clock, options.log);
  }

  /** Restores the firing states, writes the config file's rules, and starts the schedule when `schedule`. */
  async start(configured: readonly ConfiguredRule[] = [], schedule = true): Promise<void> {
    for (const { projectId, rule } of configured) await this.rules.put(projectId, rule);
    await this.engine.restore();
    if (schedule) this.scheduler.start();
  }

  async stop(): Promise<void> {
    await this.scheduler.stop();
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
    await this.getRule(projectId, id);
    return this.rules.put(projectId, validateRule(input, id));
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
