/**
 * The daily spend of complete days, kept for HISTORY_TTL_MS per (database, project, grouping,
 * filter, limit), so that a forecast asked again (the dashboard, budget alerts every minute) reads
 * only today's spend from ClickHouse. The days before today change only through late or re-sent
 * spans and re-pricing, which the engine itself merges within ten minutes
 * (collector/src/queries/README.md), the same age as this cache's entries. Today's read keeps the
 * cached read's groups (the others are `(other)`), so the series line up.
 */
import type { QueryContext } from '../../queries/query-context.js';
import { DAY_MS } from './daily-model.js';
import { readDailySpend, type DailySpend, type DailySpendQuery } from './daily-spend.js';

export const HISTORY_TTL_MS = 10 * 60_000;

interface Entry {
  /** Complete days [fromDay, today) as read at `readAtMs`. */
  history: DailySpend;
  today: number;
  readAtMs: number;
}

const entries = new WeakMap<object, Map<string, Entry>>();

/** `readDailySpend` with the complete days cached; `fresh` reads everything again. */
export async function readDailySpendCached(ctx: QueryContext, query: DailySpendQuery, fresh = false): Promise<DailySpend> {
  const today = Math.floor((query.toMs - 1) / DAY_MS);
  const key = JSON.stringify([ctx.spans, query.projectId, query.fromDay, query.groupBy ?? null, query.filter ?? null, query.limit]);
  let cache = entries.get(ctx.client);
  if (!cache) entries.set(ctx.client, (cache = new Map()));
  const entry = cache.get(key);
  const nowMs = Date.now();
  if (fresh || !entry || entry.today !== today || nowMs - entry.readAtMs > HISTORY_TTL_MS || nowMs < entry.readAtMs) {
    const all = await readDailySpend(ctx, query);
    // Expired entries go as new ones come: keys change every day (the first day read moves on).
    for (const [k, e] of cache) if (nowMs - e.readAtMs > HISTORY_TTL_MS) cache.delete(k);
    cache.set(key, { history: truncate(all, today - query.fromDay), today, readAtMs: nowMs });
    return all;
  }
  const keep = entry.history.groups.map((g) => g.group);
  if (query.groupBy && keep.length === 0) return readDailySpend(ctx, query);
  const latest = await readDailySpend(ctx, { ...query, fromDay: today, keep: query.groupBy ? keep : undefined });
  return extend(entry.history, latest);
}

function truncate(spend: DailySpend, days: number): DailySpend {
  const cut = (s: DailySpend['total']) => ({ startDay: s.startDay, costs: s.costs.slice(0, days) });
  return { total: cut(spend.total), groups: spend.groups.map((g) => ({ group: g.group, costs: cut(g.costs) })) };
}

/** History and today's read as one series per group, in the history's group order. */
function extend(history: DailySpend, latest: DailySpend): DailySpend {
  const todayOf = (group: string) => latest.groups.find((g) => g.group === group)?.costs.costs ?? [0];
  const groups = history.groups.map((g) => ({ group: g.group, costs: { startDay: g.costs.startDay, costs: [...g.costs.costs, ...todayOf(g.group)] } }));
  // A group first seen today goes into `(other)` (the read keeps only the history's groups).
  const other = latest.groups.find((g) => !history.groups.some((h) => h.group === g.group));
  if (other) groups.push({ group: other.group, costs: { startDay: history.total.startDay, costs: [...new Array<number>(history.total.costs.length).fill(0), ...other.costs.costs] } });
  return { total: { startDay: history.total.startDay, costs: [...history.total.costs, ...latest.total.costs] }, groups };
}
