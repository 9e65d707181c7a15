/**
 * `tokentrace forecast [--by model|property:<Name>|…] [--budget 4000] [--billing-day 15]
 * [--filter '<expr>'] [--limit 10]`: the month-end forecast from GET /api/v1/forecast (issue 13
 * §3): the one-line summary, then this period and the next per group (or for the project) with
 * spent so far, forecast and the 80 % / 95 % intervals, and the model's notes. `--json` prints the
 * API's MonthForecast.
 */
import type { GroupForecast, MonthForecast } from '../insights/forecast/forecast-types.js';
import { formatForecastUsd } from '../insights/forecast/forecast-summary.js';
import { processIo, type CliIo } from './cli-io.js';
import { runQueryCommand, stringOption } from './query-command.js';
import { renderTable, type Cell, type Column } from './table-renderer.js';

export const FORECAST_USAGE = "tokentrace forecast [--by model|user|prompt_id|…|property:<Name>] [--budget <USD>] [--billing-day 1-28] [--filter '<expr>'] [--limit 10] [--json]";

export function runForecastCommand(args: string[], io: CliIo = processIo): Promise<number> {
  const options = { by: { type: 'string', short: 'b' }, budget: { type: 'string' }, 'billing-day': { type: 'string' }, filter: { type: 'string', short: 'f' }, limit: { type: 'string', short: 'n' } } as const;
  return runQueryCommand('forecast', FORECAST_USAGE, args, io, options, async ({ values, client, style, json, print }) => {
    const by = stringOption(values, 'by');
    const result = await client.get<MonthForecast>('/forecast', {
      by,
      budget: stringOption(values, 'budget'),
      billingDay: stringOption(values, 'billing-day'),
      filter: stringOption(values, 'filter'),
      limit: stringOption(values, 'limit'),
    });
    if (json) {
      print(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    print(`${result.summary}\n\n`);
    const c = result.total.current;
    const n = result.total.next;
    const label = by ? (by.startsWith('property') ? by.replace(/^property[:.]/, '') : by.replace(/_/g, ' ')).toUpperCase() : 'PROJECT';
    const columns: Column[] = [{ header: label }, ...[`SPENT SINCE ${c.start}`, `FORECAST TO ${c.end}`, '80 %', '95 %', `NEXT TO ${n.end}`, 'NEXT 80 %'].map((header) => ({ header, align: 'right' as const }))];
    const rows = (result.groups.length > 0 ? result.groups : [result.total]).map((g) => figures(g.group === undefined ? { text: 'project', tone: 'dim' } : g.group || { text: '(none)', tone: 'dim' }, g));
    print(renderTable(columns, rows, style, result.groups.length > 0 ? figures('total', result.total) : undefined));
    const b = result.budget;
    if (b) print(style.dim(`budget ${formatForecastUsd(b.budgetUsd)}: ${Math.round(b.exceedProbability * 100)} % chance of exceeding it${b.runsOutOn ? `, ${b.exhaustedOn ? 'ran out on' : 'runs out on'} ${b.runsOutOn}` : ''}\n`));
    for (const note of result.total.notes) print(style.dim(`note: ${note}\n`));
  });
}

function figures(label: Cell, g: GroupForecast): Cell[] {
  const range = (i: { lowUsd: number; highUsd: number }) => `${formatForecastUsd(i.lowUsd)}–${formatForecastUsd(i.highUsd)}`;
  return [label, formatForecastUsd(g.current.spentUsd), formatForecastUsd(g.current.forecastUsd), range(g.current.interval80), range(g.current.interval95), formatForecastUsd(g.next.forecastUsd), range(g.next.interval80)];
}
