// `tokentrace explain` on its output, against GET /api/v1/explain over real HTTP on the embedded
// engine, with generated traffic holding a planted prompt change.
import { loadTraffic, TrafficGenerator } from '@tokentrace/test';
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExplainRouter } from '../api/explain-routes.js';
import { createExplainer, type ExplainResult } from '../insights/explain/index.js';
import { startQueryStore, type QueryStore } from '../queries/testing/query-store.js';
import { createApiKeyAuthenticator } from '../receivers/api-key-auth.js';
import type { CliIo } from './cli-io.js';
import { runExplainCommand } from './explain-command.js';

let store: QueryStore;
let server: Server;
let url: string;
const traffic = new TrafficGenerator({ project: 'acme', days: 11, requestsPerHour: 100, agentSpans: false });
const event = traffic.events[0];

beforeAll(async () => {
  store = await startQueryStore({ load: false });
  await loadTraffic({ client: store.client, database: store.database }, traffic);
  const app = express();
  app.use('/api/v1', createExplainRouter({ explainer: createExplainer(store.client, store.database), authenticate: createApiKeyAuthenticator(new Map([['key-a', 'acme']])) }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await store?.stop();
});

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t), isTTY: false }, stderr: { write: (t: string) => (stderr += t) }, env: { TOKENTRACE_URL: url, TOKENTRACE_API_KEY: 'key-a' } };
  return { code: await runExplainCommand(args, io), stdout, stderr };
}

const window = () => ['--from', new Date(event.period.fromMs).toISOString(), '--to', new Date(event.period.toMs).toISOString(), '--baseline', 'previous-week'];

describe('tokentrace explain', () => {
  it('prints the totals, the planted change first with the command listing its requests, and the drivers', async () => {
    expect(event.kind).toBe('prompt-input-doubling');
    const { code, stdout, stderr } = await run(window());
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^cost \$[\d.,]+ → \$[\d.,]+: \+\$[\d.,]+ \(\+[\d.]+%\); requests [\d,.k]+ → [\d,.k]+$/);
    const why = lines.indexOf('why');
    expect(lines[why + 1]).toMatch(/^ {2}1\. cost per request for prompt triage-classifier-v1 rose \d+ % at Tue 11-10 14:00 UTC: input tokens per request/);
    expect(lines[why + 2]).toBe(`     tokentrace requests --filter 'prompt_id = "triage-classifier-v1"' --from ${new Date(event.period.fromMs).toISOString()} --to ${new Date(event.period.toMs).toISOString()}`);
    expect(stdout).toMatch(/\nDIMENSION +VOLUME +MIX +IN TOK +CACHED +OUT TOK +REASON +PRICE\n/);
    expect(stdout).toMatch(/\nprompt_id +[+−]\$/);
    expect(stdout).not.toContain('\x1b[');
  });

  it('--json prints the API answer', async () => {
    const { code, stdout } = await run([...window(), '--json', '--by', 'prompt_id']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as ExplainResult;
    expect(result.dimensions.map((d) => d.dimension)).toEqual(['prompt_id']);
    expect(result.findings[0]).toMatchObject({ dimension: 'prompt_id', group: 'triage-classifier-v1' });
  });

  it('names the bad option the API refused', async () => {
    const { code, stderr } = await run(['--since', '7d', '--baseline', 'last-year']);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/baseline/);
  });
});
