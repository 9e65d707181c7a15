/**
 * Starts and manages a local ClickHouse server as a child process, for a collector started
 * without a ClickHouse URL (issue 3, "Running it") and for tests that need a real server.
 *
 * Everything lives under one folder (`dir`, e.g. `<project>/.data/clickhouse`): generated
 * config, data, logs. The server listens on 127.0.0.1 only, on free ports picked at the first
 * start and kept for restarts, so a client made with `url` keeps working across stop()/start().
 *
 * The child runs in its own process group (`detached`), so a Ctrl-C in the terminal reaches the
 * collector, which can still drain into ClickHouse before it calls stop(). If the collector dies
 * without stop(), the next start on the same folder finds the orphan through ClickHouse's own
 * `status` file (it holds the PID) and stops it when its command line names our config file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { findClickHouseServer, searchedLocations, type ClickHouseServerCommand } from './find-binary.js';
import { LocalClickHouseError } from './local-clickhouse-error.js';
import { renderServerConfig, renderUsersConfig, serverLayout, type ServerLayout, type ServerLogLevel } from './server-config.js';

export interface LocalClickHouseOptions {
  /** Folder for config, data and logs; created when missing. */
  dir: string;
  /** HTTP port; 0 (default) picks a free one at the first start. */
  httpPort?: number;
  /** Native-protocol port (for `clickhouse-client --port`); 0 (default) picks a free one. */
  tcpPort?: number;
  /** Path to `clickhouse-server` or to the all-in-one `clickhouse`; default: searched (find-binary.ts). */
  binary?: string;
  /** How long to wait for /ping after spawning. Default 30 s. */
  startTimeoutMs?: number;
  /** How long to wait after SIGTERM before SIGKILL. Default 15 s. */
  stopTimeoutMs?: number;
  /** Server log level. Default `warning`. */
  logLevel?: ServerLogLevel;
  /**
   * How long a stopping server waits for open connections and running queries (ClickHouse's
   * `shutdown_wait_unfinished`, default 5 s). Clients with keep-alive connections in use hold a
   * graceful stop for this long; tests that stop the server under load set it lower.
   */
  shutdownWaitSeconds?: number;
  /**
   * XML files merged into the server's configuration (copied into `<dir>/config.d/` at every
   * start, which ClickHouse merges over config.xml), e.g. a `<remote_servers>` cluster.
   */
  configFiles?: string[];
  /** XML files merged into the users configuration (`<dir>/users.d/`), e.g. profile settings. */
  usersFiles?: string[];
  /** Extra environment of the server process, read by `from_env` attributes in those files. */
  env?: Record<string, string>;
}

export const LOCAL_CLICKHOUSE_DEFAULTS = {
  httpPort: 0,
  tcpPort: 0,
  startTimeoutMs: 30_000,
  stopTimeoutMs: 15_000,
  logLevel: 'warning',
  shutdownWaitSeconds: 5,
  configFiles: [] as readonly string[],
  usersFiles: [] as readonly string[],
  env: {} as Readonly<Record<string, string>>,
} as const;

const HOST = '127.0.0.1';
const PING_INTERVAL_MS = 25;
/** Attempts with fresh random ports when a picked port was taken between picking and binding. */
const PORT_ATTEMPTS = 3;

type Resolved = Required<Omit<LocalClickHouseOptions, 'binary'>> & { binary?: string };

export class LocalClickHouse {
  private child?: ChildProcess;
  /** Resolves when the current child has exited (or failed to spawn). */
  private exited?: Promise<void>;
  private alive = false;
  private ports?: { http: number; tcp: number };
  /** Terminates the server when this process exits without stop() (it would outlive us otherwise). */
  private readonly exitHook = () => {
    this.child?.kill('SIGTERM');
  };

  private constructor(
    private readonly options: Resolved,
    private readonly command: ClickHouseServerCommand,
    readonly layout: ServerLayout,
  ) {}

  /** Finds the binary, writes the config and starts the server; resolves once /ping answers. */
  static async start(options: LocalClickHouseOptions): Promise<LocalClickHouse> {
    const resolved = resolveOptions(options);
    const command = findClickHouseServer(resolved.binary);
    if (!command) {
      const where = resolved.binary ? resolved.binary : searchedLocations().join(', ');
      throw new LocalClickHouseError(
        'CLICKHOUSE_NOT_FOUND',
        `No ClickHouse server binary found (looked at: ${where}). Install one (Debian/Ubuntu: apt-get install clickhouse-server) or configure a ClickHouse URL.`,
      );
    }
    const server = new LocalClickHouse(resolved, command, serverLayout(resolve(resolved.dir)));
    await server.start();
    return server;
  }

  /** `http://127.0.0.1:<httpPort>`; stable across restarts. */
  get url(): string {
    return `http://${HOST}:${this.httpPort}`;
  }

