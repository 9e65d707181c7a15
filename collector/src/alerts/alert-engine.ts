/**
 * One evaluation round of every project's enabled rules: plan the scans (round-plan.ts), read the
 * windows (window-scan.ts; anomaly rules through anomaly-check.ts), judge each (rule, group)
 * (budgets on the forecast through forecast-budget.ts) and move it through ok → firing → resolved
 * (alert-state.ts), record each change in the history
 * and hand its notification to the channels. Deliveries run in the background: a slow or failing
 * channel never holds up the round, other rules or other channels. A scan that fails skips its
 * rules for this round (their state is kept) and is counted; the others go on.
 */
import type { AlertRule, StoredRule } from './alert-rule.js';
import { NO_FIGURES, type WindowFigures } from './alert-metrics.js';
import { judge, nextState, transition, type FiringState, type Judgement } from './alert-state.js';
import { windowRange, type WindowRange } from './alert-window.js';
import type { AlertHistory } from './alert-history.js';
import type { AlertDelivery, DeliveryResult } from './channels/alert-delivery.js';
import { buildNotification, wantsFindings, type AlertEventKind, type AlertNotification, type Explain, type Finding } from './notification.js';
import { planRound } from './round-plan.js';
import type { RuleStore } from './rule-store.js';
import { runScan } from './window-scan.js';
import type { QueryContext } from '../queries/query-context.js';
import { judgeAnomalies, type AnomalyJudgement } from './anomaly-check.js';
import type { AlertCounterName } from './alert-counters.js';
import { isDue } from './evaluation-cadence.js';
import { isForecastRule, judgeForecast, readBudgetForecasts, type BudgetForecast } from './forecast-budget.js';
import type { ForecastStore } from '../insights/forecast/forecast-month.js';


export interface AlertEngineOptions {
  ctx: QueryContext;
  /** Where budgets on the forecast read the daily spend (the same store as `ctx`). */
  forecastStore: ForecastStore;
  /** The day billing periods start on (`forecast.billingDay`): `calendar_month` windows and the forecast's period. */
  billingDay: number;
  rules: RuleStore;
  history: AlertHistory;
  delivery: AlertDelivery;
  /** The dashboard's base URL, for links in notifications (asked when a notification is built: the port may be known only once listening). */
  dashboardBase: () => string;
  explain?: Explain;
  /** How long a notification waits for the explainer before going without findings. */
  explainTimeoutMs?: number;
  count?: (name: AlertCounterName, n?: number) => void;
  log?: (message: string) => void;
}

export interface RoundReport {
  /** Rules due and evaluated in this round (evaluation-cadence.ts). */
  rules: number;
  scans: number;
  notifications: AlertNotification[];
  failures: string[];
}

export interface RuleTestResult {
  groups: Array<{ group: string; value: number | null; requests: number; breached: boolean; severity: string }>;
  notification: AlertNotification;
  deliveries: DeliveryResult[];
}

const stateKey = (projectId: string, ruleId: string, group: string) => JSON.stringify([projectId, ruleId, group]);

export class AlertEngine {
  private readonly states = new Map<string, FiringState>();
  private readonly inflight = new Set<Promise<void>>();
  /** When the last round ran: which rules are due is counted from it (evaluation-cadence.ts). */
  private previousRoundMs: number | undefined;
  private readonly count: (name: AlertCounterName, n?: number) => void;
  private readonly log: (message: string) => void;

  constructor(private readonly options: AlertEngineOptions) {
    this.count = options.count ?? (() => undefined);
    this.log = options.log ?? ((m) => console.error(`[tokentrace-alerts] ${m}`));
  }

  /** Resumes from the history: what was firing when the collector stopped is firing still. */
  async restore(): Promise<void> {
    for (const s of await this.options.history.lastStates()) {
      if (s.event === 'resolved') continue;
      this.states.set(stateKey(s.projectId, s.ruleId, s.group), { severity: s.severity, level: s.level, sinceMs: s.timeMs, lastNotifiedMs: s.timeMs });
    }
  }

