/**
 * `tokentrace tree <trace-id>` and `tokentrace tree --session <id>`: the span tree of a trace or a
 * session, drawn in the terminal (tree-renderer.ts), or the API's SpanTree with `--json`.
 */
import type { SpanTree } from '../queries/query-model.js';
import { processIo, type CliIo } from './cli-io.js';
import { CliUsageError, runQueryCommand, stringOption } from './query-command.js';
import { renderTree } from './tree-renderer.js';

export const TREE_USAGE = 'tokentrace tree <trace-id> | tokentrace tree --session <session-id> [--json] [--no-color]';

export function runTreeCommand(args: string[], io: CliIo = processIo): Promise<number> {
  return runQueryCommand('tree', TREE_USAGE, args, io, { session: { type: 'string', short: 's' } }, async ({ values, positionals, client, style, json, print }) => {
    const session = stringOption(values, 'session');
    if (session !== undefined && positionals.length > 0) throw new CliUsageError('give a trace id or --session, not both');
    if (session === undefined && positionals.length !== 1) throw new CliUsageError(positionals.length === 0 ? 'which trace? give its id' : 'one trace id at a time');
    const path = session !== undefined ? `/sessions/${encodeURIComponent(session)}` : `/traces/${encodeURIComponent(positionals[0])}`;
    const tree = await client.get<SpanTree>(path);
    print(json ? `${JSON.stringify(tree, null, 2)}\n` : renderTree(tree, style));
  });
}
