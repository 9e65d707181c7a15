// Prints the cost report of the cost-by-tier example from the collector it exported to:
//
//   TOKENTRACE_URL=http://127.0.0.1:4318 [TOKENTRACE_API_KEY=…] node report.js [--since 24h]
//
// The app stays a plain instrumented app; the questions ("top 5 users by cost", cost by
// environment, feature and tier) are asked of the stored spans afterwards.
import { parseArgs } from 'node:util';
import { fetchCostReport, formatCostReport } from './cost-report.js';

const { values } = parseArgs({ options: { since: { type: 'string', default: '24h' }, app: { type: 'string', default: 'writing-assistant' } } });
const url = process.env.TOKENTRACE_URL ?? 'http://127.0.0.1:4318';

try {
  const report = await fetchCostReport({ url, apiKey: process.env.TOKENTRACE_API_KEY, since: values.since, app: values.app });
  console.log(formatCostReport(report));
} catch (err) {
  console.error(`[report] ${err.message}${err.cause ? ` (${err.cause.message ?? err.cause})` : ''}`);
  process.exitCode = 1;
}
