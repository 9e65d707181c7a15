/**
 * A real Redis for tests: Debian's `redis-server` (scripts/ensure-redis.sh) started as a child
 * process on loopback, on its own free port and temporary directory, without persistence
 * (`--save '' --appendonly no`). `start` resolves once the server logged it is ready and answered
 * a PING; `kill` ends it at once (a Redis that dies mid-run), `stop` ends it and removes its
 * directory. One per test file, or per test when a test kills it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Ends the server at once (SIGKILL), as a crash would; resolves when it has exited. */
  kill(): Promise<void>;
  /** Ends the server and removes its directory. */
  stop(): Promise<void>;
}

const READY = 'Ready to accept connections';

/** Where redis-server is, or an error saying how to install it. */
export function redisServerPath(): string {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin']) {
    const path = join(dir, 'redis-server');
    if (dir && existsSync(path)) return path;
  }
  throw new Error('redis-server is not installed: run scripts/ensure-redis.sh as root, or sudo apt-get install redis-server');
}

export async function startRedisServer(): Promise<RedisServer> {
  const binary = redisServerPath();
  const dir = await mkdtemp(join(tmpdir(), 'tokentrace-redis-'));
  let lastError: unknown;
  // A free port found by binding port 0 can be taken before Redis binds it: try a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await untilReady(child);
      await ping(port);
      return handle(child, port, dir);
    } catch (err) {
      lastError = err;
      await ended(child, 'SIGKILL');
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

function handle(child: ChildProcess, port: number, dir: string): RedisServer {
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => ended(child, 'SIGKILL'),
    async stop() {
      await ended(child, 'SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function untilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes(READY)) {
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining: a full pipe would block the server
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${log.slice(-2000)}`)));
  });
}

/** One RESP PING; resolves on +PONG. */
export function ping(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      if (data.toString().startsWith('+PONG')) resolve();
      else reject(new Error(`unexpected answer to PING: ${data.toString()}`));
    });
    socket.once('error', reject);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function ended(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
