/**
 * The embedded storage engine: ClickHouse (26.7) inside this process through the npm package
 * `chdb`, behind the same `@clickhouse/client` API as a server (`createClient({ connection })`).
 * No server process, no root, nothing to install beyond `npm install`.
 *
 * chdb runs one engine, on one data directory, per process. Every client made here for the same
 * directory shares it; the engine is shut down when the last of them is closed, after which
 * another directory may be opened. Asking for a second directory while one is open is an error
 * that says so.
 *
 * The engine's memory bound is given when it opens (a server setting, `max_server_memory_usage`,
 * which cannot change later), so that on a small machine the engine leaves memory to the collector
 * around it; threads per query are a query setting (`max_threads`), sent by the client with every
 * query (clickhouse-client.ts).
 *
 * The engine counts the writes in flight on it (engine-writes.ts: inserts, `exec` and `command`
 * statements, from every client of this process), for the usage rollup's builder. They run
 * without an abort signal: chdb cannot cancel a statement, only stop waiting for it, and a write
 * must count until the engine has finished it. It also counts the interactive reads (`query`
 * outside background work: engine-reads.ts), which the builder gives way to.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { open as openFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Session as ChdbSession, RawInsertFormat, SessionOptions } from 'chdb';
import type { ChdbConnection as ChdbConnectionType, ChdbConnectionOptions } from 'chdb/connection';
import { parseError } from '@clickhouse/client';
import { EngineReads, isBackground } from './engine-reads.js';
import { EngineWrites } from './engine-writes.js';
import { sqlString } from './sql-literal.js';

export interface EmbeddedEngineSettings {
  /** Where the engine keeps its data (created when missing). */
  dataDir: string;
  /** Threads one query may use (`max_threads`). */
  maxThreads: number;
  /** Memory the whole engine may hold (`max_server_memory_usage`), bytes. */
  maxMemoryBytes: number;
}

export class EmbeddedEngineError extends Error {
  readonly code = 'TOKENTRACE_EMBEDDED_ENGINE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddedEngineError';
  }
}

interface ChdbModules {
  Session: new (path?: string, options?: SessionOptions) => ChdbSession;
  ChdbConnection: new (options?: ChdbConnectionOptions) => ChdbConnectionType;
}

let modules: ChdbModules | undefined;

/** chdb is loaded on first use: a collector that talks to a server never maps its 500 MB library. */
function chdb(): ChdbModules {
  if (!modules) {
    const require = createRequire(import.meta.url);
    const { Session } = require('chdb') as { Session: ChdbModules['Session'] };
    const { ChdbConnection } = require('chdb/connection') as { ChdbConnection: ChdbModules['ChdbConnection'] };
    modules = { Session, ChdbConnection };
  }
  return modules;
}

interface OpenEngine {
  dir: string;
  settings: EmbeddedEngineSettings;
  session: ChdbSession;
  connections: number;
  writes: EngineWrites;
  reads: EngineReads;
}

let open: OpenEngine | undefined;

/**
 * A Connection for `createClient({ connection })` on the engine of `settings.dataDir`, opening
 * the engine if needed. Closing the connection (the client's `close()`) releases it.
 */
export function embeddedConnection(settings: EmbeddedEngineSettings): ChdbConnectionType {
  const dir = resolve(settings.dataDir);
  const engine = acquire(dir, settings);
  const { ChdbConnection } = chdb();
  let connection: ChdbConnectionType;
  try {
    connection = new ChdbConnection({ path: dir });
  } catch (err) {
    release(engine);
    throw new EmbeddedEngineError(`cannot open the embedded ClickHouse in ${dir}: ${(err as Error).message}`, { cause: err });
  }
  trackStatements(connection, engine);
  let released = false;
  const close = connection.close.bind(connection);
  connection.close = async () => {
    try {
      await close();
    } finally {
      if (!released) {
        released = true;
        release(engine);
      }
    }
  };
  return connection;
}

const enginesOfConnections = new WeakMap<ChdbConnectionType, Pick<OpenEngine, 'writes' | 'reads'>>();

