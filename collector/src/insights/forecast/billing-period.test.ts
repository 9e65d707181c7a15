/** Billing periods: calendar months by default, any start day from 1 to 28, across year ends. */
import { describe, expect, it } from 'vitest';
import { billingPeriodAt, isoDay, nextBillingPeriod } from './billing-period.js';
import { formatForecastUsd, ordinalDay } from './forecast-summary.js';

const at = (iso: string, day: number) => {
  const p = billingPeriodAt(Date.parse(iso), day);
  return [isoDay(p.startDay), isoDay(p.endDay)];
};

describe('billing periods', () => {
  it('are calendar months with billing day 1', () => {
    expect(at('2026-12-06T19:00:00Z', 1)).toEqual(['2026-12-01', '2027-01-01']);
    expect(at('2026-12-01T00:00:00Z', 1)).toEqual(['2026-12-01', '2027-01-01']);
    expect(at('2026-11-30T23:59:59.999Z', 1)).toEqual(['2026-11-01', '2026-12-01']);
    expect(at('2028-02-10T00:00:00Z', 1)).toEqual(['2028-02-01', '2028-03-01']);
  });

  it('start on the billing day, before or after it in the month, across the year end', () => {
    expect(at('2026-12-06T12:00:00Z', 15)).toEqual(['2026-11-15', '2026-12-15']);
    expect(at('2026-12-15T00:00:00Z', 15)).toEqual(['2026-12-15', '2027-01-15']);
    expect(at('2027-01-10T00:00:00Z', 28)).toEqual(['2026-12-28', '2027-01-28']);
    const p = billingPeriodAt(Date.parse('2027-01-30T00:00:00Z'), 28);
    const next = nextBillingPeriod(p, 28);
    expect([isoDay(next.startDay), isoDay(next.endDay)]).toEqual(['2027-02-28', '2027-03-28']);
  });

  it('money and days read as in the card', () => {
    expect(formatForecastUsd(3870.4)).toBe('$3,870');
    expect(formatForecastUsd(12.345)).toBe('$12.35');
    expect(formatForecastUsd(0.01234)).toBe('$0.0123');
    expect(['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-11', '2026-12-12', '2026-12-13', '2026-12-21', '2026-12-22', '2026-12-29'].map(ordinalDay))
      .toEqual(['the 1st', 'the 2nd', 'the 3rd', 'the 4th', 'the 11th', 'the 12th', 'the 13th', 'the 21st', 'the 22nd', 'the 29th']);
  });
});
