/**
 * Where the alert tables are and how rows go in: the qualified names of `alert_rules` and
 * `alert_events` (processors/src/storage/alert-tables.ts declares them), timestamps as the
 * `<seconds>.<millis>` text DateTime64(3) reads, and inserts through the storage's own row
 * encoding (JSONEachRow, the embedded engine's raw insert when there is one).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { ALERT_EVENTS_TABLE, ALERT_RULES_TABLE, insertRows, jsonEachRowBody, sqlIdentifier } from '@tokentrace/processors';

export interface AlertTables {
  client: ClickHouseClient;
  rules: string;
  events: string;
}

export function alertTables(client: ClickHouseClient, database: string): AlertTables {
  const db = sqlIdentifier(database);
  return { client, rules: `${db}.${ALERT_RULES_TABLE}`, events: `${db}.${ALERT_EVENTS_TABLE}` };
}

/** Epoch milliseconds as DateTime64(3) text: `<10-digit seconds>.<millis>` (fewer digits read as a date). */
export function timeText(ms: number): string {
  const whole = Math.max(0, Math.floor(ms));
  return `${String(Math.floor(whole / 1000)).padStart(10, '0')}.${String(whole % 1000).padStart(3, '0')}`;
}

export async function insertObjects(client: ClickHouseClient, table: string, columns: readonly string[], rows: readonly object[]): Promise<void> {
  await insertRows(client, table, columns, 'JSONEachRow', jsonEachRowBody(rows.length, (i) => rows[i]));
}
