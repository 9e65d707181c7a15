/**
 * Findings in words, and the way to the requests that show them: a plain sentence (issue 13:
 * "cost per request for prompt triage-classifier-v1 rose 41 % at Tue 14:00 UTC: input tokens per
 * request 512 → 1,030 (system prompt grew?)"), a filter in the filter language and a dashboard
 * link to the request list over the period.
 */
import type { Finding, GroupChange, Metric, MsRange } from './explain-model.js';
import type { Cluster } from './finding-ranking.js';
import type { Candidate } from './series-findings.js';

const METRIC_LABEL: Record<Metric, string> = {
  cost_per_request: 'cost per request',
  input_tokens_per_request: 'input tokens per request',
  output_tokens_per_request: 'output tokens per request',
  requests_per_hour: 'requests per hour',
};
const FILTER_FIELD: Record<string, string> = { model: 'model', prompt_id: 'prompt_id', user: 'user', service: 'service', environment: 'environment' };
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function groupLabel(dimension: string, group: string): string {
  const shown = group === '' ? '(none)' : group;
  if (dimension === 'prompt_id') return `prompt ${shown}`;
  if (dimension.startsWith('property:')) return `${dimension.slice(9)} ${shown}`;
  return `${dimension} ${shown}`;
}

export function groupFilter(dimension: string, group: string): string {
  const field = FILTER_FIELD[dimension] ?? `property.${dimension.slice(9)}`;
  return `${field} = ${JSON.stringify(group)}`;
}

const hourText = (ms: number) => {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${d.toISOString().slice(5, 10)} ${d.toISOString().slice(11, 16)} UTC`;
};

export function usd(x: number): string {
  const sign = x < 0 ? '−' : '+';
  const a = Math.abs(x);
  return `${sign}$${a >= 100 ? Math.round(a).toLocaleString('en-US') : a.toFixed(a >= 1 ? 2 : 4)}`;
}

function value(metric: Metric, x: number): string {
  if (metric === 'cost_per_request') return `$${x < 0.01 ? x.toPrecision(2) : x.toFixed(4)}`;
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1);
}

function move(ratio: number): string {
  const pct = Math.round(Math.abs(ratio - 1) * 100);
  const times = ratio >= 2 ? ` (×${ratio.toFixed(1)})` : '';
  return `${ratio >= 1 ? 'rose' : 'fell'} ${pct.toLocaleString('en-US')} %${times}`;
}

function hint(c: Candidate): string {
  if (c.ratio <= 1) return '';
  if (c.metric === 'input_tokens_per_request') return ' (system prompt grew?)';
  if (c.metric === 'output_tokens_per_request') return ' (answers got longer?)';
  if (c.metric === 'cost_per_request') return ' (a pricier model?)';
  return '';
}

function sentence(c: Candidate, related: Candidate[], hourMs: (h: number) => number): string {
  const who = groupLabel(c.dimension, c.group);
  const levels = (x: Candidate) => `${value(x.metric, x.before ?? x.baselineLevel)} → ${value(x.metric, x.after ?? x.periodLevel)}`;
  let when = '';
  if (c.kind === 'step') when = ` at ${hourText(hourMs(c.atHour!))}`;
  else if (c.kind === 'drift') when = ` gradually from ${hourText(hourMs(c.atHour!))} to ${hourText(hourMs(c.untilHour!))}`;
  else when = ' against the baseline';
  // The cost of a group whose tokens moved: say both, the cost first (what the bill shows).
  const cost = related.find((r) => r.dimension === c.dimension && r.group === c.group && r.metric === 'cost_per_request');
  if (cost && c.metric !== 'cost_per_request') {
    return `cost per request for ${who} ${move(cost.ratio)}${when}: ${METRIC_LABEL[c.metric]} ${levels(c)}${hint(c)}; ${usd(c.impactUsd)} over the period`;
  }
  const adjusted = c.metric === 'requests_per_hour' ? ' (seasonally adjusted)' : '';
  return `${METRIC_LABEL[c.metric]} for ${who} ${move(c.ratio)}${when}: ${levels(c)}${adjusted}${hint(c)}; ${usd(c.impactUsd)} over the period`;
}

export function toFinding(cluster: Cluster, period: MsRange, firstHour: number): Finding {
  const hourMs = (i: number) => (firstHour + i) * 3_600_000;
  const { lead, related } = cluster;
  const filter = groupFilter(lead.dimension, lead.group);
  const from = lead.kind === 'step' ? Math.max(period.fromMs, hourMs(lead.atHour!)) : period.fromMs;
  const query = new URLSearchParams({ filter, from: new Date(from).toISOString(), to: new Date(period.toMs).toISOString() });
  const { atHour, untilHour, ...rest } = lead;
  return {
    ...rest,
    ...(atHour !== undefined ? { at: new Date(hourMs(atHour)).toISOString() } : {}),
    ...(untilHour !== undefined ? { until: new Date(hourMs(untilHour)).toISOString() } : {}),
    sentence: sentence(lead, related, hourMs),
    filter,
    link: `#/requests?${query}`,
    related: related.slice(0, 10).map((r) => ({ dimension: r.dimension, group: r.group, metric: r.metric, ratio: r.ratio, impactUsd: r.impactUsd })),
  };
}

export function newThingSentence(change: Omit<GroupChange, 'sentence'>, appeared: boolean): string {
  const pct = `${Math.round(change.share * 100)} %`;
  return appeared
    ? `new: ${groupLabel(change.dimension, change.group)}, not seen in the baseline, ${usd(change.costUsd)} (${pct} of the period's cost)`
    : `vanished: ${groupLabel(change.dimension, change.group)}, ${usd(-change.costUsd)} (${pct} of the baseline's cost)`;
}
