/**
 * The README's Quick start demo (`npm run demo`), run as CI runs it (`--once`): the collector with
 * its own ClickHouse, every example under `node --import`, the CLI's trees and tables, and the
 * demo's own check of what was stored. So the first command a newcomer types never rots.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run demo -- --once', () => {
  it('stores every example as priced trees and prints them', async () => {
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
  }, 300_000);
});
