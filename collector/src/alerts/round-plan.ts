/**
 * Which scans a round needs: the rules of a project whose windows cover the same range at the
 * evaluation time share a scan (window-scan.ts), and rules with the same filter and grouping
 * share a slot in it. 100 rules over a handful of windows and filters cost a handful of scans.
 */
import type { StoredRule } from './alert-rule.js';
import { PERCENTILE_METRICS } from './alert-metrics.js';
import { windowRange, type WindowRange } from './alert-window.js';
import type { WindowScan } from './window-scan.js';

export interface RulePlacement {
  scan: number;
  slot: number;
  range: WindowRange;
}

export interface RoundPlan {
  scans: WindowScan[];
  placement: Map<StoredRule, RulePlacement>;
}

/** `billingDay`: the day `calendar_month` windows start on (alert-window.ts). */
export function planRound(rules: readonly StoredRule[], nowMs: number, billingDay = 1): RoundPlan {
  const scans: WindowScan[] = [];
  const scanIndex = new Map<string, number>();
  const slotIndex = new Map<string, number>();
  const placement = new Map<StoredRule, RulePlacement>();
  for (const rule of rules) {
    const range = windowRange(rule.window, nowMs, billingDay);
    const scanKey = JSON.stringify([rule.projectId, range.fromMs, range.toMs]);
    let scan = scanIndex.get(scanKey);
    if (scan === undefined) {
      scan = scans.push({ projectId: rule.projectId, range, slots: [] }) - 1;
      scanIndex.set(scanKey, scan);
    }
    const slotKey = JSON.stringify([scan, rule.filter, rule.groupBy]);
    let slot = slotIndex.get(slotKey);
    if (slot === undefined) {
      slot = scans[scan].slots.push({ filter: rule.filter, groupBy: rule.groupBy, percentiles: false }) - 1;
      slotIndex.set(slotKey, slot);
    }
    if (PERCENTILE_METRICS.has(rule.metric)) scans[scan].slots[slot].percentiles = true;
    placement.set(rule, { scan, slot, range });
  }
  return { scans, placement };
}
