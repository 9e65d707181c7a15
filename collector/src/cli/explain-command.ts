/**
 * `tokentrace explain [--since 7d | --from <iso> [--to <iso>]] [--baseline previous|previous-week|<from>..<to>] [--by model,prompt_id,…]`:
 * why cost changed (GET /api/v1/explain, issue 13 §2): the totals, the findings ranked by dollars
 * (a sentence each, and the `tokentrace requests` line that lists the requests showing it), Δcost
 * by driver per dimension, and groups new or gone. `--json` prints the API's answer.
 */
import { DRIVERS, type ExplainResult } from '../insights/explain/index.js';
import { processIo, type CliIo } from './cli-io.js';
import { formatPercent, formatTokens, formatUsd, printable } from './format-values.js';
import { runQueryCommand, stringOption } from './query-command.js';
import { renderTable, type Cell } from './table-renderer.js';
import { timeParams, TIME_OPTIONS } from './time-options.js';

export const EXPLAIN_USAGE = "tokentrace explain [--since 7d | --from <iso> [--to <iso>]] [--baseline previous|previous-week|<from>..<to>] [--by model,prompt_id,user,property:<Name>] [--json]";

const DRIVER_HEADER: Record<(typeof DRIVERS)[number], string> = {
  volume: 'VOLUME', mix: 'MIX', input_tokens: 'IN TOK', cached_tokens: 'CACHED', output_tokens: 'OUT TOK', reasoning_tokens: 'REASON', price: 'PRICE',
};

const signedUsd = (x: number) => `${x < 0 ? '−' : '+'}${formatUsd(Math.abs(x))}`;

export function runExplainCommand(args: string[], io: CliIo = processIo): Promise<number> {
  const options = { ...TIME_OPTIONS, baseline: { type: 'string', short: 'b' }, by: { type: 'string' } } as const;
  return runQueryCommand('explain', EXPLAIN_USAGE, args, io, options, async ({ values, client, style, json, print }) => {
    const result = await client.get<ExplainResult>('/explain', { ...timeParams(values), baseline: stringOption(values, 'baseline'), by: stringOption(values, 'by') });
    if (json) {
      print(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const { baseline, period, deltaUsd } = result.totals;
    const change = baseline.costUsd > 0 ? ` (${deltaUsd >= 0 ? '+' : '−'}${formatPercent(Math.abs(deltaUsd) / baseline.costUsd)})` : '';
    print(`${style.bold('cost')} ${formatUsd(baseline.costUsd)} → ${formatUsd(period.costUsd)}: ${style.bold(signedUsd(deltaUsd))}${change}; requests ${formatTokens(baseline.requests)} → ${formatTokens(period.requests)}\n`);
    print(style.dim(`period ${result.period.from} – ${result.period.to}, baseline ${result.baseline.from} – ${result.baseline.to}\n`));
    print(`\n${style.bold('why')}\n`);
    if (result.findings.length === 0) print('  no change point or shift stands out: the change is volume and noise (see the drivers)\n');
    result.findings.forEach((f, i) => {
      print(`${String(i + 1).padStart(3)}. ${printable(f.sentence)}\n`);
      print(style.dim(`     tokentrace requests --filter '${printable(f.filter).replace(/'/g, "'\\''")}' --from ${result.period.from} --to ${result.period.to}\n`));
    });
    for (const [title, list] of [['new', result.newThings], ['gone', result.vanished]] as const) {
      if (list.length > 0) print(`\n${style.bold(title)}\n${list.map((c) => `  ${printable(c.sentence)}\n`).join('')}`);
    }
    print(`\n${style.bold('Δcost by driver')} ${style.dim('(Shapley split of C = requests × share × tokens per request × price; each row adds up to Δcost)')}\n`);
    const rows = result.dimensions.map((d): Cell[] => [d.dimension, ...DRIVERS.map((k) => signedUsd(d.drivers[k]))]);
    print(renderTable([{ header: 'DIMENSION' }, ...DRIVERS.map((k) => ({ header: DRIVER_HEADER[k], align: 'right' as const }))], rows, style));
  });
}