  get httpPort(): number {
    if (!this.ports) throw new Error('LocalClickHouse has not started yet');
    return this.ports.http;
  }

  get tcpPort(): number {
    if (!this.ports) throw new Error('LocalClickHouse has not started yet');
    return this.ports.tcp;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.alive;
  }

  /** Starts the server (again) on the same data and ports; a no-op while it runs. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.reclaimOrphan();
    const pinned = this.ports !== undefined || this.options.httpPort !== 0 || this.options.tcpPort !== 0;
    for (let attempt = 1; ; attempt++) {
      const ports = this.ports ?? (await this.pickPorts());
      try {
        await this.launch(ports);
        this.ports = ports;
        return;
      } catch (err) {
        const retry = err instanceof LocalClickHouseError && err.code === 'CLICKHOUSE_PORT_IN_USE' && !pinned && attempt < PORT_ATTEMPTS;
        if (!retry) throw err;
      }
    }
  }

  /** SIGTERM (ClickHouse shuts down cleanly), then SIGKILL after stopTimeoutMs. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && this.running) {
      child.kill('SIGTERM');
      if (!(await settlesWithin(this.exited!, this.options.stopTimeoutMs))) {
        child.kill('SIGKILL');
        await this.exited;
      }
    }
    this.forget();
  }

  /** SIGKILL without a clean shutdown: what a crash looks like (tests). */
  async kill(): Promise<void> {
    if (this.child && this.running) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    this.forget();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** The last lines of the server's error log and stderr, for error messages. */
  async logTail(lines = 20, fromOffsets?: { err: number; stderr: number }): Promise<string> {
    const read = async (file: string, from: number) => {
      try {
        const bytes = await readFile(file);
        // A rotated log is shorter than the offset: then all of it is new.
        return bytes.subarray(from <= bytes.length ? from : 0).toString('utf8');
      } catch {
        return '';
      }
    };
    const text = (await read(this.layout.errorLogFile, fromOffsets?.err ?? 0)) + (await read(this.layout.stderrFile, fromOffsets?.stderr ?? 0));
    return text.trim().split('\n').slice(-lines).join('\n');
  }

  private async launch(ports: { http: number; tcp: number }): Promise<void> {
    const { layout } = this;
    for (const dir of [layout.dataDir, layout.tmpDir, layout.userFilesDir, layout.formatSchemaDir, layout.logDir]) await mkdir(dir, { recursive: true });
    await writeFile(layout.configFile, renderServerConfig(layout, { host: HOST, httpPort: ports.http, tcpPort: ports.tcp, logLevel: this.options.logLevel, shutdownWaitSeconds: this.options.shutdownWaitSeconds }));
    await writeFile(layout.usersFile, renderUsersConfig());
    // Merge folders are rewritten too, so that files given at an earlier start do not linger.
    for (const [mergeDir, files] of [[layout.configMergeDir, this.options.configFiles], [layout.usersMergeDir, this.options.usersFiles]] as const) {
      rmSync(mergeDir, { recursive: true, force: true });
      if (files.length === 0) continue;
      await mkdir(mergeDir, { recursive: true });
      for (const file of files) await copyFile(file, join(mergeDir, basename(file)));
    }
    const offsets = { err: await sizeOf(layout.errorLogFile), stderr: await sizeOf(layout.stderrFile) };

    const out = openSync(layout.stdoutFile, 'a');
    const errOut = openSync(layout.stderrFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.command.command, [...this.command.args, `--config-file=${layout.configFile}`], {
        cwd: layout.dir,
        env: { ...process.env, ...this.options.env },
        stdio: ['ignore', out, errOut],
        detached: true,
      });
    } finally {
      closeSync(out);
      closeSync(errOut);
    }
    let spawnError: Error | undefined;
    this.child = child;
    this.alive = true;
    this.exited = new Promise<void>((done) => {
      const gone = () => {
        this.alive = this.child === child ? false : this.alive;
        done();
      };
      child.once('error', (err) => {
        spawnError = err;
        gone();
      });
      child.once('exit', gone);
    });
    process.on('exit', this.exitHook);
    await writeFile(layout.managerPidFile, `${process.pid}\n`);

    const url = `http://${HOST}:${ports.http}/ping`;
    const deadline = Date.now() + this.options.startTimeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (!exited && Date.now() < deadline) {
      if (await ping(url)) return;
      await new Promise((r) => setTimeout(r, PING_INTERVAL_MS));
    }

    // Failed: make sure the process is gone, then say why, with the server's own words.
    if (!exited) {
      child.kill('SIGKILL');
      await this.exited;
    }
    this.forget();
    const tail = await this.logTail(20, offsets);
    if (spawnError) throw new LocalClickHouseError('CLICKHOUSE_EXITED', `Could not run ${this.command.command}: ${spawnError.message}`, { cause: spawnError });
    if (/Address already in use/i.test(tail)) {
      throw new LocalClickHouseError('CLICKHOUSE_PORT_IN_USE', `ClickHouse could not listen on ${HOST}:${ports.http} or :${ports.tcp} (address in use).\n${tail}`);
    }
    if (/Another server instance|Cannot lock file/i.test(tail)) {
      throw new LocalClickHouseError('CLICKHOUSE_DIR_IN_USE', `Another ClickHouse server already uses ${layout.dataDir}.\n${tail}`);
    }
    if (exited) {
      throw new LocalClickHouseError('CLICKHOUSE_EXITED', `ClickHouse exited during start-up (exit code ${child.exitCode ?? child.signalCode}); logs in ${layout.logDir}.\n${tail}`);
    }
    throw new LocalClickHouseError('CLICKHOUSE_START_TIMEOUT', `ClickHouse did not answer ${url} within ${this.options.startTimeoutMs} ms; logs in ${layout.logDir}.\n${tail}`);
  }

