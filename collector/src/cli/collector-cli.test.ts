/** `tokentrace-collector` as a process: defaults, the embedded engine, health, graceful stop, config errors. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../../dist/cli/collector-main.js', import.meta.url));

function start(env: Record<string, string>) {
  return spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('tokentrace-collector', () => {
  it('stores in the embedded engine, serves health, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-cli-'));
    const child = start({
      TOKENTRACE_COLLECTOR_HTTP_PORT: '0',
      TOKENTRACE_COLLECTOR_GRPC_PORT: '0',
      TOKENTRACE_CLICKHOUSE_DATA_DIR: join(dir, 'clickhouse'),
      TOKENTRACE_SPOOL_DIR: join(dir, 'spool'),
    });
    const lines: string[] = [];
    let httpUrl: string | undefined;
    for await (const line of createInterface({ input: child.stdout! })) {
      lines.push(line);
      httpUrl = /OTLP\/HTTP on (http:\/\/\S+?),/.exec(line)?.[1];
      if (httpUrl) break;
    }
    expect(lines.join('\n')).toContain(`storing in embedded ClickHouse in ${join(dir, 'clickhouse')}`);
    const health = await fetch(`${httpUrl}/health`);
    expect(health.status).toBe(200);
    expect((await health.json()).counters).toMatchObject({ spans_received: 0, spans_stored: 0 });
    expect((await fetch(`${httpUrl}/ready`)).status).toBe(200);
    expect(await (await fetch(`${httpUrl}/metrics`)).text()).toContain('tokentrace_collector_spans_stored_total 0');

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(existsSync(join(dir, 'clickhouse', 'metadata'))).toBe(true); // the engine's data stays
  }, 60_000);

  it('refuses a bad configuration with an error naming the key', async () => {
    const child = start({ TOKENTRACE_COLLECTOR_HTTP_PORT: 'eighty' });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain('TOKENTRACE_COLLECTOR_HTTP_PORT');
  });
});
