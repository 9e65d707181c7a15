/**
 * Billing periods (issue 13 §3: "the current calendar month (billing start day configurable)"):
 * a period starts at 00:00 UTC on day `billingDay` (1–28, so that every month has it) of a month
 * and ends where the next one starts. Day 1 gives calendar months.
 */
import { DAY_MS } from './daily-model.js';

export interface BillingPeriod {
  /** Epoch days (UTC days since 1970-01-01): the first day, and the day after the last. */
  startDay: number;
  endDay: number;
}

export const MIN_BILLING_DAY = 1;
export const MAX_BILLING_DAY = 28;

/** The period holding `nowMs`. */
export function billingPeriodAt(nowMs: number, billingDay: number): BillingPeriod {
  const now = new Date(nowMs);
  let year = now.getUTCFullYear();
  let month = now.getUTCMonth();
  if (now.getUTCDate() < billingDay) month -= 1;
  if (month < 0) {
    month += 12;
    year -= 1;
  }
  return { startDay: epochDay(year, month, billingDay), endDay: epochDay(year, month + 1, billingDay) };
}

/** The period after `period`. */
export function nextBillingPeriod(period: BillingPeriod, billingDay: number): BillingPeriod {
  return billingPeriodAt(period.endDay * DAY_MS, billingDay);
}

function epochDay(year: number, month: number, day: number): number {
  return Date.UTC(year, month, day) / DAY_MS;
}

/** `2026-12-01` of an epoch day. */
export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
