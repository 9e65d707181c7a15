/**
 * Alert rules in ClickHouse (`alert_rules`): each write is a new version of (project, rule id),
 * read back with FINAL, so the newest version wins and a delete is a version marked deleted.
 * Every read names its project; the evaluator alone reads every project's enabled rules.
 */
import { ALERT_RULE_COLUMNS, READ_SETTINGS, type AlertRuleRow } from '@tokentrace/processors';
import type { AlertRule, StoredRule } from './alert-rule.js';
import { insertObjects, timeText, type AlertTables } from './alert-storage.js';
import { validateRule } from './rule-validate.js';

interface RuleReadRow {
  project_id: string;
  rule_id: string;
  updated_ms: string;
  rule: string;
}

export class RuleStore {
  /** Versions strictly increase within this process even when the clock does not. */
  private lastVersion = 0;

  constructor(
    private readonly tables: AlertTables,
    private readonly clock: () => number = Date.now,
  ) {}

  async list(projectId: string): Promise<StoredRule[]> {
    return this.read('project_id = {project:String}', { project: projectId });
  }

  async get(projectId: string, ruleId: string): Promise<StoredRule | undefined> {
    const [rule] = await this.read('project_id = {project:String} AND rule_id = {rule:String}', { project: projectId, rule: ruleId });
    return rule;
  }

  /** Every project's enabled rules (the evaluator's read). */
  async listEnabled(): Promise<StoredRule[]> {
    return (await this.read('1', {})).filter((r) => r.enabled);
  }

  async put(projectId: string, rule: AlertRule): Promise<StoredRule> {
    const now = this.clock();
    await this.write({ project_id: projectId, rule_id: rule.id, version: this.nextVersion(now), deleted: 0, updated_at: timeText(now), rule: JSON.stringify(rule) });
    return { ...rule, projectId, updatedAt: new Date(now).toISOString() };
  }

  /** False when there was no such rule. */
  async delete(projectId: string, ruleId: string): Promise<boolean> {
    const existing = await this.get(projectId, ruleId);
    if (!existing) return false;
    const now = this.clock();
    await this.write({ project_id: projectId, rule_id: ruleId, version: this.nextVersion(now), deleted: 1, updated_at: timeText(now), rule: '' });
    return true;
  }

  private nextVersion(now: number): number {
    this.lastVersion = Math.max(this.lastVersion + 1, now * 1000);
    return this.lastVersion;
  }

  private async write(row: AlertRuleRow): Promise<void> {
    await insertObjects(this.tables.client, this.tables.rules, ALERT_RULE_COLUMNS, [row]);
  }

  private async read(where: string, values: Record<string, string>): Promise<StoredRule[]> {
    const result = await this.tables.client.query({
      query: `SELECT project_id, rule_id, toString(toUnixTimestamp64Milli(updated_at)) AS updated_ms, rule FROM ${this.tables.rules} FINAL
        WHERE ${where} AND deleted = 0 ORDER BY project_id, rule_id`,
      query_params: values,
      format: 'JSONEachRow',
      clickhouse_settings: READ_SETTINGS,
    });
    const rows = await result.json<RuleReadRow>();
    return rows.map((r) => ({ ...validateRule(JSON.parse(r.rule), r.rule_id), projectId: r.project_id, updatedAt: new Date(Number(r.updated_ms)).toISOString() }));
  }
}
