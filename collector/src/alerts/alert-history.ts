/**
 * The alert history in ClickHouse (`alert_events`): every state change with the notification it
 * sent, and the outcome of each delivery, per project. Read back as a page of notifications,
 * newest first, each with its deliveries; and, at start, as the state each (rule, group) was
 * left in, so a restarted collector neither re-notifies what is firing nor forgets it.
 */
import { ALERT_EVENT_COLUMNS, READ_SETTINGS, type AlertEventRow } from '@tokentrace/processors';
import type { Severity } from './alert-rule.js';
import { insertObjects, timeText, type AlertTables } from './alert-storage.js';
import type { DeliveryResult } from './channels/alert-delivery.js';
import type { AlertEventKind, AlertNotification } from './notification.js';

export interface HistoryDelivery {
  channel: string;
  delivered: boolean;
  attempts: number;
  error: string;
  time: string;
}

export interface HistoryEntry {
  notificationId: string;
  ruleId: string;
  event: AlertEventKind;
  time: string;
  group: string;
  severity: Severity;
  value: number | null;
  threshold: number | null;
  message: string;
  deliveries: HistoryDelivery[];
}

/** What a (rule, group) was last left in: firing (with its level) or not. */
export interface RestoredState {
  projectId: string;
  ruleId: string;
  group: string;
  event: AlertEventKind;
  severity: Severity;
  /** The budget level (percent) when it was a budget rule, else 0. */
  level: number;
  timeMs: number;
}

const STATE_EVENTS: AlertEventKind[] = ['firing', 'escalated', 'repeat', 'resolved'];

/** A history row as read back: the stored columns, the time as epoch milliseconds. */
type EventReadRow = Omit<AlertEventRow, 'project_id' | 'time'> & { time_ms: string };

export class AlertHistory {
  constructor(private readonly tables: AlertTables) {}

  async recordNotification(n: AlertNotification, group: string): Promise<void> {
    const row: AlertEventRow = {
      project_id: n.projectId,
      rule_id: n.rule.id,
      time: timeText(Date.parse(n.time)),
      notification_id: n.id,
      event: n.event,
      group_key: group,
      severity: n.severity,
      value: n.value,
      threshold: n.threshold,
      channel: '',
      attempts: 0,
      error: '',
      payload: JSON.stringify(n),
    };
    await insertObjects(this.tables.client, this.tables.events, ALERT_EVENT_COLUMNS, [row]);
  }

  async recordDeliveries(n: AlertNotification, group: string, results: readonly DeliveryResult[], nowMs: number): Promise<void> {
    if (results.length === 0) return;
    const rows: AlertEventRow[] = results.map((r) => ({
      project_id: n.projectId,
      rule_id: n.rule.id,
      time: timeText(nowMs),
      notification_id: n.id,
      event: r.delivered ? 'delivered' : 'delivery_failed',
      group_key: group,
      severity: n.severity,
      value: null,
      threshold: null,
      channel: r.channel,
      attempts: r.attempts,
      error: r.error,
      payload: '',
    }));
    await insertObjects(this.tables.client, this.tables.events, ALERT_EVENT_COLUMNS, rows);
  }

  /** Notifications of the project (one rule's when `ruleId`), newest first, with their deliveries. */
  async list(projectId: string, options: { ruleId?: string; limit: number; sinceMs?: number }): Promise<HistoryEntry[]> {
    const values: Record<string, unknown> = { project: projectId, limit: options.limit, since: Math.floor(options.sinceMs ?? 0) };
    const rule = options.ruleId === undefined ? '' : 'AND rule_id = {rule:String}';
    if (options.ruleId !== undefined) values.rule = options.ruleId;
    const rows = await this.select(
      `WITH notifications AS (
         SELECT notification_id FROM ${this.tables.events}
         WHERE project_id = {project:String} ${rule} AND time >= fromUnixTimestamp64Milli({since:Int64}, 'UTC') AND channel = ''
         ORDER BY time DESC, notification_id LIMIT {limit:UInt32})
       SELECT rule_id, toString(toUnixTimestamp64Milli(time)) AS time_ms, notification_id, event, group_key, severity, value, threshold, channel, attempts, error, payload
       FROM ${this.tables.events} WHERE project_id = {project:String} ${rule} AND notification_id IN (SELECT notification_id FROM notifications)
       ORDER BY time DESC, channel`,
      values,
    );
    const entries = new Map<string, HistoryEntry>();
    for (const r of rows.filter((row) => row.channel === '')) {
      const payload = JSON.parse(r.payload) as AlertNotification;
      entries.set(r.notification_id, {
        notificationId: r.notification_id,
        ruleId: r.rule_id,
        event: r.event as AlertEventKind,
        time: new Date(Number(r.time_ms)).toISOString(),
        group: r.group_key,
        severity: r.severity as Severity,
        value: r.value,
        threshold: r.threshold,
        message: payload.message,
        deliveries: [],
      });
    }
    for (const r of rows.filter((row) => row.channel !== '')) {
      entries.get(r.notification_id)?.deliveries.push({ channel: r.channel, delivered: r.event === 'delivered', attempts: Number(r.attempts), error: r.error, time: new Date(Number(r.time_ms)).toISOString() });
    }
    return [...entries.values()].sort((a, b) => b.time.localeCompare(a.time) || a.notificationId.localeCompare(b.notificationId));
  }

  /** The last state change of every (project, rule, group), to resume from after a restart. */
  async lastStates(): Promise<RestoredState[]> {
    const rows = await this.select<{ project_id: string; rule_id: string; group_key: string; last_event: string; last_severity: string; level: number; time_ms: string }>(
      `SELECT project_id, rule_id, group_key, argMax(event, time) AS last_event, argMax(severity, time) AS last_severity, argMax(JSONExtractFloat(payload, 'budget', 'level'), time) AS level,
         toString(toUnixTimestamp64Milli(max(time))) AS time_ms
       FROM ${this.tables.events} WHERE channel = '' AND event IN {events:Array(String)}
       GROUP BY project_id, rule_id, group_key`,
      { events: STATE_EVENTS },
    );
    return rows.map((r) => ({ projectId: r.project_id, ruleId: r.rule_id, group: r.group_key, event: r.last_event as AlertEventKind, severity: r.last_severity as Severity, level: Number(r.level), timeMs: Number(r.time_ms) }));
  }

  private async select<T = EventReadRow>(query: string, values: Record<string, unknown>): Promise<T[]> {
    const result = await this.tables.client.query({ query, query_params: values, format: 'JSONEachRow', clickhouse_settings: READ_SETTINGS });
    return result.json<T>();
  }
}
