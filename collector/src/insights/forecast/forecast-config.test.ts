/** The collector's `forecast.*` keys: defaults, environment variables, and refusals naming the key. */
import { describe, expect, it } from 'vitest';
import { loadCollectorConfig } from '../../config/collector-config.js';

describe('forecast config', () => {
  it('defaults to calendar months and no budget; the environment sets both', () => {
    expect(loadCollectorConfig(undefined, {}).forecast).toEqual({ billingDay: 1, budgetUsd: 0 });
    expect(loadCollectorConfig(undefined, { TOKENTRACE_FORECAST_BILLING_DAY: '15', TOKENTRACE_FORECAST_BUDGET_USD: '4000' }).forecast).toEqual({ billingDay: 15, budgetUsd: 4000 });
  });

  it('refuses a billing day past the 28th and a negative budget, naming the key', () => {
    expect(() => loadCollectorConfig(undefined, { TOKENTRACE_FORECAST_BILLING_DAY: '31' })).toThrow(/invalid forecast\.billingDay: expected an integer from 1 to 28, got 31/);
    expect(() => loadCollectorConfig(undefined, { TOKENTRACE_FORECAST_BUDGET_USD: '-1' })).toThrow(/invalid forecast\.budgetUsd/);
  });
});