/**
 * `connection`'s statements that may write, counted by the engine's writes until the engine has
 * finished each (no abort signal), and its queries outside background work, counted as reads.
 */
function trackStatements(connection: ChdbConnectionType, { writes, reads }: OpenEngine): void {
  enginesOfConnections.set(connection, { writes, reads });
  const query = connection.query.bind(connection);
  connection.query = (params) => (isBackground() ? query(params) : reads.track(query(params)));
  const insert = connection.insert.bind(connection);
  const exec = connection.exec.bind(connection);
  const command = connection.command.bind(connection);
  connection.insert = (params) => writes.track(insert({ ...params, abort_signal: undefined }));
  connection.exec = (params) => writes.track(exec({ ...params, abort_signal: undefined }));
  connection.command = (params) => writes.track(command({ ...params, abort_signal: undefined }));
}

/**
 * The embedded engine behind a client made by createClickHouseClient (clickhouse-client.ts), for
 * inserts: `@clickhouse/client`'s insert through chdb's Connection turns the body into a JS string
 * and appends it to the statement's text, which the engine then parses as one query, on one
 * thread. Instead:
 *
 * - text bodies (JSON rows) go through chdb's raw insert, which hands their bytes to the engine
 *   as they are, to its parallel parser: measured 2–3× the rows per second of `client.insert`;
 * - RowBinary bodies (the exporter's) cannot: chdb passes a body as data inline after the
 *   statement, where the engine's client code ends the data at the first empty line, i.e. at any
 *   two bytes `0a 0a`, which binary values contain (chdb 3.4 allows text formats only for this
 *   reason). They are written to a file in the data directory, inserted with
 *   `INSERT … FROM INFILE`, and the file removed. The file is in the page cache for the time of
 *   one insert; writing it costs a copy, far less than the text parsing RowBinary saves.
 */
const enginesOfClients = new WeakMap<object, EmbeddedClient>();

/** What a registered client's raw inserts need. */
interface EmbeddedClient {
  connection: ChdbConnectionType;
  /** The client's own settings, sent with each raw insert. */
  settings: Record<string, number>;
  /** Where RowBinary bodies are written for `INSERT … FROM INFILE`. */
  insertDir: string;
  writes: EngineWrites;
  reads: EngineReads;
}

/** Files of RowBinary inserts in flight, under the data directory. */
const INSERT_FILES_DIR = 'tokentrace-inserts';
let insertFiles = 0;

/** `client` runs on `connection` (engine in `dataDir`); `settings` go with each of its raw inserts (the client's own, e.g. max_threads). */
export function registerEmbeddedClient(client: object, connection: ChdbConnectionType, dataDir: string, settings: Record<string, number>): void {
  const engine = enginesOfConnections.get(connection);
  if (engine === undefined) throw new EmbeddedEngineError('registerEmbeddedClient: the connection was not made by embeddedConnection');
  enginesOfClients.set(client, { connection, settings, insertDir: join(resolve(dataDir), INSERT_FILES_DIR), ...engine });
}

/**
 * The writes in flight on the embedded engine behind `client` (every client of the process
 * alike); undefined for a server, where other processes may write too.
 */
export function embeddedWrites(client: object): EngineWrites | undefined {
  return enginesOfClients.get(client)?.writes;
}

/** The interactive reads on the embedded engine behind `client` (engine-reads.ts); undefined for a server. */
export function embeddedReads(client: object): EngineReads | undefined {
  return enginesOfClients.get(client)?.reads;
}

export interface RawInsert {
  /** `db.table` of plain identifiers, bare or in backquotes (sqlIdentifier); chdb validates them itself, unquoted. */
  table: string;
  /** Trusted identifiers. */
  columns: readonly string[];
  format: RawInsertFormat | 'RowBinary';
  /** The body, in parts written one after the other. */
  body: readonly Buffer[];
  settings?: Record<string, string | number | boolean>;
}

/**
 * `INSERT INTO table (columns) FORMAT format` with `body` as bytes, when `client` runs on the
 * embedded engine; undefined otherwise (a server: the caller sends the body over HTTP). An engine
 * error is rethrown as the ClickHouseError the client would have thrown for it, so that it is
 * classified alike (error-classifier.ts).
 */
