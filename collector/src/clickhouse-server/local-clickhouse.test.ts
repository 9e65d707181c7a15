import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findClickHouseServer } from './find-binary.js';
import { LocalClickHouse } from './local-clickhouse.js';
import { LocalClickHouseError } from './local-clickhouse-error.js';

async function sql(url: string, query: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', body: query });
  const text = await res.text();
  if (!res.ok) throw new Error(text);
  return text;
}

async function pingable(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/ping`)).ok;
  } catch {
    return false;
  }
}

describe('LocalClickHouse', () => {
  let root: string;
  let server: LocalClickHouse;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tokentrace-local-ch-'));
    server = await LocalClickHouse.start({ dir: join(root, 'main') });
  });

  afterAll(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('runs on loopback with its own config, data and log files', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.tcpPort).not.toBe(server.httpPort);
    expect(await sql(server.url, 'SELECT 1 + 1')).toBe('2\n');
    const config = await readFile(server.layout.configFile, 'utf8');
    expect(config).toContain(`<http_port>${server.httpPort}</http_port>`);
    expect(config).toContain('<listen_host>127.0.0.1</listen_host>');
    expect(existsSync(join(server.layout.dataDir, 'status'))).toBe(true);
    expect(existsSync(server.layout.logDir)).toBe(true);
    expect(await readFile(server.layout.managerPidFile, 'utf8')).toBe(`${process.pid}\n`);
  });

  it('stops and restarts on the same data and the same URL', async () => {
    await sql(server.url, 'CREATE TABLE IF NOT EXISTS default.kept (n UInt32) ENGINE = MergeTree ORDER BY n');
    await sql(server.url, 'INSERT INTO default.kept VALUES (7)');
    const url = server.url;
    await server.stop();
    expect(server.running).toBe(false);
    expect(await pingable(url)).toBe(false);
    await server.start();
    expect(server.url).toBe(url);
    expect(await sql(url, 'SELECT n FROM default.kept')).toBe('7\n');
  });

  it('refuses a second server on the same folder while the first is managed', async () => {
    const second = LocalClickHouse.start({ dir: server.layout.dir });
    await expect(second).rejects.toMatchObject({ code: 'CLICKHOUSE_DIR_IN_USE' });
    expect(await pingable(server.url)).toBe(true);
  });

  it('says clearly when no binary exists', async () => {
    const err = await LocalClickHouse.start({ dir: join(root, 'none'), binary: join(root, 'no-such-clickhouse') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalClickHouseError);
    expect(err).toMatchObject({ code: 'CLICKHOUSE_NOT_FOUND' });
    expect((err as Error).message).toContain('apt-get install clickhouse-server');
    expect(findClickHouseServer(undefined, '/nonexistent')).toEqual(findClickHouseServer(undefined, ''));
  });

  it('reports a fixed port that is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const err = await LocalClickHouse.start({ dir: join(root, 'busy'), httpPort: port }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'CLICKHOUSE_PORT_IN_USE' });
    } finally {
      blocker.close();
    }
  });

  it('stops the orphan of a manager that died and starts in its place', async () => {
    const dir = join(root, 'orphan');
    const first = await LocalClickHouse.start({ dir });
    const orphanPid = first.pid!;
    // A manager that no longer exists: the PID of a process that has already exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    await writeFile(first.layout.managerPidFile, `${dead}\n`);
    const second = await LocalClickHouse.start({ dir });
    try {
      expect(second.pid).not.toBe(orphanPid);
      expect(() => process.kill(orphanPid, 0)).toThrow();
      expect(await sql(second.url, 'SELECT 1')).toBe('1\n');
    } finally {
      await second.stop();
      await first.stop();
    }
  });

  it('merges given config and users files, with its own environment for from_env (issue 5: clusters)', async () => {
    const files = join(root, 'merge-files');
    await mkdir(files, { recursive: true });
    const macros = join(files, 'macros.xml');
    const profile = join(files, 'profile.xml');
    await writeFile(macros, '<clickhouse><macros><shard from_env="TT_TEST_SHARD"/></macros></clickhouse>');
    await writeFile(profile, '<clickhouse><profiles><default><max_threads>3</max_threads></default></profiles></clickhouse>');
    const dir = join(root, 'merged');
    const merged = await LocalClickHouse.start({ dir, configFiles: [macros], usersFiles: [profile], env: { TT_TEST_SHARD: '07' } });
    try {
      expect(await sql(merged.url, "SELECT substitution FROM system.macros WHERE macro = 'shard'")).toBe('07\n');
      expect(await sql(merged.url, "SELECT value FROM system.settings WHERE name = 'max_threads'")).toBe('3\n');
      // Started again without them: nothing lingers from the earlier start.
      await merged.stop();
      const plain = await LocalClickHouse.start({ dir });
      try {
        expect(await sql(plain.url, "SELECT count() FROM system.macros WHERE macro = 'shard'")).toBe('0\n');
        expect(existsSync(plain.layout.configMergeDir)).toBe(false);
      } finally {
        await plain.stop();
      }
    } finally {
      await merged.stop();
    }
  });
});