  /**
   * ClickHouse writes its PID into `<path>/status` and holds a lock on it while running; we write
   * the managing process's PID into `manager.pid`. A live server whose command line names our
   * config file and whose manager is gone is an orphan (the collector was killed): stop it. A
   * server whose manager still runs belongs to someone else: CLICKHOUSE_DIR_IN_USE.
   */
  private async reclaimOrphan(): Promise<void> {
    const serverPid = await readPid(join(this.layout.dataDir, 'status'), /^PID:\s*(\d+)/m);
    if (serverPid === undefined || !isAlive(serverPid)) return;
    let cmdline = '';
    try {
      cmdline = (await readFile(`/proc/${serverPid}/cmdline`, 'utf8')).replace(/\0/g, ' ');
    } catch {
      // no /proc: ClickHouse's own lock decides below
    }
    if (!cmdline.includes(`--config-file=${this.layout.configFile}`)) return;
    const managerPid = await readPid(this.layout.managerPidFile, /^(\d+)/);
    if (managerPid !== undefined && isAlive(managerPid)) {
      throw new LocalClickHouseError(
        'CLICKHOUSE_DIR_IN_USE',
        `A ClickHouse server (pid ${serverPid}) managed by process ${managerPid}${managerPid === process.pid ? ' (this one)' : ''} already runs on ${this.layout.dir}.`,
      );
    }
    const deadline = Date.now() + this.options.stopTimeoutMs;
    for (const [signal, until] of [['SIGTERM', deadline], ['SIGKILL', deadline + 5_000]] as const) {
      try {
        process.kill(serverPid, signal);
      } catch {
        return;
      }
      while (Date.now() < until) {
        if (!isAlive(serverPid)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private async pickPorts(): Promise<{ http: number; tcp: number }> {
    const http = this.options.httpPort || (await freePort());
    let tcp = this.options.tcpPort || (await freePort());
    while (tcp === http) tcp = await freePort();
    return { http, tcp };
  }

  private forget(): void {
    process.off('exit', this.exitHook);
    rmSync(this.layout.managerPidFile, { force: true });
    this.child = undefined;
    this.alive = false;
  }
}

function resolveOptions(options: LocalClickHouseOptions): Resolved {
  const resolved = { ...LOCAL_CLICKHOUSE_DEFAULTS, ...stripUndefined(options) } as Resolved;
  if (!resolved.dir) throw new LocalClickHouseError('CLICKHOUSE_INVALID_OPTION', 'dir: expected a folder for the server’s config, data and logs');
  for (const key of ['httpPort', 'tcpPort'] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 0 || value > 65535) throw new LocalClickHouseError('CLICKHOUSE_INVALID_OPTION', `${key}: expected a port number (0 picks a free one), got ${value}`);
  }
  if (!Number.isInteger(resolved.shutdownWaitSeconds) || resolved.shutdownWaitSeconds < 0) {
    throw new LocalClickHouseError('CLICKHOUSE_INVALID_OPTION', `shutdownWaitSeconds: expected a whole number of seconds ≥ 0, got ${resolved.shutdownWaitSeconds}`);
  }
  for (const key of ['startTimeoutMs', 'stopTimeoutMs'] as const) {
    if (!(resolved[key] > 0)) throw new LocalClickHouseError('CLICKHOUSE_INVALID_OPTION', `${key}: expected a positive number of milliseconds, got ${resolved[key]}`);
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Asks the OS for a free port on loopback (the listener is closed again before the server binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/** GET /ping answers `Ok.` once the server accepts queries (https://clickhouse.com/docs/interfaces/http). */
function ping(url: string): Promise<boolean> {
  return new Promise((done) => {
    const req = get(url, { agent: false, timeout: 1_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done(res.statusCode === 200 && body.startsWith('Ok.')));
      res.on('error', () => done(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
  });
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

async function readPid(file: string, pattern: RegExp): Promise<number | undefined> {
  try {
    const pid = Number(pattern.exec(await readFile(file, 'utf8'))?.[1]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
