/**
 * `tokentrace top users [--since 7d] [--limit 10] [--filter '<expr>']`: the costliest users as a
 * ranked table; `--json` prints the API's `{ items }`.
 */
import type { AnalyticsRow } from '../queries/query-model.js';
import { processIo, type CliIo } from './cli-io.js';
import { formatPercent, formatTokens, formatUsd } from './format-values.js';
import { CliUsageError, runQueryCommand, stringOption } from './query-command.js';
import { renderTable, type Cell } from './table-renderer.js';
import { timeParams, TIME_OPTIONS } from './time-options.js';

export const TOP_USAGE = "tokentrace top users [--since 7d | --from <iso> [--to <iso>]] [--limit 10] [--filter '<expr>'] [--json]";

export function runTopCommand(args: string[], io: CliIo = processIo): Promise<number> {
  const options = { ...TIME_OPTIONS, filter: { type: 'string', short: 'f' }, limit: { type: 'string', short: 'n' } } as const;
  return runQueryCommand('top', TOP_USAGE, args, io, options, async ({ values, positionals, client, style, json, print }) => {
    if (positionals.length !== 1 || positionals[0] !== 'users') throw new CliUsageError(`top what? only "users" is supported${positionals.length ? `, got ${JSON.stringify(positionals.join(' '))}` : ''}`);
    const { items } = await client.get<{ items: AnalyticsRow[] }>('/users/top', { ...timeParams(values), limit: stringOption(values, 'limit'), filter: stringOption(values, 'filter') });
    if (json) {
      print(`${JSON.stringify({ items }, null, 2)}\n`);
      return;
    }
    if (items.length === 0) {
      print('no model calls in this range\n');
      return;
    }
    const rows = items.map((row, i): Cell[] => [
      String(i + 1),
      row.group ? row.group : { text: '(no user)', tone: 'dim' },
      formatUsd(row.costUsd),
      formatTokens(row.requests),
      row.errors > 0 ? { text: `${formatTokens(row.errors)} (${formatPercent(row.errorRate)})`, tone: 'error' } : '0',
      formatTokens(row.inputTokens),
      formatTokens(row.outputTokens),
    ]);
    const columns = [{ header: '#', align: 'right' as const }, { header: 'USER' }, ...['COST', 'REQUESTS', 'ERRORS', 'IN', 'OUT'].map((header) => ({ header, align: 'right' as const }))];
    print(renderTable(columns, rows, style));
  });
}