  async evaluateRound(nowMs: number): Promise<RoundReport> {
    const enabled = await this.options.rules.listEnabled();
    const rules = enabled.filter((r) => isDue(r, nowMs, this.previousRoundMs));
    this.previousRoundMs = nowMs;
    const report: RoundReport = { rules: rules.length, scans: 0, notifications: [], failures: [] };
    const thresholdRules = rules.filter((r) => r.condition.type !== 'anomaly');
    const plan = planRound(thresholdRules, nowMs, this.options.billingDay);
    report.scans = plan.scans.length;
    const [results, forecasts] = await Promise.all([
      Promise.all(
        plan.scans.map((scan) =>
          runScan(this.options.ctx, scan).catch((err: unknown) => {
            this.fail(report, `scan of project ${scan.projectId} failed: ${(err as Error).message}`);
            return undefined;
          }),
        ),
      ),
      this.readForecasts(report, thresholdRules.filter(isForecastRule), nowMs),
    ]);
    for (const rule of thresholdRules) {
      const at = plan.placement.get(rule)!;
      const figures = results[at.scan]?.[at.slot];
      const forecast = forecasts.get(rule);
      if (!figures || (isForecastRule(rule) && !forecast)) continue;
      for (const { group, j, requests } of this.judgeWindow(rule, figures, forecast)) await this.apply(report, rule, group, j, requests, at.range, nowMs);
    }
    const anomalyRules = rules.filter((r) => r.condition.type === 'anomaly');
    for (const rule of anomalyRules) {
      let judged: Map<string, AnomalyJudgement>;
      try {
        judged = await judgeAnomalies(this.options.ctx, rule, nowMs, this.options.billingDay, (group) => this.isFiring(rule, group));
      } catch (err) {
        this.fail(report, `anomaly rule ${rule.id} of project ${rule.projectId} failed: ${(err as Error).message}`);
        continue;
      }
      const groups = new Set([...judged.keys(), ...this.firingGroups(rule)]);
      for (const group of groups) {
        const j = judged.get(group) ?? { breached: false, value: null, severity: rule.severity, threshold: null, level: 0, requests: 0, detail: undefined };
        await this.apply(report, rule, group, j, j.requests, windowRange(rule.window, nowMs, this.options.billingDay), nowMs, j.detail);
      }
    }
    this.forgetRulesNotIn(enabled);
    this.count('alert_rounds');
    return report;
  }

  /** Evaluates one rule now and sends a `test` notification to its channels, waiting for the deliveries. */
  async testRule(rule: StoredRule, nowMs: number): Promise<RuleTestResult> {
    const range = windowRange(rule.window, nowMs, this.options.billingDay);
    let judged: Array<{ group: string; j: Judgement; requests: number; detail?: string }>;
    if (rule.condition.type === 'anomaly') {
      judged = [...(await judgeAnomalies(this.options.ctx, rule, nowMs, this.options.billingDay))].map(([group, j]) => ({ group, j, requests: j.requests, detail: j.detail }));
    } else {
      const plan = planRound([rule], nowMs, this.options.billingDay);
      const [[figures], forecast] = await Promise.all([
        runScan(this.options.ctx, plan.scans[0]),
        isForecastRule(rule) ? readBudgetForecasts(this.options.forecastStore, rule, nowMs, this.options.billingDay) : undefined,
      ]);
      judged = this.judgeWindow(rule, figures, forecast);
    }
    judged.sort((a, b) => Number(b.j.breached) - Number(a.j.breached) || b.requests - a.requests);
    const top = judged[0] ?? { group: '', j: judge(rule, NO_FIGURES), requests: 0 };
    const notification = await this.notification(rule, 'test', top.group, top.j, top.requests, range, nowMs, top.detail);
    await this.options.history.recordNotification(notification, top.group);
    const deliveries = await this.options.delivery.deliver(notification, rule.channels);
    await this.options.history.recordDeliveries(notification, top.group, deliveries, nowMs);
    return {
      groups: judged.map(({ group, j, requests }) => ({ group, value: j.value, requests, breached: j.breached, severity: j.severity })),
      notification,
      deliveries,
    };
  }

  /** Resolves once every delivery started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  /** The (rule, group) pairs firing now, for /health. */
  firingCount(): number {
    return this.states.size;
  }

  /**
   * Each group of the rule judged on its window's figures: the groups of the window and those
   * firing now; a budget on the forecast judges the groups its forecast has (and those firing).
   */
  private judgeWindow(rule: StoredRule, figures: Map<string, WindowFigures>, forecast?: Map<string, BudgetForecast>): Array<{ group: string; j: Judgement; requests: number }> {
    const seen = forecast ? forecast.keys() : figures.keys();
    const groups = rule.groupBy ? [...new Set([...seen, ...this.firingGroups(rule)])] : [''];
    return groups.map((group) => {
      const f = figures.get(group) ?? NO_FIGURES;
      const j = forecast ? judgeForecast(rule, f, forecast.get(group), this.isFiring(rule, group)) : judge(rule, f);
      return { group, j, requests: f.requests };
    });
  }

