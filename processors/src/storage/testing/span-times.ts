/**
 * Span times for the storage tests. They are relative to today: the `spans` table has a TTL
 * (`retentionDays`, 400 by default), so a span stamped with a fixed date is dropped by the engine
 * a few moments after it is inserted once that date is older than the retention (fixtures dated
 * 2024 passed until mid-2025, then lost their rows to a background TTL merge).
 */

export const NS_PER_SECOND = 1_000_000_000n;
export const NS_PER_DAY = 86_400n * NS_PER_SECOND;
const MS_PER_DAY = 86_400_000;

/** UTC midnight `daysAgo` days before today, in Unix nanoseconds. */
export function utcMidnightNs(daysAgo: number): bigint {
  const today = Math.floor(Date.now() / MS_PER_DAY) * MS_PER_DAY;
  return BigInt(today - daysAgo * MS_PER_DAY) * 1_000_000n;
}

/** A Unix time in nanoseconds as ClickHouse prints a `DateTime64(9, 'UTC')`: `YYYY-MM-DD hh:mm:ss.nnnnnnnnn`. */
export function dateTime64Text(ns: bigint): string {
  const iso = new Date(Number(ns / 1_000_000n)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${(ns % NS_PER_SECOND).toString().padStart(9, '0')}`;
}

/** The UTC day (`YYYY-MM-DD`) of a Unix time in nanoseconds. */
export function utcDay(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 10);
}
