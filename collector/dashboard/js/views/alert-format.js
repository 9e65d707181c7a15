/**
 * What the alert pages share: a rule's condition, window and channels in words, and the state
 * each rule is in, read from the history (a (rule, group) whose last change is not `resolved`
 * is firing).
 */
import { count, duration, ordinal, percent, usd } from '../format.js';

/** A metric's value as its unit reads. */
export function metricValue(metric, value) {
  if (value === null || value === undefined) return '—';
  if (metric === 'cost') return usd(value);
  if (metric === 'error_rate') return percent(value);
  if (metric.startsWith('latency') || metric.startsWith('ttft')) return duration(value);
  return count(Math.round(value * 10) / 10);
}

export function conditionText(rule) {
  const c = rule.condition;
  if (c.type === 'threshold') return `${c.op} ${metricValue(rule.metric, c.value)}`;
  if (c.type === 'budget') {
    const on = c.basis === 'forecast' ? (c.forecastBound === 'high80' ? ' on the forecast\'s 80 % high end' : ' on the forecast') : '';
    return `budget ${metricValue(rule.metric, c.amount)}${on} (${c.levels.map((l) => `${l.percent}%`).join(' / ')})`;
  }
  return `anomaly vs its last ${c.baselineDays} days`;
}

/** `billingDay`: the day billing periods start on (the rules list's `billingDay`), as the notifications word it. */
export function windowText(window, billingDay = 1) {
  if (window === 'calendar_day') return 'today (UTC)';
  if (window === 'calendar_month') return billingDay === 1 ? 'this month (UTC)' : `this billing period (from the ${ordinal(billingDay)}, UTC)`;
  return `last ${window}`;
}

export function channelsText(rule) {
  return rule.channels.length === 0 ? 'none' : rule.channels.map((c) => (c.type === 'email' ? `email ${c.to.join(', ')}` : c.type)).join(', ');
}

/** ruleId → groups firing now, from history entries (newest first). */
export function firingByRule(history) {
  const last = new Map();
  for (const entry of history) {
    if (!['firing', 'escalated', 'repeat', 'resolved'].includes(entry.event)) continue;
    const key = JSON.stringify([entry.ruleId, entry.group]);
    if (!last.has(key)) last.set(key, entry);
  }
  const firing = new Map();
  for (const entry of last.values()) {
    if (entry.event === 'resolved') continue;
    firing.set(entry.ruleId, [...(firing.get(entry.ruleId) ?? []), entry]);
  }
  return firing;
}

/** `2/3 delivered`, or the failures. */
export function deliveriesText(entry) {
  if (entry.deliveries.length === 0) return '—';
  const ok = entry.deliveries.filter((d) => d.delivered).length;
  const failed = entry.deliveries.filter((d) => !d.delivered).map((d) => `${d.channel}: ${d.error}`);
  return `${ok}/${entry.deliveries.length} delivered${failed.length ? ` — ${failed.join('; ')}` : ''}`;
}
