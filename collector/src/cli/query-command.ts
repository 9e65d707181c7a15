/**
 * What the query commands (`tree`, `cost`, `requests`, `top`) share: the common options
 * (`--url`, `--api-key`, `--json`, `--no-color`), the API client built from them and the
 * environment, and one way of failing: a readable message on stderr (with a caret under the spot
 * a filter went wrong) and exit code 1.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { colorWanted, createStyle, type CliIo, type Style } from './cli-io.js';
import { QueryClient, QueryClientError } from './query-client.js';

export const DEFAULT_URL = 'http://127.0.0.1:4318';

const COMMON_OPTIONS: ParseArgsOptionsConfig = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const COMMON_USAGE = 'common options: --url <collector> (env TOKENTRACE_URL, default http://127.0.0.1:4318), --api-key <key> (env TOKENTRACE_API_KEY), --json, --no-color';

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  values: OptionValues;
  positionals: string[];
  client: QueryClient;
  style: Style;
  /** Print the API's JSON instead of a table or tree. */
  json: boolean;
  /** Writes to stdout. */
  print(text: string): void;
}

/** Wrong arguments: the message is printed with the command's usage. */
export class CliUsageError extends Error {
  readonly code = 'TOKENTRACE_CLI_USAGE';
}

/** Parses the arguments, runs the command, and turns every failure into a message and exit code 1. */
export async function runQueryCommand(
  name: string,
  usage: string,
  args: string[],
  io: CliIo,
  options: ParseArgsOptionsConfig,
  run: (context: CommandContext) => Promise<void>,
): Promise<number> {
  let values: OptionValues = {};
  try {
    const parsed = parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
    values = parsed.values;
    if (values.help) {
      io.stdout.write(`usage: ${usage}\n${COMMON_USAGE}\n`);
      return 0;
    }
    const client = new QueryClient({
      url: stringOption(values, 'url') ?? io.env.TOKENTRACE_URL ?? DEFAULT_URL,
      apiKey: stringOption(values, 'api-key') ?? io.env.TOKENTRACE_API_KEY,
    });
    const style = createStyle(colorWanted(io, values['no-color'] === true));
    await run({ values, positionals: parsed.positionals, client, style, json: values.json === true, print: (text) => io.stdout.write(text) });
    return 0;
  } catch (err) {
    io.stderr.write(describeFailure(name, usage, err, stringOption(values, 'filter')));
    return 1;
  }
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The message for stderr; a filter error shows the filter with a caret under `position`. */
export function describeFailure(name: string, usage: string, err: unknown, filter: string | undefined): string {
  const prefix = `tokentrace ${name}: `;
  if (err instanceof CliUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    return `${prefix}${(err as Error).message}\nusage: ${usage}\n`;
  }
  if (!(err instanceof QueryClientError)) return `${prefix}${(err as Error).message ?? String(err)}\n`;
  let text = `${prefix}${err.code === 'TOKENTRACE_INVALID_FILTER' ? 'invalid filter: ' : ''}${err.message}${err.status === 401 ? ' (pass --api-key or set TOKENTRACE_API_KEY)' : ''}\n`;
  if (filter !== undefined && typeof err.position === 'number') {
    // Tabs and line breaks shown as spaces keep the caret under the right character.
    const shown = filter.replace(/[\t\r\n]/g, ' ');
    const at = Math.min(Math.max(err.position, 0), shown.length);
    text += `  ${shown}\n  ${' '.repeat(at)}^\n`;
  }
  return text;
}
