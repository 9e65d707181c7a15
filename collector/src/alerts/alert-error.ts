/**
 * The errors of the alerts component, with stable codes: a rule that does not validate names the
 * field at fault (`condition.levels[1].percent`); a rule that is not in the caller's project is
 * not found.
 */

export type AlertErrorCode = 'TOKENTRACE_INVALID_ALERT_RULE' | 'TOKENTRACE_ALERT_RULE_NOT_FOUND';

export class AlertError extends Error {
  override readonly name = 'AlertError';

  constructor(
    readonly code: AlertErrorCode,
    message: string,
    /** The rule's field at fault (`window`, `channels[0].url`). */
    readonly field?: string,
    options?: ErrorOptions,
    /** What the field should hold, and what it held (for ConfigError when the rule came from the config file). */
    readonly expected?: string,
    readonly got?: unknown,
  ) {
    super(message, options);
  }
}

/** `field: expected …, got …`. */
export function invalidRule(field: string, expected: string, got?: unknown, options?: ErrorOptions): AlertError {
  const shown = got === undefined ? '' : `, got ${JSON.stringify(got)?.slice(0, 200) ?? String(got)}`;
  return new AlertError('TOKENTRACE_INVALID_ALERT_RULE', `${field}: expected ${expected}${shown}`, field, options, expected, got);
}

export function ruleNotFound(id: string): AlertError {
  return new AlertError('TOKENTRACE_ALERT_RULE_NOT_FOUND', `no alert rule ${JSON.stringify(id)} in this project`);
}
