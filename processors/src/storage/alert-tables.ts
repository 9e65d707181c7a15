/**
 * The alert tables (issue 13, migration 7), declared once here and rendered by the schema layout
 * like `spans` (one server as written; on a cluster local tables behind Distributed ones, sharded
 * by project so that one project's rules and history live on one shard):
 *
 * - `alert_rules`: one row per version of a rule; ReplacingMergeTree keeps the newest per
 *   (project, rule id), read with FINAL; a deleted rule is a version with `deleted = 1`. The rule
 *   itself is its JSON (collector/src/alerts/rule-*.ts owns the format and its validation).
 * - `alert_events`: the history, append-only: state changes (`firing`, `resolved`, `repeat`,
 *   `escalated`, `test`) and what became of each delivery (`delivered`, `delivery_failed`), tied
 *   together by `notification_id`.
 */
import type { TableSpec } from './schema-layout.js';

export const ALERT_RULES_TABLE = 'alert_rules';
export const ALERT_EVENTS_TABLE = 'alert_events';

const BY_PROJECT = 'cityHash64(project_id)';

export const ALERT_RULES_SPEC: TableSpec = {
  name: ALERT_RULES_TABLE,
  columns: `    project_id LowCardinality(String),
    rule_id String,
    version UInt64,
    deleted UInt8,
    updated_at DateTime64(3, 'UTC'),
    rule String CODEC(ZSTD(1))`,
  engine: 'ReplacingMergeTree',
  engineArgs: 'version',
  keys: 'ORDER BY (project_id, rule_id)',
  shardBy: BY_PROJECT,
};

export const ALERT_EVENTS_SPEC: TableSpec = {
  name: ALERT_EVENTS_TABLE,
  columns: `    project_id LowCardinality(String),
    rule_id String,
    time DateTime64(3, 'UTC'),
    notification_id String,
    event LowCardinality(String),
    group_key String,
    severity LowCardinality(String),
    value Nullable(Float64),
    threshold Nullable(Float64),
    channel String,
    attempts UInt16,
    error String,
    payload String CODEC(ZSTD(1))`,
  engine: 'MergeTree',
  keys: `PARTITION BY toYYYYMM(time)
ORDER BY (project_id, rule_id, time)`,
  shardBy: BY_PROJECT,
};

/** The columns an insert names, in table order (every column: none is computed). */
export const ALERT_RULE_COLUMNS = ['project_id', 'rule_id', 'version', 'deleted', 'updated_at', 'rule'] as const;
export const ALERT_EVENT_COLUMNS = ['project_id', 'rule_id', 'time', 'notification_id', 'event', 'group_key', 'severity', 'value', 'threshold', 'channel', 'attempts', 'error', 'payload'] as const;

export interface AlertRuleRow {
  project_id: string;
  rule_id: string;
  version: number;
  deleted: 0 | 1;
  /** `<seconds>.<millis>` text, as DateTime64(3) reads it. */
  updated_at: string;
  rule: string;
}

export interface AlertEventRow {
  project_id: string;
  rule_id: string;
  /** `<seconds>.<millis>` text. */
  time: string;
  notification_id: string;
  event: string;
  group_key: string;
  severity: string;
  value: number | null;
  threshold: number | null;
  channel: string;
  attempts: number;
  error: string;
  payload: string;
}
