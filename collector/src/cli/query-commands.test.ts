/**
 * The `tokentrace` query commands on their output (issue 4: "CLI tests on its output"), against
 * the real query API over a real ClickHouse with the known dataset: in-process with a captured
 * stdout (to switch the terminal on and off), and as the real binary in a pipe.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_EXPECTED, KNOWN_IDS, PROJECT_A, PROJECT_B } from '../queries/testing/known-dataset.js';
import { startQueryStore } from '../queries/testing/query-store.js';
import { startQueryApiServer, type QueryApiServer } from '../api/testing/query-api-server.js';
import type { CliIo } from './cli-io.js';
import { runCostCommand } from './cost-command.js';
import { runRequestsCommand } from './requests-command.js';
import { runTopCommand } from './top-command.js';
import { runTreeCommand } from './tree-command.js';

const execFileAsync = promisify(execFile);
const binary = fileURLToPath(new URL('../../dist/cli/tokentrace.js', import.meta.url));
const ESC = '\x1b';

let store: Awaited<ReturnType<typeof startQueryStore>>;
let api: QueryApiServer;

beforeAll(async () => {
  store = await startQueryStore();
  api = await startQueryApiServer(store.service, { 'key-a': PROJECT_A, 'key-b': PROJECT_B });
}, 120_000);
afterAll(async () => {
  await api?.close();
  await store?.stop();
}, 60_000);

/** Runs a command in-process; `tty` pretends stdout is a terminal. */
async function run(command: (args: string[], io: CliIo) => Promise<number>, args: string[], options: { tty?: boolean; env?: Record<string, string> } = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t), isTTY: options.tty ?? false },
    stderr: { write: (t: string) => (stderr += t) },
    env: { TOKENTRACE_URL: api.url, TOKENTRACE_API_KEY: 'key-a', ...options.env },
  };
  const code = await command(args, io);
  return { code, stdout, stderr };
}

