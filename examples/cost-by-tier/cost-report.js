// Reads the cost-by-tier example's costs back from a tokentrace collector's query API
// (GET /api/v1/users/top and /api/v1/analytics) and formats them as a plain-text report: the top
// five users by cost, and cost by environment, feature and tier.

/** A failed API call, with the collector's error code (e.g. TOKENTRACE_INVALID_FILTER). */
export class ReportError extends Error {
  constructor(message, code, status) {
    super(message);
    this.name = 'ReportError';
    this.code = code;
    this.status = status;
  }
}

/**
 * @param {object} options
 * @param {string} options.url the collector, e.g. http://127.0.0.1:4318
 * @param {string} [options.apiKey] sent as a Bearer token when the collector has keys configured
 * @param {string} [options.since] how far back, `<n>m|h|d`; default 24h
 * @param {string} [options.app] the app property the example sets; default writing-assistant
 */
export async function fetchCostReport({ url, apiKey, since = '24h', app = 'writing-assistant' }) {
  const get = async (path, params) => {
    const target = new URL(`/api/v1/${path}`, url);
    for (const [name, value] of Object.entries(params)) target.searchParams.set(name, String(value));
    const res = await fetch(target, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
    const body = await res.json().catch(() => undefined);
    if (!res.ok) throw new ReportError(`GET ${target.pathname}${target.search} → ${res.status}: ${body?.error?.message ?? res.statusText}`, body?.error?.code, res.status);
    return body;
  };
  const filter = `property.app = ${JSON.stringify(app)}`;
  const [top, byEnvironment, byFeature, byTier] = await Promise.all([
    get('users/top', { since, limit: 5, filter }),
    get('analytics', { since, groupBy: 'environment', filter }),
    get('analytics', { since, groupBy: 'property:feature', filter }),
    get('analytics', { since, groupBy: 'property:tier', filter }),
  ]);
  // The tier of each top user: that user's calls grouped by tier.
  const tiers = await Promise.all(
    top.items.map((row) => get('analytics', { since, groupBy: 'property:tier', filter: `${filter} and user = ${JSON.stringify(row.group)}` })),
  );
  const topUsers = top.items.map((row, i) => ({ ...row, tier: tiers[i].rows.map((r) => r.group).join('/') }));
  return { url, since, app, topUsers, byEnvironment, byFeature, byTier };
}

const usd = (n) => `$${n.toFixed(n < 1 ? 4 : 2)}`;
const share = (n, total) => (total > 0 ? `${((100 * n) / total).toFixed(1)}%` : '-');

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ')}`;
  return [line(headers), ...rows.map(line)].join('\n');
}

function breakdown(title, label, result) {
  const total = result.totals.costUsd;
  const rows = result.rows.map((r) => [r.group || '(none)', String(r.requests), usd(r.costUsd), share(r.costUsd, total)]);
  return `${title}\n${table([label, 'calls', 'cost', 'share'], rows)}`;
}

export function formatCostReport(report) {
  const { totals } = report.byEnvironment;
  return [
    `Cost report for app "${report.app}", last ${report.since}, from ${report.url}`,
    `Total: ${usd(totals.costUsd)} over ${totals.requests} LLM calls (${totals.inputTokens} input and ${totals.outputTokens} output tokens)`,
    '',
    `Top ${report.topUsers.length} users by cost`,
    table(['user', 'tier', 'calls', 'cost', 'share'], report.topUsers.map((u) => [u.group, u.tier, String(u.requests), usd(u.costUsd), share(u.costUsd, totals.costUsd)])),
    '',
    breakdown('Cost by environment', 'environment', report.byEnvironment),
    '',
    breakdown('Cost by feature', 'feature', report.byFeature),
    '',
    breakdown('Cost by tier', 'tier', report.byTier),
  ].join('\n');
}
