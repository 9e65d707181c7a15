/**
 * How each day of `requests` is stored, from `system.parts`. A day's rows only ever lie in parts
 * of that day (the table has one partition per day). A part made by a merge (level > 0) holds
 * each span once. So a day has:
 * - a base: its largest merged part, free of duplicates, which may have a rollup;
 * - deltas: the other parts, written since the day was last compacted (today's newest spans,
 *   late spans, retried batches).
 * A day with a base and no delta is settled. Parts are immutable and named uniquely, so what is
 * said here about a part stays true exactly as long as the part is active.
 */
import { sqlString } from '@tokentrace/processors';
import { selectRows, type QueryContext } from './query-context.js';
import { dateLiteral, type RangeMs, dayOf } from './query-sql.js';

export interface DayParts {
  /** The largest merged part, if the day has one. */
  base?: string;
  /** Every other part of the day. */
  deltas: string[];
}

interface PartRow {
  name: string;
  level: number;
  rows: string;
  first_day: string;
  last_day: string;
}

const DAY_MS = 86_400_000;

/** Day → its parts, for the days of `range` that have rows. */
export async function dayParts(ctx: QueryContext, range: RangeMs): Promise<Map<string, DayParts>> {
  const first = dayOf(range.fromMs);
  const last = dayOf(range.toMs - 1);
  const parts = await selectRows<PartRow>(
    ctx,
    `SELECT name, level, rows, toString(min_date) AS first_day, toString(max_date) AS last_day FROM system.parts
     WHERE database = ${ctx.tables.databaseLiteral} AND table = 'requests' AND active
       AND max_date >= ${dateLiteral(first)} AND min_date <= ${dateLiteral(last)}`,
  );
  const byDay = new Map<string, PartRow[]>();
  for (const part of parts) {
    const from = Math.max(Date.parse(part.first_day), Date.parse(first));
    const to = Math.min(Date.parse(part.last_day), Date.parse(last));
    for (let t = from; t <= to; t += DAY_MS) {
      const day = dayOf(t);
      const list = byDay.get(day);
      if (list) list.push(part);
      else byDay.set(day, [part]);
    }
  }
  const days = new Map<string, DayParts>();
  for (const [day, list] of byDay) {
    let base: PartRow | undefined;
    for (const part of list) if (Number(part.level) > 0 && (!base || Number(part.rows) > Number(base.rows))) base = part;
    days.set(day, { base: base?.name, deltas: list.filter((p) => p !== base).map((p) => p.name) });
  }
  return days;
}

export function isSettled(parts: DayParts): boolean {
  return parts.base !== undefined && parts.deltas.length === 0;
}

/**
 * The days (of those given) where a delta part holds a span that is also in the base part: there
 * the base alone is no longer the truth, and the day must be read with FINAL. The span keys of
 * the deltas are few; the base's keys are read from one column.
 */
export async function overlappingDays(ctx: QueryContext, days: ReadonlyMap<string, DayParts>): Promise<Set<string>> {
  const candidates = [...days.values()].filter((d) => d.base !== undefined && d.deltas.length > 0);
  if (candidates.length === 0) return new Set();
  const list = (names: string[]) => names.map(sqlString).join(', ');
  const rows = await selectRows<{ day: string }>(
    ctx,
    `SELECT DISTINCT toString(date) AS day FROM ${ctx.tables.requests}
     WHERE _part IN (${list(candidates.map((d) => d.base!))})
       AND (date, span_key) IN (SELECT date, span_key FROM ${ctx.tables.requests} WHERE _part IN (${list(candidates.flatMap((d) => d.deltas))}))`,
  );
  return new Set(rows.map((r) => r.day));
}

/** True when every one of `parts` is still active (none merged away since they were read). */
export async function partsStillActive(ctx: QueryContext, parts: readonly string[]): Promise<boolean> {
  if (parts.length === 0) return true;
  const names = [...new Set(parts)];
  const [row] = await selectRows<{ n: string }>(
    ctx,
    `SELECT count() AS n FROM system.parts WHERE database = ${ctx.tables.databaseLiteral} AND table = 'requests' AND active
       AND name IN (${names.map(sqlString).join(', ')})`,
  );
  return Number(row?.n ?? 0) === names.length;
}
