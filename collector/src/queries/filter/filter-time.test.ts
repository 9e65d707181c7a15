import { describe, expect, it } from 'vitest';
import { parseFilterTime } from './filter-time.js';

describe('parseFilterTime', () => {
  it('reads ISO-8601 dates and times, UTC when no offset is given', () => {
    expect(parseFilterTime('2026-11-23')).toBe(Date.UTC(2026, 10, 23));
    expect(parseFilterTime('2026-11-23T10:05')).toBe(Date.UTC(2026, 10, 23, 10, 5));
    expect(parseFilterTime('2026-11-23 10:05:07')).toBe(Date.UTC(2026, 10, 23, 10, 5, 7));
    expect(parseFilterTime('2026-11-23T10:05:07.25Z')).toBe(Date.UTC(2026, 10, 23, 10, 5, 7, 250));
    expect(parseFilterTime('2026-11-23T10:05:07.123456789Z')).toBe(Date.UTC(2026, 10, 23, 10, 5, 7, 123));
    expect(parseFilterTime('2026-11-23T12:05:07+02:00')).toBe(Date.UTC(2026, 10, 23, 10, 5, 7));
    expect(parseFilterTime('2026-11-23T08:35:07-0130')).toBe(Date.UTC(2026, 10, 23, 10, 5, 7));
    expect(parseFilterTime('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseFilterTime('0050-01-01')).toBe(new Date('0050-01-01T00:00:00Z').getTime());
  });

  it('refuses what is not a valid date or time', () => {
    for (const bad of ['', 'yesterday', '2026-11-23Z', '2026-13-01', '2026-02-29', '2100-02-29', '2026-04-31', '2026-11-23T24:00', '2026-11-23T10:60',
      '2026-11-23T10:00:61', '2026-11-23T10:00+24:00', '2026-11-23T10', '1700000000', '2026-11-23T10:00:00Z; DROP']) {
      expect(parseFilterTime(bad), bad).toBeUndefined();
    }
  });
});
