/**
 * Alerts: the project's rules with the state each is in (firing groups from the history), and
 * the latest notifications with their deliveries (GET /api/v1/alerts/rules, /alerts/history).
 * A row opens the rule in the editor; "New rule" opens an empty one.
 */
import { apiGet } from '../api.js';
import { append, h, panel, route } from '../dom.js';
import { dateTime, groupLabel } from '../format.js';
import { dataTable } from '../table.js';
import { channelsText, conditionText, deliveriesText, firingByRule, windowText } from './alert-format.js';

const HISTORY_LIMIT = 50;

export async function render({ root, signal }) {
  const [{ items: rules, billingDay }, { items: history }] = await Promise.all([
    apiGet('alerts/rules', {}, signal),
    apiGet('alerts/history', { limit: HISTORY_LIMIT }, signal),
  ]);
  const firing = firingByRule(history);
  const state = (rule) => {
    if (!rule.enabled) return h('span', { class: 'badge muted' }, 'off');
    const groups = firing.get(rule.id) ?? [];
    if (groups.length === 0) return h('span', { class: 'badge ok' }, 'ok');
    return h('span', { class: `badge ${groups[0].severity}` }, `firing${rule.groupBy ? ` (${groups.length})` : ''}`);
  };
  const ruleColumns = [
    { label: 'Rule', value: (r) => r.name },
    { label: 'State', value: state },
    { label: 'Metric', value: (r) => r.metric.replace(/_/g, ' ') },
    { label: 'Window', value: (r) => windowText(r.window, billingDay) },
    { label: 'Condition', value: conditionText },
    { label: 'By', value: (r) => r.groupBy || '—' },
    { label: 'Filter', value: (r) => (r.filter ? h('code', null, r.filter) : '—') },
    { label: 'Channels', value: channelsText },
  ];
  const historyColumns = [
    { label: 'Time', value: (e) => dateTime(e.time) },
    { label: 'Rule', value: (e) => rules.find((r) => r.id === e.ruleId)?.name ?? e.ruleId },
    { label: 'Event', value: (e) => h('span', { class: `badge ${e.event === 'resolved' ? 'ok' : e.severity}` }, e.event) },
    { label: 'Group', value: (e) => (e.group === '' ? '—' : groupLabel(e.group)) },
    { label: 'Message', value: (e) => e.message },
    { label: 'Deliveries', value: deliveriesText, class: 'deliveries' },
  ];
  append(root, [
    h('div', { class: 'page-head' }, h('h1', null, 'Alerts'), h('a', { class: 'button', href: route('alerts', 'new') }, 'New rule')),
    panel('Rules', dataTable(ruleColumns, rules, { class: 'alert-rules', empty: 'No alert rules yet: create one with "New rule".', rowHref: (r) => route('alerts', r.id) }).element),
    panel('Latest notifications', dataTable(historyColumns, history, { class: 'alert-history', empty: 'No notification yet.', rowHref: (e) => route('alerts', e.ruleId) }).element),
  ]);
}
