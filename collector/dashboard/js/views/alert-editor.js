/**
 * One alert rule: a form to create (`#/alerts/new`) or change it (`#/alerts/{id}`), with Test
 * (evaluate now and send a test notification) and Delete, and the rule's history below. A rule
 * the API refuses shows its message at the field it names (`path`). Webhook secrets come back
 * as "(hidden)" and are kept when left so (alert-routes.ts).
 */
import { apiGet, apiPost, apiSend, ApiError, segment } from '../api.js';
import { append, h, notice, panel, route } from '../dom.js';
import { dateTime } from '../format.js';
import { dataTable } from '../table.js';
import { deliveriesText, metricValue } from './alert-format.js';

const METRICS = ['cost', 'requests', 'errors', 'error_rate', 'input_tokens', 'output_tokens', 'tokens_per_request', 'latency_p50', 'latency_p95', 'ttft_p95'];
const WINDOWS = ['5m', '15m', '1h', '6h', '24h', '7d', '30d', 'calendar_day', 'calendar_month'];
/** What a budget is compared with (condition.basis, condition.forecastBound; ../../../src/alerts/README.md). */
const BASES = [['spend', 'spend so far'], ['forecast', 'month-end forecast']];
const BOUNDS = [['point', 'the forecast'], ['high80', 'high end of its 80 % interval']];
const BLANK = { name: '', metric: 'cost', window: '1h', condition: { type: 'threshold', op: 'above', value: 10 }, filter: '', groupBy: '', repeatInterval: '4h', severity: 'warning', enabled: true, channels: [] };