  /** The forecasts of the budgets on the forecast due this round; one that fails skips its rule (counted). */
  private async readForecasts(report: RoundReport, rules: StoredRule[], nowMs: number): Promise<Map<StoredRule, Map<string, BudgetForecast>>> {
    const read = new Map<StoredRule, Map<string, BudgetForecast>>();
    // One after another: each is a small read and a simulation; the scans run beside them.
    for (const rule of rules) {
      try {
        read.set(rule, await readBudgetForecasts(this.options.forecastStore, rule, nowMs, this.options.billingDay));
      } catch (err) {
        this.fail(report, `forecast of rule ${rule.id} of project ${rule.projectId} failed: ${(err as Error).message}`);
      }
    }
    return read;
  }

  private isFiring(rule: Pick<StoredRule, 'projectId' | 'id'>, group: string): boolean {
    return this.states.has(stateKey(rule.projectId, rule.id, group));
  }

  private firingGroups(rule: Pick<StoredRule, 'projectId' | 'id'>): string[] {
    const prefix = JSON.stringify([rule.projectId, rule.id]).slice(0, -1);
    return [...this.states.keys()].filter((k) => k.startsWith(`${prefix},`)).map((k) => (JSON.parse(k) as string[])[2]);
  }

  private async apply(report: RoundReport, rule: StoredRule, group: string, j: Judgement, requests: number, range: WindowRange, nowMs: number, detail?: string): Promise<void> {
    const key = stateKey(rule.projectId, rule.id, group);
    const before = this.states.get(key);
    const event = transition(rule, before, j, nowMs);
    if (event === undefined) return;
    const after = nextState(before, event, j, nowMs);
    if (after) this.states.set(key, after);
    else this.states.delete(key);
    const n = await this.notification(rule, event, group, j, requests, range, nowMs, detail);
    report.notifications.push(n);
    this.count('alert_notifications');
    try {
      await this.options.history.recordNotification(n, group);
    } catch (err) {
      this.fail(report, `history of rule ${rule.id}: ${(err as Error).message}`);
    }
    this.track(this.deliver(n, group, rule.channels, nowMs));
  }

  private async notification(rule: StoredRule, event: AlertEventKind, group: string, j: Judgement, requests: number, range: WindowRange, nowMs: number, detail?: string): Promise<AlertNotification> {
    const findings = wantsFindings(rule.metric, event) ? await this.findings(rule.projectId, range) : [];
    const c = rule.condition;
    return buildNotification({
      event,
      nowMs,
      projectId: rule.projectId,
      rule,
      group,
      severity: j.severity,
      value: j.value,
      threshold: j.threshold,
      budget: c.type === 'budget' ? { amount: c.amount, percentSpent: j.percentSpent ?? 0, level: j.level } : undefined,
      forecast: j.forecast,
      billingDay: this.options.billingDay,
      requests,
      window: range,
      detail,
      breached: j.breached,
      findings,
      dashboardBase: this.options.dashboardBase(),
    });
  }

  private async findings(projectId: string, range: WindowRange): Promise<Finding[]> {
    const explain = this.options.explain;
    if (!explain) return [];
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<Finding[]>((resolve) => {
        timer = setTimeout(() => resolve([]), this.options.explainTimeoutMs ?? 10_000);
      });
      const found = await Promise.race([explain(projectId, { from: new Date(range.fromMs), to: new Date(range.toMs) }), timeout]);
      return found.slice(0, 5);
    } catch (err) {
      this.log(`explainer failed for project ${projectId}: ${(err as Error).message}`);
      return [];
    } finally {
      clearTimeout(timer);
    }
  }

  private async deliver(n: AlertNotification, group: string, channels: AlertRule['channels'], nowMs: number): Promise<void> {
    const results = await this.options.delivery.deliver(n, channels);
    const failed = results.filter((r) => !r.delivered);
    if (failed.length > 0) {
      this.count('alert_deliveries_failed', failed.length);
      for (const f of failed) this.log(`rule ${n.rule.id}: delivery to ${f.channel} failed after ${f.attempts} attempts: ${f.error}`);
    }
    await this.options.history.recordDeliveries(n, group, results, Math.max(nowMs, Date.now())).catch((err: Error) => this.log(`history of deliveries: ${err.message}`));
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err: Error) => this.log(`delivery: ${err.message}`)).finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  private fail(report: RoundReport, message: string): void {
    report.failures.push(message);
    this.count('alert_evaluation_failures');
    this.log(message);
  }

  /** Deleted and disabled rules leave no firing state behind. */
  private forgetRulesNotIn(rules: readonly StoredRule[]): void {
    const live = new Set(rules.map((r) => JSON.stringify([r.projectId, r.id])));
    for (const key of this.states.keys()) {
      const [projectId, ruleId] = JSON.parse(key) as string[];
      if (!live.has(JSON.stringify([projectId, ruleId]))) this.states.delete(key);
    }
  }
}