export function embeddedRawInsert(client: object): ((insert: RawInsert) => Promise<void>) | undefined {
  const engine = enginesOfClients.get(client);
  if (!engine) return undefined;
  return ({ table, columns, format, body, settings }) => engine.writes.track(rawInsert(engine, table, columns, format, body, settings));
}

async function rawInsert(
  engine: EmbeddedClient,
  table: string,
  columns: readonly string[],
  format: RawInsert['format'],
  body: readonly Buffer[],
  settings: RawInsert['settings'],
): Promise<void> {
  const allSettings = { ...engine.settings, ...settings };
  try {
    if (format === 'RowBinary') {
      await fileInsert(engine, table, columns, body, allSettings);
    } else {
      const values = body.length === 1 ? body[0]! : Buffer.concat(body);
      await engine.connection.chdb.rawInsert({ table: table.replace(/`/g, ''), columns, format, values, settings: allSettings });
    }
  } catch (err) {
    const mapped = parseError(err instanceof Error && err.message ? err.message : String(err));
    if (mapped !== err) (mapped as Error & { cause?: unknown }).cause = err;
    throw mapped;
  }
}

/** A RowBinary body inserted from a file of its own (see enginesOfClients), removed afterwards whatever happens. */
async function fileInsert(
  engine: EmbeddedClient,
  table: string,
  columns: readonly string[],
  body: readonly Buffer[],
  settings: Record<string, string | number | boolean>,
): Promise<void> {
  mkdirSync(engine.insertDir, { recursive: true });
  const file = join(engine.insertDir, `${process.pid}-${++insertFiles}.rowbinary`);
  try {
    await writeParts(file, body);
    const settingsSql = Object.entries(settings).map(([k, v]) => `${k} = ${typeof v === 'string' ? sqlString(v) : Number(v)}`);
    const query = `INSERT INTO ${table} (${columns.join(', ')}) FROM INFILE ${sqlString(file)}${settingsSql.length > 0 ? ` SETTINGS ${settingsSql.join(', ')}` : ''} FORMAT RowBinary`;
    await engine.connection.chdb.queryAsync(query);
  } finally {
    await rm(file, { force: true });
  }
}

/** `parts` one after the other into a new file `path`, with one writev (no joined copy of them). */
async function writeParts(path: string, parts: readonly Buffer[]): Promise<void> {
  const handle = await openFile(path, 'w');
  try {
    const total = parts.reduce((n, part) => n + part.length, 0);
    const { bytesWritten } = await handle.writev(parts as Buffer[]);
    if (bytesWritten !== total) throw new EmbeddedEngineError(`insert file ${path}: ${bytesWritten} of ${total} bytes written`);
  } finally {
    await handle.close();
  }
}

/** The data directory of the engine open in this process, if any. */
export function openEmbeddedEngineDir(): string | undefined {
  return open?.dir;
}

function acquire(dir: string, settings: EmbeddedEngineSettings): OpenEngine {
  if (open && open.dir !== dir) {
    throw new EmbeddedEngineError(`the embedded ClickHouse is already open on ${open.dir} in this process; chdb runs one engine per process, so ${dir} cannot be opened beside it`);
  }
  if (!open) {
    mkdirSync(dir, { recursive: true });
    // Files of inserts that a killed process left behind (their spans are replayed from the write-ahead log).
    rmSync(join(dir, INSERT_FILES_DIR), { recursive: true, force: true });
    const { Session } = chdb();
    let session: ChdbSession;
    try {
      session = new Session(dir, {
        connectionArgs: [`--max_server_memory_usage=${Math.floor(settings.maxMemoryBytes)}`],
      });
    } catch (err) {
      throw new EmbeddedEngineError(`cannot open the embedded ClickHouse in ${dir}: ${(err as Error).message}`, { cause: err });
    }
    open = { dir, settings, session, connections: 0, writes: new EngineWrites(), reads: new EngineReads() };
  }
  open.connections++;
  return open;
}

function release(engine: OpenEngine): void {
  engine.connections--;
  if (engine.connections > 0 || open !== engine) return;
  open = undefined;
  engine.session.close();
}