export async function render({ root, params, signal, go }) {
  const isNew = params.id === 'new';
  const rule = isNew ? BLANK : await apiGet(`alerts/rules/${segment(params.id)}`, {}, signal);
  const history = isNew ? [] : (await apiGet('alerts/history', { ruleId: params.id, limit: 100 }, signal)).items;
  const fields = {};
  const field = (name, label, control, hint) => {
    fields[name] = control;
    control.dataset.field = name;
    return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), control, hint ? h('span', { class: 'muted field-hint' }, hint) : null);
  };
  const select = (options, value) => h('select', null, options.map((o) => h('option', { value: o, selected: o === value }, o)));
  const labelled = (options, value) => h('select', null, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
  const input = (value, props = {}) => h('input', { value: value ?? '', ...props });
  const c = rule.condition;
  const webhook = rule.channels.find((ch) => ch.type === 'webhook');
  const slack = rule.channels.find((ch) => ch.type === 'slack');
  const email = rule.channels.find((ch) => ch.type === 'email');
  const message = h('div', { class: 'editor-message' });

  const form = h('form', { class: 'alert-editor', onsubmit: (event) => (event.preventDefault(), save()) },
    h('div', { class: 'field-grid' },
      field('name', 'Name', input(rule.name, { placeholder: 'Hourly spend' })),
      field('metric', 'Metric', select(METRICS, rule.metric)),
      field('window', 'Window', select(WINDOWS.includes(rule.window) ? WINDOWS : [rule.window, ...WINDOWS], rule.window), 'rolling, or since the start of the UTC day / billing month'),
      field('condition.type', 'Condition', select(['threshold', 'budget', 'anomaly'], c.type)),
      field('condition.op', 'Above / below', select(['above', 'below'], c.op ?? 'above'), 'threshold rules'),
      field('condition.value', 'Threshold', input(c.value ?? '', { type: 'number', step: 'any' }), 'threshold rules, in the metric\'s unit (USD, ms, 0–1 for rates)'),
      field('condition.amount', 'Budget', input(c.amount ?? '', { type: 'number', step: 'any' }), 'budget rules, in the metric\'s unit; notified at each level on the way up'),
      field('condition.levels', 'Budget levels (%)', input(c.levels?.map((l) => l.percent).join(', ') ?? '', { placeholder: '50, 80, 95, 100' }), 'budget rules; empty: 50, 80, 95, 100'),
      field('condition.basis', 'Compare the budget with', labelled(BASES, c.basis ?? 'spend'), 'the forecast: cost over calendar_month only'),
      field('condition.forecastBound', 'Forecast figure', labelled(BOUNDS, c.forecastBound ?? 'point'), 'budgets on the forecast'),
      field('filter', 'Filter', input(rule.filter, { class: 'filter-input', placeholder: 'property.Environment = "production" and model contains "gpt-4o"' })),
      field('groupBy', 'One alert per', input(rule.groupBy, { placeholder: 'user, model, prompt_id, property:Feature …' })),
      field('minRequests', 'Minimum requests', input(isNew ? '' : rule.minRequests, { type: 'number', min: 0, placeholder: 'default' })),
      field('repeatInterval', 'Repeat while firing', input(rule.repeatInterval), '0m: never'),
      field('severity', 'Severity', select(['info', 'warning', 'critical'], rule.severity)),
      field('channels[webhook].url', 'Webhook URL', input(webhook?.url ?? '', { placeholder: 'https://…' })),
      field('channels[webhook].secret', 'Webhook secret', input(webhook?.secret ?? '', { placeholder: 'at least 16 characters' }), 'signs X-Tokentrace-Signature'),
      field('channels[slack].url', 'Slack incoming webhook', input(slack?.url ?? '', { placeholder: 'https://hooks.slack.com/services/…' })),
      field('channels[email].to', 'E-mail to', input(email?.to.join(', ') ?? '', { placeholder: 'oncall@example.com, …' })),
      field('enabled', 'Enabled', h('input', { type: 'checkbox', checked: rule.enabled })),
    ),
    message,
    h('div', { class: 'editor-actions' },
      h('button', { type: 'submit' }, isNew ? 'Create rule' : 'Save'),
      isNew ? null : h('button', { type: 'button', class: 'secondary', onclick: () => test() }, 'Test now'),
      isNew ? null : h('button', { type: 'button', class: 'secondary danger', onclick: () => remove() }, 'Delete'),
      h('a', { href: route('alerts') }, 'Back to alerts'),
    ),
  );

  /** The rule as the form holds it, in the API's shape. */
  function ruleOfForm() {
    const v = (name) => fields[name].value.trim();
    const type = v('condition.type');
    const condition = type === 'threshold' ? { type, op: v('condition.op'), value: Number(v('condition.value')) } : type === 'budget' ? budgetOfForm(v) : { type };
    const channels = [];
    if (v('channels[webhook].url')) channels.push({ type: 'webhook', url: v('channels[webhook].url'), secret: v('channels[webhook].secret') });
    if (v('channels[slack].url')) channels.push({ type: 'slack', url: v('channels[slack].url') });
    if (v('channels[email].to')) channels.push({ type: 'email', to: v('channels[email].to').split(/[,\s]+/).filter(Boolean) });
    const body = { name: v('name') || undefined, metric: v('metric'), window: v('window'), condition, filter: v('filter'), groupBy: v('groupBy'), repeatInterval: v('repeatInterval'), severity: v('severity'), enabled: fields.enabled.checked, channels };
    if (v('minRequests') !== '') body.minRequests = Number(v('minRequests'));
    return body;
  }

  /** A budget as the form holds it: the levels keep the severities they had (new ones: info first, critical last). */
  function budgetOfForm(v) {
    const condition = { type: 'budget', amount: Number(v('condition.amount')), basis: v('condition.basis') };
    if (condition.basis === 'forecast') condition.forecastBound = v('condition.forecastBound');
    const percents = v('condition.levels').split(/[,\s%]+/).filter(Boolean).map(Number);
    if (percents.length > 0) {
      const had = new Map((c.levels ?? []).map((l) => [l.percent, l.severity]));
      condition.levels = percents.map((percent, i) => ({ percent, severity: had.get(percent) ?? (i === percents.length - 1 ? 'critical' : i === 0 ? 'info' : 'warning') }));
    }
    return condition;
  }

  function show(kind, ...content) {
    for (const control of Object.values(fields)) control.removeAttribute('aria-invalid');
    message.replaceChildren(notice(kind, ...content));
  }

  /** An API refusal at its field: `channels[0].url` is shown at the form's control for that channel. */
  function showError(err) {
    if (!(err instanceof ApiError)) throw err;
    show('error', err.message);
    const path = err.path ?? '';
    const channelIndex = /^channels\[(\d+)\]\.(\w+)/.exec(path);
    const channel = channelIndex ? ruleOfForm().channels[Number(channelIndex[1])] : undefined;
    const name = channel ? `channels[${channel.type}].${channelIndex[2]}` : path.replace(/\[\d+\].*$/, '');
    const control = fields[name];
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      control.focus();
    }
  }

  async function save() {
    try {
      const saved = isNew ? await apiPost('alerts/rules', ruleOfForm()) : await apiSend('PUT', `alerts/rules/${segment(params.id)}`, ruleOfForm());
      if (isNew) go(route('alerts', saved.id));
      else show('info', `Saved ${dateTime(saved.updatedAt)}.`);
    } catch (err) {
      showError(err);
    }
  }

  async function test() {
    try {
      const result = await apiPost(`alerts/rules/${segment(params.id)}/test`, {});
      const top = result.groups.slice(0, 5).map((g) => h('li', null, `${g.group || 'all requests'}: ${metricValue(rule.metric, g.value)} over ${g.requests} requests${g.breached ? ' — would fire' : ''}`));
      const sent = result.deliveries.map((d) => h('li', null, `${d.channel}: ${d.delivered ? 'delivered' : `failed (${d.error})`}`));
      show('info', h('div', { class: 'test-result' }, h('strong', null, result.notification.message), h('ul', null, top), sent.length ? h('ul', null, sent) : h('p', { class: 'muted' }, 'No channel: nothing sent.')));
    } catch (err) {
      showError(err);
    }
  }

  async function remove() {
    if (!confirm(`Delete the rule "${rule.name}"? Its history stays.`)) return;
    try {
      await apiSend('DELETE', `alerts/rules/${segment(params.id)}`);
      go(route('alerts'));
    } catch (err) {
      showError(err);
    }
  }

  const historyColumns = [
    { label: 'Time', value: (e) => dateTime(e.time) },
    { label: 'Event', value: (e) => h('span', { class: `badge ${e.event === 'resolved' ? 'ok' : e.severity}` }, e.event) },
    { label: 'Group', value: (e) => e.group || '—' },
    { label: 'Value', class: 'num', value: (e) => metricValue(rule.metric, e.value) },
    { label: 'Message', value: (e) => e.message },
    { label: 'Deliveries', value: deliveriesText, class: 'deliveries' },
  ];
  append(root, [
    h('div', { class: 'page-head' }, h('h1', null, isNew ? 'New alert rule' : rule.name), isNew ? null : h('span', { class: 'muted' }, `id ${rule.id} · changed ${dateTime(rule.updatedAt)}`)),
    panel(null, form),
    isNew ? null : panel('History', dataTable(historyColumns, history, { class: 'alert-history', empty: 'No notification yet.' }).element),
  ]);
}
