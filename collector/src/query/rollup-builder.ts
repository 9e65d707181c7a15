/**
 * Builds the rollups of one settled day (migrations.ts v2, `request_rollups`): the figures of
 * every (project, hour, dimension, value) read from the day's one part, then the whole-day rows
 * merged from the hours, then a row in `request_rollup_builds` saying the build is complete and
 * which part it read. Reads use a build only while that part is still the day's only part
 * (request-source.ts), so a build can never be stale, only unused.
 *
 * Two processes building the same day make two builds; readers take one (the newest complete),
 * so figures never double. A build whose part was merged away while it read is not recorded
 * (its rows are then never read).
 */
import { sqlString } from '@tokentrace/processors';
import { selectRows, type QueryContext } from './query-context.js';
import { DIMENSIONS, HISTOGRAM_STATES } from './analytics-sql.js';
import { dateLiteral, exactUsdSum } from './query-sql.js';
import { partsStillActive } from './request-days.js';

const DIMENSION_TUPLES = Object.entries(DIMENSIONS).map(([name, sql]) => `('${name}', ${sql})`).join(', ');
let lastBuildId = 0n;

/** Builds `day` from `part`; true when the build was recorded. */
export async function buildRollup(ctx: QueryContext, day: string, part: string): Promise<boolean> {
  const { requests, rollups, rollupBuilds } = ctx.tables;
  const buildId = nextBuildId();
  const date = dateLiteral(day);
  await ctx.client.command({
    query: `INSERT INTO ${rollups}
      SELECT project_id, date, ${buildId} AS build_id, dv.1 AS dimension, dv.2 AS value, 1 AS hourly, toHour(start_time) AS hour,
        count(), countIf(status_code = 'error'), ${exactUsdSum('ifNull(cost_total_usd, 0)')}, sum(ifNull(input_tokens, 0)), sum(ifNull(output_tokens, 0)),
        sum(ifNull(cache_read_tokens, 0)), sum(ifNull(cache_creation_tokens, 0)), sum(ifNull(reasoning_tokens, 0)),
        ${HISTOGRAM_STATES}
      FROM ${requests} ARRAY JOIN [${DIMENSION_TUPLES}] AS dv
      WHERE date = ${date} AND _part = ${sqlString(part)}
      GROUP BY project_id, date, dimension, value, hour`,
  });
  await ctx.client.command({
    query: `INSERT INTO ${rollups}
      SELECT project_id, date, build_id, dimension, value, 0, 24, sum(requests), sum(errors), ${exactUsdSum('cost_usd')}, sum(input_tokens), sum(output_tokens),
        sum(cache_read_tokens), sum(cache_creation_tokens), sum(reasoning_tokens),
        (sumMap(latency_buckets, latency_counts) AS l).1, l.2, (sumMap(ttft_buckets, ttft_counts) AS t).1, t.2
      FROM ${rollups}
      WHERE date = ${date} AND build_id = ${buildId} AND hourly = 1
      GROUP BY project_id, date, build_id, dimension, value`,
  });
  // The first and last start in the part: a range that covers both can take the whole-day rows.
  const [span] = await selectRows<{ lo: string; hi: string }>(
    ctx,
    `SELECT toString(min(start_time_ns)) AS lo, toString(max(start_time_ns)) AS hi FROM ${requests} WHERE date = ${date} AND _part = ${sqlString(part)}`,
  );
  if (!(await partsStillActive(ctx, [part]))) return false;
  const [counted] = await selectRows<{ n: string }>(ctx, `SELECT count() AS n FROM ${rollups} WHERE date = ${date} AND build_id = ${buildId}`);
  await ctx.client.insert({
    table: rollupBuilds,
    values: [{ date: day, source_part: part, build_id: buildId.toString(), min_start_ns: span?.lo ?? '0', max_start_ns: span?.hi ?? '0', rollup_rows: counted?.n ?? '0', built_at: Math.floor(Date.now() / 1000) }],
    format: 'JSONEachRow',
  });
  return true;
}

/** Milliseconds since the epoch followed by 6 random digits: unique across processes in practice. */
function nextBuildId(): bigint {
  const id = BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
  lastBuildId = id > lastBuildId ? id : lastBuildId + 1n;
  return lastBuildId;
}
