/**
 * `tokentrace requests [--filter '<expr>'] [--since 24h] [--limit 20] [--cursor c]`: the latest
 * model calls as a table (newest first), with the command for the next page when there is one;
 * a call that retried its request says which retry in STATUS (`ok (retry 1)`); `--json` prints
 * the API's RequestPage.
 */
import type { RequestPage } from '../queries/query-model.js';
import { processIo, type CliIo } from './cli-io.js';
import { formatDuration, formatTime, formatTokens, formatUsd } from './format-values.js';
import { runQueryCommand, stringOption } from './query-command.js';
import { ERROR_MARK } from './tree-renderer.js';
import { renderTable, type Cell } from './table-renderer.js';
import { timeParams, TIME_OPTIONS } from './time-options.js';

export const REQUESTS_USAGE = "tokentrace requests [--filter '<expr>'] [--since 24h | --from <iso> [--to <iso>]] [--limit 20] [--cursor <c>] [--json]";

export function runRequestsCommand(args: string[], io: CliIo = processIo): Promise<number> {
  const options = { ...TIME_OPTIONS, filter: { type: 'string', short: 'f' }, limit: { type: 'string', short: 'n' }, cursor: { type: 'string' } } as const;
  return runQueryCommand('requests', REQUESTS_USAGE, args, io, options, async ({ values, client, style, json, print }) => {
    const page = await client.get<RequestPage>('/requests', {
      ...timeParams(values),
      filter: stringOption(values, 'filter'),
      limit: stringOption(values, 'limit') ?? '20',
      cursor: stringOption(values, 'cursor'),
    });
    if (json) {
      print(`${JSON.stringify(page, null, 2)}\n`);
      return;
    }
    if (page.items.length === 0) {
      print('no requests in this range\n');
      return;
    }
    const rows = page.items.map((r): Cell[] => {
      const failed = r.status === 'error';
      const status = failed ? `${ERROR_MARK} ${r.errorType || 'error'}` : 'ok';
      const retry = r.resendCount > 0 ? ` (retry ${r.resendCount})` : '';
      const cells = [formatTime(r.startTime), r.traceId, r.model, r.userId || '-', formatDuration(r.durationMs), formatTokens(r.inputTokens), formatTokens(r.outputTokens), formatUsd(r.costUsd), status + retry];
      return failed ? cells.map((text): Cell => ({ text, tone: 'error' })) : cells;
    });
    const columns = [{ header: 'TIME (UTC)' }, { header: 'TRACE' }, { header: 'MODEL' }, { header: 'USER' }, ...['DURATION', 'IN', 'OUT', 'COST'].map((header) => ({ header, align: 'right' as const })), { header: 'STATUS' }];
    print(renderTable(columns, rows, style));
    if (page.nextCursor) print(style.dim(`more: add --cursor ${shellWord(page.nextCursor)}\n`));
  });
}

/** The cursor as one shell word (it is opaque: quote it unless it is plainly safe). */
function shellWord(text: string): string {
  return /^[\w.=:+/-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
