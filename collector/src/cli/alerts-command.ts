/**
 * `tokentrace alerts list|create|test|history|delete` (issue 13): the alerts API
 * (/api/v1/alerts) from the command line. `create` takes a rule as JSON (`--file rule.json`, `-`
 * for stdin) or from flags (`--metric cost --window 1h --above 10 --by user --webhook URL
 * --secret S`; a budget on the month-end forecast: `--window calendar_month --budget 3500 --forecast
 * [--forecast-bound high80]`); refusals name the field, as the API does. `--json` prints the API's
 * answers.
 */
import { readFileSync } from 'node:fs';
import type { HistoryEntry, RuleTestResult, StoredRule } from '../alerts/index.js';
import { formatMetric } from '../alerts/alert-metrics.js';
import { processIo, type CliIo } from './cli-io.js';
import { formatTime, printable } from './format-values.js';
import { CliUsageError, runQueryCommand, stringOption, type OptionValues } from './query-command.js';
import { renderTable, type Cell } from './table-renderer.js';

export const ALERTS_USAGE = `tokentrace alerts list | create (--file rule.json | --metric <m> --window <w> (--above <n> | --below <n> | --budget <n> [--levels 50,80,100] [--forecast [--forecast-bound point|high80]] | --anomaly) [--name <s>] [--id <id>] [--filter '<expr>'] [--by <dimension>] [--min-requests <n>] [--repeat 4h] [--severity warning] [--webhook <url> --secret <s>] [--slack <url>] [--email <addr>]) | test <id> | history [--rule <id>] [--limit 50] [--since 7d] | delete <id> [--json]`;

const OPTIONS = {
  file: { type: 'string' },
  id: { type: 'string' },
  name: { type: 'string' },
  metric: { type: 'string' },
  window: { type: 'string' },
  above: { type: 'string' },
  below: { type: 'string' },
  budget: { type: 'string' },
  levels: { type: 'string' },
  forecast: { type: 'boolean' },
  'forecast-bound': { type: 'string' },
  anomaly: { type: 'boolean' },
  filter: { type: 'string', short: 'f' },
  by: { type: 'string', short: 'b' },
  'min-requests': { type: 'string' },
  repeat: { type: 'string' },
  severity: { type: 'string' },
  webhook: { type: 'string' },
  secret: { type: 'string' },
  slack: { type: 'string' },
  email: { type: 'string', multiple: true },
  rule: { type: 'string' },
  limit: { type: 'string', short: 'n' },
  since: { type: 'string' },
} as const;

export function runAlertsCommand(args: string[], io: CliIo = processIo): Promise<number> {
  return runQueryCommand('alerts', ALERTS_USAGE, args, io, OPTIONS, async ({ values, positionals, client, style, json, print }) => {
    const [sub, id] = positionals;
    const show = (answer: unknown, text: () => string) => print(json ? `${JSON.stringify(answer, null, 2)}\n` : text());
    switch (sub) {
      case 'list': {
        const { items } = await client.get<{ items: StoredRule[] }>('/alerts/rules');
        show({ items }, () =>
          items.length === 0
            ? 'no alert rules (create one: tokentrace alerts create --metric cost --window 1h --above 10 --webhook <url> --secret <s>)\n'
            : renderTable(
                ['ID', 'NAME', 'METRIC', 'WINDOW', 'CONDITION', 'BY', 'CHANNELS', 'ON'].map((header) => ({ header })),
                items.map((r): Cell[] => [r.id, printable(r.name), r.metric, r.window, conditionText(r), r.groupBy || { text: '—', tone: 'dim' }, r.channels.map((c) => c.type).join(', ') || { text: 'none', tone: 'dim' }, r.enabled ? 'yes' : { text: 'no', tone: 'dim' }]),
                style,
              ),
        );
        return;
      }
      case 'create': {
        const rule = await client.send<StoredRule>('POST', '/alerts/rules', {}, ruleFromOptions(values, io));
        show(rule, () => `created rule ${rule.id}: ${rule.metric} over ${rule.window}, ${conditionText(rule)}${rule.groupBy ? ` by ${rule.groupBy}` : ''}\n`);
        return;
      }
      case 'test': {
        const result = await client.send<RuleTestResult>('POST', `/alerts/rules/${encodeURIComponent(required(id, 'test <id>'))}/test`);
        show(result, () => testText(result));
        return;
      }
      case 'history': {
        const { items } = await client.get<{ items: HistoryEntry[] }>('/alerts/history', { ruleId: stringOption(values, 'rule'), limit: stringOption(values, 'limit'), since: stringOption(values, 'since') });
        show({ items }, () =>
          items.length === 0
            ? 'no notifications yet\n'
            : renderTable(
                ['TIME', 'RULE', 'EVENT', 'SEVERITY', 'GROUP', 'DELIVERED', 'MESSAGE'].map((header) => ({ header })),
                items.map((h): Cell[] => [formatTime(h.time).slice(0, 19), h.ruleId, h.event === 'resolved' ? h.event : { text: h.event, tone: h.severity === 'critical' ? 'error' : 'accent' }, h.severity, printable(h.group) || { text: '—', tone: 'dim' }, deliveredText(h), printable(h.message)]),
                style,
              ),
        );
        return;
      }
      case 'delete':
        await client.send('DELETE', `/alerts/rules/${encodeURIComponent(required(id, 'delete <id>'))}`);
        show({ deleted: id }, () => `deleted rule ${id}\n`);
        return;
      default:
        throw new CliUsageError(sub ? `unknown alerts command: ${sub}` : 'which alerts command? list, create, test, history or delete');
    }
  });
}

