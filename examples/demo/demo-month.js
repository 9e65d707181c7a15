// The demo's generated month (issue 13): 35 days of LLM traffic with planted events
// (@tokentrace/test's TrafficGenerator, seed 1) ending now, posted to the demo's collector as
// OTLP/JSON so the collector prices and stores it like any app's spans. It goes to the default
// project: the examples' checks read the last hour by service, which the generated services
// (chat-api, search-api, …) do not share. Spans after `now` (the rest of the current hour) are
// not sent: the month ends at the moment it was loaded.
import { DAY_MS, HOUR_MS, TrafficGenerator, loadTraffic } from '@tokentrace/test';

/** Days of traffic, and model calls per hour on average (≈ 45 k spans: seconds to load). */
export const DEMO_MONTH = { seed: 1, days: 35, requestsPerHour: 60 };

/** Loads the month ending at `nowMs` into the collector at `url`; returns the generator (its `events`) and the load figures. */
export async function loadDemoMonth(url, nowMs) {
  // Whole hours (the generator's unit), so the last one holds `nowMs`.
  const startMs = Math.floor(nowMs / HOUR_MS) * HOUR_MS + HOUR_MS - DEMO_MONTH.days * DAY_MS;
  const traffic = new TrafficGenerator({ ...DEMO_MONTH, startMs, agentSpans: false });
  const nowNs = BigInt(nowMs) * 1_000_000n;
  // The loader reads `done`, `records(n)` and `requests`; this view drops the spans of the future.
  const untilNow = {
    get done() { return traffic.done; },
    get requests() { return traffic.requests; },
    records: (n) => traffic.records(n).filter((s) => s.startTimeUnixNano <= nowNs),
  };
  const loaded = await loadTraffic({ url }, untilNow, { batchSpans: 5_000 });
  return { traffic, loaded };
}

/** `2026-11-10T14:00:00.000Z` → `2026-11-10T14:00:00Z`, as the CLI takes it. */
export const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
