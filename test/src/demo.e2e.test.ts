/**
 * The README's Quick start demo (`npm run demo`), run as CI runs it (`--once`): the collector with
 * its own ClickHouse, every example under `node --import`, the CLI's trees and tables, the
 * generated month's explainer, forecast and alert (issue 13), and the demo's own check of what was
 * stored. So the first command a newcomer types never rots.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run demo -- --once', () => {
  it('stores every example as priced trees, prints them, explains and forecasts a generated month, and fires one signed alert', async () => {
    const demo = fileURLToPath(new URL('../../examples/demo/run-demo.js', import.meta.url));
    const env = { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', GEMINI_API_KEY: '', TOKENTRACE_DEMO_PORT: '0', NO_COLOR: '1' };
    const { stdout } = await run(process.execPath, [demo, '--once'], { env, maxBuffer: 16 * 1024 * 1024, timeout: 240_000 });
    expect(stdout).toContain('EMULATORS (local test doubles, not the real services');
    expect(stdout).toMatch(/^session research-[0-9a-f]{8} · 1 trace/m);
    // One tree (issue 11, item 6): trace → invoke_workflow → /plan, /research/search-n → agents.
    expect(stdout).toMatch(/^└─ invoke_workflow research-brief/m);
    expect(stdout).toMatch(/^ {3}├─ \/plan/m);
    expect(stdout).toMatch(/^ {3}│ {2}│ {2}└─ invoke_agent searcher-openai/m);
    expect(stdout).toMatch(/^total +[\d.]+ m?s +[\d,]+ +[\d,]+ +\$0\.\d{4}/m);
    expect(stdout).toMatch(/^MODEL +REQUESTS/m);
    expect(stdout).toMatch(/^Top 5 users by cost/m);
    expect(stdout).toContain("demo check passed: every example's spans arrived, priced, as trees.");
    // Issue 13 on the generated month: the planted prompt change first, the forecast with its
    // budget line, one firing alert at the loopback receiver, its signature verified.
    expect(stdout).toMatch(/^ {2}1\. cost per request for prompt triage-classifier-v1 rose \d+ % at .*: input tokens per request [\d,]+ → [\d,]+/m);
    expect(stdout).toMatch(/^Month-end forecast \$[\d,]+ \(80 %: \$[\d,]+–\$[\d,]+\); \$[\d,.]+ spent so far; at this rate the \$[\d,]+ budget runs out on the \d+(st|nd|rd|th)$/m);
    expect(stdout).toMatch(/^firing · \[warning\] Hourly spend\n {2}Cost over the last 1h is \$[\d.]+, above \$[\d.]+ \(\d+ requests\)\.$/m);
    expect(stdout).toContain('X-Tokentrace-Signature: verified (HMAC-SHA256 with the channel secret)');
    expect(stdout).toContain('demo check passed: the explainer named the planted event, the forecast showed the budget, one signed alert arrived.');
  }, 300_000);
});