function required(id: string | undefined, what: string): string {
  if (!id) throw new CliUsageError(`alerts ${what}: give the rule id`);
  return id;
}

/** The rule from `--file` (JSON, `-` for stdin), or from the flags. */
export function ruleFromOptions(values: OptionValues, io: CliIo): unknown {
  const file = stringOption(values, 'file');
  if (file !== undefined) {
    const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new CliUsageError(`--file ${file}: not JSON (${(err as Error).message})`);
    }
  }
  const number = (name: string) => {
    const text = stringOption(values, name);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n)) throw new CliUsageError(`--${name}: expected a number, got ${JSON.stringify(text)}`);
    return n;
  };
  const conditions = [values.above !== undefined, values.below !== undefined, values.budget !== undefined, values.anomaly === true].filter(Boolean).length;
  if (conditions !== 1) throw new CliUsageError('give one condition: --above <n>, --below <n>, --budget <n> or --anomaly');
  const bound = stringOption(values, 'forecast-bound');
  if ((values.forecast === true || bound !== undefined) && values.budget === undefined) throw new CliUsageError('--forecast and --forecast-bound go with --budget <n> (a budget on the month-end forecast)');
  if (bound !== undefined && values.forecast !== true) throw new CliUsageError('--forecast-bound goes with --forecast');
  const basis = values.forecast === true ? { basis: 'forecast', ...(bound ? { forecastBound: bound } : {}) } : {};
  const levels = stringOption(values, 'levels')?.split(',').map((p, i, all) => ({ percent: Number(p), severity: i === all.length - 1 ? 'critical' : i === 0 ? 'info' : 'warning' }));
  const condition = values.anomaly
    ? { type: 'anomaly' }
    : values.budget !== undefined
      ? { type: 'budget', amount: number('budget'), ...(levels ? { levels } : {}), ...basis }
      : { type: 'threshold', op: values.above !== undefined ? 'above' : 'below', value: number(values.above !== undefined ? 'above' : 'below') };
  const channels: unknown[] = [];
  const webhook = stringOption(values, 'webhook');
  if (webhook) channels.push({ type: 'webhook', url: webhook, secret: stringOption(values, 'secret') ?? '' });
  const slack = stringOption(values, 'slack');
  if (slack) channels.push({ type: 'slack', url: slack });
  const email = values.email as string[] | undefined;
  if (email?.length) channels.push({ type: 'email', to: email });
  const rule: Record<string, unknown> = {
    id: stringOption(values, 'id'),
    name: stringOption(values, 'name'),
    metric: stringOption(values, 'metric'),
    window: stringOption(values, 'window'),
    condition,
    filter: stringOption(values, 'filter'),
    groupBy: stringOption(values, 'by'),
    minRequests: number('min-requests'),
    repeatInterval: stringOption(values, 'repeat'),
    severity: stringOption(values, 'severity'),
    channels,
  };
  return Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined));
}

function conditionText(rule: StoredRule): string {
  const c = rule.condition;
  if (c.type === 'threshold') return `${c.op} ${formatMetric(rule.metric, c.value)}`;
  if (c.type === 'budget') {
    const on = c.basis === 'forecast' ? (c.forecastBound === 'high80' ? ' on the forecast\'s 80% high end' : ' on the forecast') : '';
    return `budget ${formatMetric(rule.metric, c.amount)}${on} at ${c.levels.map((l) => `${l.percent}%`).join('/')}`;
  }
  return `anomaly vs ${c.baselineDays}d (≥ ${Math.round(c.minChange * 100)}%)`;
}

function deliveredText(h: HistoryEntry): Cell {
  if (h.deliveries.length === 0) return { text: '—', tone: 'dim' };
  const ok = h.deliveries.filter((d) => d.delivered).length;
  const text = `${ok}/${h.deliveries.length}`;
  return ok === h.deliveries.length ? text : { text, tone: 'error' };
}

function testText(r: RuleTestResult): string {
  const lines = [`${r.notification.title}: ${r.notification.message}`];
  for (const g of r.groups.slice(0, 20)) lines.push(`  ${g.group || '(all)'}: ${formatMetric(r.notification.rule.metric, g.value)} over ${g.requests} requests${g.breached ? ' — would fire' : ''}`);
  for (const d of r.deliveries) lines.push(`  sent to ${d.channel}: ${d.delivered ? `delivered (${d.attempts} attempt${d.attempts > 1 ? 's' : ''})` : `FAILED after ${d.attempts}: ${d.error}`}`);
  if (r.deliveries.length === 0) lines.push('  (the rule has no channels: nothing sent)');
  return `${lines.join('\n')}\n`;
}
