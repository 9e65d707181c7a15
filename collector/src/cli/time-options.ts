/**
 * The time options of the list and analytics commands (`--since 7d`, or `--from`/`--to`),
 * passed to the API as they are: the API validates them and names the bad one.
 */
import type { OptionValues } from './query-command.js';
import { stringOption } from './query-command.js';

export const TIME_OPTIONS = {
  since: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

export function timeParams(values: OptionValues): { since?: string; from?: string; to?: string } {
  return { since: stringOption(values, 'since'), from: stringOption(values, 'from'), to: stringOption(values, 'to') };
}
