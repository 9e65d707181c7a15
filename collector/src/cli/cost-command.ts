/**
 * `tokentrace cost [--by user|model|provider|property:<Name>] [--since 7d] [--bucket day]
 * [--filter '<expr>']`: cost and usage per group (and time bucket) as a table with a totals row,
 * with the response cache's hit rate and the dollars it saved (issue 14);
 * `--json` prints the API's AnalyticsResult.
 */
import type { AnalyticsResult, AnalyticsRow, UsageFigures } from '../queries/query-model.js';
import { processIo, type CliIo } from './cli-io.js';
import { formatDuration, formatPercent, formatTime, formatTokens, formatUsd } from './format-values.js';
import { runQueryCommand, stringOption } from './query-command.js';
import { renderTable, type Cell, type Column } from './table-renderer.js';
import { timeParams, TIME_OPTIONS } from './time-options.js';

export const COST_USAGE = "tokentrace cost [--by user|model|provider|session_name|prompt_id|service|environment|property:<Name>] [--since 7d | --from <iso> [--to <iso>]] [--bucket hour|day] [--filter '<expr>'] [--limit 20] [--json]";

const FIGURE_COLUMNS: Column[] = ['REQUESTS', 'ERRORS', 'IN', 'OUT', 'COST', 'HIT RATE', 'SAVED', 'P50', 'P95'].map((header) => ({ header, align: 'right' }));

export function runCostCommand(args: string[], io: CliIo = processIo): Promise<number> {
  const options = { ...TIME_OPTIONS, by: { type: 'string', short: 'b' }, bucket: { type: 'string' }, filter: { type: 'string', short: 'f' }, limit: { type: 'string', short: 'n' } } as const;
  return runQueryCommand('cost', COST_USAGE, args, io, options, async ({ values, client, style, json, print }) => {
    const by = stringOption(values, 'by');
    const bucket = stringOption(values, 'bucket');
    const result = await client.get<AnalyticsResult>('/analytics', {
      ...timeParams(values),
      groupBy: by,
      bucket,
      filter: stringOption(values, 'filter'),
      limit: stringOption(values, 'limit'),
    });
    if (json) {
      print(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const columns: Column[] = [...(bucket ? [{ header: bucket.toUpperCase() }] : []), ...(by ? [{ header: groupHeader(by) }] : []), ...FIGURE_COLUMNS];
    const rows = result.rows.map((row): Cell[] => [...(bucket ? [bucketLabel(row, bucket)] : []), ...(by ? [groupLabel(row)] : []), ...figures(row)]);
    const labels = (bucket ? 1 : 0) + (by ? 1 : 0);
    const footer: Cell[] = [...(labels > 0 ? ['total', ...Array<string>(labels - 1).fill('')] : []), ...figures(result.totals)];
    print(labels === 0 ? renderTable(FIGURE_COLUMNS, [figures(result.totals)], style) : renderTable(columns, rows, style, footer));
    if (result.totals.requests > 0) print(style.dim(`error rate ${formatPercent(result.totals.errorRate)}\n`));
    if (result.totals.cacheHits > 0) {
      print(style.dim(`response cache saved ${formatUsd(result.totals.savedUsd)} (${formatPercent(result.totals.cacheHitRate)} hit rate)\n`));
    }
  });
}

function figures(f: UsageFigures): Cell[] {
  const errors = formatTokens(f.errors);
  return [formatTokens(f.requests), f.errors > 0 ? { text: errors, tone: 'error' } : errors, formatTokens(f.inputTokens), formatTokens(f.outputTokens), formatUsd(f.costUsd), formatPercent(f.cacheHitRate), formatUsd(f.savedUsd), formatDuration(f.latencyMs.p50), formatDuration(f.latencyMs.p95)];
}

/** `property:Feature` → `FEATURE`, `session_name` → `SESSION NAME`. */
function groupHeader(by: string): string {
  return (by.startsWith('property:') ? by.slice('property:'.length) : by.replace(/_/g, ' ')).toUpperCase();
}

function groupLabel(row: AnalyticsRow): Cell {
  return row.group ? row.group : { text: '(none)', tone: 'dim' };
}

function bucketLabel(row: AnalyticsRow, bucket: string): string {
  const time = formatTime(row.bucket ?? '');
  return bucket === 'day' ? time.slice(0, 10) : time.slice(0, 16);
}