/** The real binary, stdout and stderr being pipes. */
async function spawnCli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [binary, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('tokentrace tree', () => {
  it('draws the trace with indentation, models, figures, subtree totals and the error, plain in a pipe', async () => {
    const { code, stdout, stderr } = await spawnCli(['tree', KNOWN_IDS.t1, '--url', api.url, '--api-key', 'key-a']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).not.toContain(ESC);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^trace ${KNOWN_IDS.t1} · started \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC$`));
    expect(lines[1]).toMatch(/^SPAN +DURATION +IN +OUT +COST +STATUS$/);
    const row = (start: string) => {
      const found = lines.find((l) => l.startsWith(start));
      expect(found, `a line starting with ${JSON.stringify(start)} in\n${stdout}`).toBeDefined();
      return found!.slice(start.length).trim().split(/ {2,}/);
    };
    expect(row('invoke_workflow research')).toEqual(['10.00 s', '3,500', '800', 'Σ $0.0181']);
    expect(row('└─ invoke_agent planner')).toEqual(['9.50 s', '3,500', '800', 'Σ $0.0181']);
    expect(row('   ├─ chat gpt-4o-2024-08-06')).toEqual(['1.50 s', '1,000', '200', '$0.0045']);
    expect(row('   ├─ execute_tool web_search')).toEqual(['3.00 s']);
    expect(row('   ├─ chat claude-sonnet-4')).toEqual(['4.00 s', '2,000', '500', '$0.0135']);
    expect(row('   ├─ ✗ chat gpt-4o-mini ')).toEqual(['200 ms', '-', '-', '-', '✗ error rate_limit']);
    expect(row('   └─ chat gpt-4o-mini-2024-07-18')).toEqual(['1.00 s', '500', '100', '$0.0001']);
    expect(lines.at(-3)).toMatch(/^─+( +─+){5}$/);
    expect(row('total')).toEqual(['10.00 s', '3,500', '800', '$0.0181', '✗ 1 error']);
    expect(lines.at(-1)).toBe('7 spans · 4 model calls · 1 error');
    // Columns line up: every cost ends in the same column as the COST header.
    const costEnd = lines[1].indexOf('COST') + 'COST'.length;
    for (const line of lines.filter((l) => /\$\d/.test(l))) expect(line.slice(0, costEnd)).toMatch(/\$\d\.\d{4}$/);
  }, 30_000);

  it('colours errors red on a terminal only, and never with NO_COLOR or --no-color', async () => {
    const tty = await run(runTreeCommand, [KNOWN_IDS.t1], { tty: true });
    expect(tty.code).toBe(0);
    const errorLine = tty.stdout.split('\n').find((l) => l.includes('✗ chat gpt-4o-mini'))!;
    expect(errorLine).toContain(`${ESC}[31m`);
    expect(tty.stdout.split('\n').find((l) => l.includes('chat claude-sonnet-4'))).not.toContain(`${ESC}[31m`);
    expect((await run(runTreeCommand, [KNOWN_IDS.t1], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain(ESC);
    expect((await run(runTreeCommand, [KNOWN_IDS.t1, '--no-color'], { tty: true })).stdout).not.toContain(ESC);
  });

  it('draws a session as one tree of spans and paths; --json prints the API tree', async () => {
    const { stdout } = await run(runTreeCommand, ['--session', KNOWN_IDS.researchSession]);
    expect(stdout.split('\n')[0]).toMatch(new RegExp(`^session ${KNOWN_IDS.researchSession} · 2 traces · started`));
    for (const path of KNOWN_EXPECTED.researchSession.paths) expect(stdout).toContain(path.split('/').pop());
    // One tree (issue 11, item 6): the path nodes sit under the spans their spans hang from.
    const lines = stdout.split('\n');
    const rule = lines.findIndex((l) => l.startsWith('─'));
    const width = lines[rule].indexOf(' ');
    expect(lines.slice(2, rule).map((l) => l.slice(0, width).trimEnd())).toEqual([
      '✗ /research',
      '├─ invoke_workflow research',
      '│  └─ invoke_agent planner',
      '│     ├─ chat gpt-4o-2024-08-06',
      '│     ├─ /search-1',
      '│     │  ├─ execute_tool web_search',
      '│     │  └─ chat claude-sonnet-4',
      '│     └─ ✗ /search-2',
      '│        ├─ ✗ chat gpt-4o-mini',
      '│        └─ chat gpt-4o-mini-2024-07-18',
      '└─ /summarize',
      '   └─ invoke_workflow summarize',
      '      ├─ chat gpt-4o-2024-08-06',
      '      └─ chat my-local-llama',
    ]);
    expect(lines.find((l) => l.startsWith('│     ├─ /search-1'))).toMatch(/2,000 +500 +Σ \$0\.0135/);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(`${KNOWN_EXPECTED.researchSession.spans} spans · ${KNOWN_EXPECTED.researchSession.modelCalls} model calls · 1 error`);
    const json = await run(runTreeCommand, ['--session', KNOWN_IDS.researchSession, '--json']);
    const tree = JSON.parse(json.stdout);
    expect(tree.totals.costUsd).toBeCloseTo(KNOWN_EXPECTED.researchSession.costUsd, 9);
    expect(tree).toEqual(await (await fetch(`${api.url}/api/v1/sessions/${KNOWN_IDS.researchSession}`, { headers: { 'x-api-key': 'key-a' } })).json());
  });

  it('fails readably: unknown trace, missing key, bad usage', async () => {
    const missing = await run(runTreeCommand, ['0'.repeat(32)]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^tokentrace tree: no trace 0{32} in this project\n$/);
    const unauthenticated = await run(runTreeCommand, [KNOWN_IDS.t1], { env: { TOKENTRACE_API_KEY: '' } });
    expect(unauthenticated.code).toBe(1);
    expect(unauthenticated.stderr).toContain('missing or unknown API key');
    expect(unauthenticated.stderr).toContain('--api-key');
    const usage = await run(runTreeCommand, []);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('usage: tokentrace tree <trace-id>');
    const unreachable = await run(runTreeCommand, [KNOWN_IDS.t1, '--url', 'http://127.0.0.1:9']);
    expect(unreachable.stderr).toContain('cannot reach the collector at http://127.0.0.1:9');
  });
});

describe('tokentrace requests, cost, top', () => {
  it('requests: a filtered table, newest first, with the next-page hint; --json parses', async () => {
    const { code, stdout } = await run(runRequestsCommand, ['--filter', 'user = "bob"', '--limit', '2']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME \(UTC\) +TRACE +MODEL +USER +DURATION +IN +OUT +COST +STATUS$/);
    expect(lines.slice(1, 3).map((l) => l.split(/ {2,}/).slice(2))).toEqual([
      ['gpt-4o-mini-2024-07-18', 'bob', '800 ms', '100', '50', '<$0.0001', 'ok'],
      ['gpt-4o-mini-2024-07-18', 'bob', '1.00 s', '100', '50', '<$0.0001', 'ok'],
    ]);
    expect(lines[3]).toMatch(/^more: add --cursor \S+$/);
    // A call that retried its request says which retry; the filter field `retries` finds it.
    const retried = (await run(runRequestsCommand, ['--filter', 'retries > 0'])).stdout.trimEnd().split('\n');
    expect(retried.slice(1).map((l) => l.split(/ {2,}/).slice(2))).toEqual([['gpt-4o-mini-2024-07-18', 'alice', '1.00 s', '500', '100', '$0.0001', 'ok (retry 1)']]);
    const json = JSON.parse((await run(runRequestsCommand, ['--filter', 'user = "bob"', '--json'])).stdout);
    expect(json.items).toHaveLength(3);
    expect(json.nextCursor).toBeNull();
  });

  it('shows a filter error with a caret under the position the API reports, exit code 1', async () => {
    const filter = 'user = "bob" and cost >';
    const api400 = await (await fetch(`${api.url}/api/v1/requests?filter=${encodeURIComponent(filter)}`, { headers: { 'x-api-key': 'key-a' } })).json();
    const { code, stdout, stderr } = await spawnCli(['requests', '--filter', filter], { TOKENTRACE_URL: api.url, TOKENTRACE_API_KEY: 'key-a' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`tokentrace requests: invalid filter: ${api400.error.message}`);
    expect(lines[1]).toBe(`  ${filter}`);
    expect(lines[2]).toBe(`  ${' '.repeat(api400.error.position)}^`);
    expect(api400.error.position).toBeGreaterThanOrEqual('user = "bob" and cost'.length);
  }, 30_000);

  it('cost --by model: one row per model, totals, figures matching the API', async () => {
    const { code, stdout } = await run(runCostCommand, ['--by', 'model', '--since', '24h']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^MODEL +REQUESTS +ERRORS +IN +OUT +COST +HIT RATE +SAVED +P50 +P95$/);
    const cells = (line: string) => line.split(/ {2,}/);
    const gemini = cells(lines.find((l) => l.startsWith('gemini-2.0-flash'))!);
    expect(gemini.slice(1, 6)).toEqual(['100', '0', '1,000', '1,000', '$0.0505']);
    const total = cells(lines.find((l) => l.startsWith('total'))!);
    expect(total.slice(1, 4)).toEqual([String(KNOWN_EXPECTED.a24h.requests), '1', KNOWN_EXPECTED.a24h.inputTokens.toLocaleString('en-US')]);
    expect(total[5]).toBe(`$${KNOWN_EXPECTED.a24h.costUsd.toFixed(4)}`);
    const json = JSON.parse((await run(runCostCommand, ['--by', 'property:feature', '--since', '24h', '--json'])).stdout);
    expect(json.rows.map((r: { group: string }) => r.group).sort()).toEqual(['batch', 'chat', 'research']);
  });

  it('top users: ranked by cost; an unknown subject is a usage error', async () => {
    const { stdout } = await run(runTopCommand, ['users', '--since', '24h']);
    const rows = stdout.trimEnd().split('\n').slice(1).map((l) => l.trim().split(/ {2,}/));
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      ['1', 'erin', '$0.0505'],
      ['2', 'alice', '$0.0316'],
      ['3', 'bob', '$0.0001'],
    ]);
    expect(rows[1][4]).toBe('1 (16.7%)'); // alice: 1 failed call of 6
    const bad = await run(runTopCommand, ['models']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('only "users" is supported');
  });
});
