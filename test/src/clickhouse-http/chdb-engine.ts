/**
 * The engine behind the server: chdb (ClickHouse 26.7 inside this process) through its
 * `@clickhouse/client-common` Connection, `chdb/connection`.
 *
 * Each statement runs on a connection of its own, opened for it and closed after, as each HTTP
 * request without a session has a context of its own: the SETs that carry its settings and query
 * parameters, and its USE, end with it. One more connection, held from open() to close(), keeps
 * the engine up in between. chdb runs one engine (one data directory) per process; connections to
 * the same directory share it.
 *
 * Query parameters go in as `SET param_<name> = '<text>'`, not as the connection's `query_params`:
 * the HTTP client sends them already in ClickHouse's text form (`it\'s`, `['a','b']`), which chdb's
 * binder would escape a second time; a `param_` SET hands the engine the text, as the HTTP handler
 * does. The statement text is passed whole (query, newline, data) rather than as `values`, because
 * the connection skips an exec whose `values` are blank instead of running the statement.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { ChdbConnection, ClickHouseSummary, ConnExecParams } from 'chdb/connection';
import { engineException, exceptions } from './clickhouse-exception.js';

export interface EngineStatement {
  /** The statement and its inline data. */
  sql: string;
  queryId: string;
  database: string | undefined;
  defaultFormat: string;
  settings: Readonly<Record<string, string>>;
  params: Readonly<Record<string, string>>;
  readonly: boolean;
}

export interface EngineResult {
  /** The output, in the statement's format. */
  bytes: Buffer;
  /** As the connection reports it: rows and bytes read; nothing about rows written. */
  summary: ClickHouseSummary | undefined;
}

type ClickHouseSettings = NonNullable<ConnExecParams<Readable>['clickhouse_settings']>;
type ConnectionFactory = (options: { path: string }) => ChdbConnection;
let createConnection: ConnectionFactory | undefined;

/** chdb is loaded on first use, so that importing @tokentrace/test does not map its 500 MB library. */
function connect(path: string): ChdbConnection {
  if (!createConnection) {
    const require = createRequire(import.meta.url);
    createConnection = (require('chdb/connection') as { createChdbConnection: ConnectionFactory }).createChdbConnection;
  }
  return createConnection({ path });
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class ChdbEngine {
  readonly dataDir: string;
  /** `version()` of the engine, for exception texts. */
  readonly version: string;
  /** `timezone()` of the engine, for `X-ClickHouse-Timezone`. */
  readonly timezone: string;
  #anchor: ChdbConnection | undefined;

  private constructor(dataDir: string, anchor: ChdbConnection, version: string, timezone: string) {
    this.dataDir = dataDir;
    this.#anchor = anchor;
    this.version = version;
    this.timezone = timezone;
  }

  /** Opens (or joins) the engine on `dataDir`, creating the directory when missing. */
  static async open(dataDir: string): Promise<ChdbEngine> {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    let anchor: ChdbConnection;
    try {
      anchor = connect(dir);
    } catch (err) {
      throw new Error(`cannot open the embedded ClickHouse (chdb) in ${dir}: ${(err as Error).message} `
        + '(chdb runs one engine per process: is another data directory open?)', { cause: err });
    }
    try {
      const result = await anchor.exec({ query: 'SELECT version(), timezone() FORMAT TabSeparated' });
      const [version = '', timezone = 'UTC'] = (await collect(result.stream)).toString('utf8').trim().split('\t');
      return new ChdbEngine(dir, anchor, version, timezone);
    } catch (err) {
      await anchor.close();
      throw err;
    }
  }

  /** Runs `statement`; a failure is thrown as a ClickHouseException with the engine's code. */
  async execute(statement: EngineStatement): Promise<EngineResult> {
    if (!this.#anchor) throw new Error(`the embedded ClickHouse in ${this.dataDir} is closed`);
    const settings: Record<string, string> = statement.readonly && statement.settings.readonly === undefined ? { readonly: '2' } : {};
    for (const [name, value] of Object.entries(statement.settings)) {
      if (!NAME.test(name)) throw exceptions.unknownSetting(name);
      settings[name] = value;
    }
    const sql = prelude(statement) + statement.sql;
    const connection = connect(this.dataDir);
    try {
      // default_format is typed as the client's own formats; the engine knows them all.
      const clickhouseSettings: ClickHouseSettings = { ...settings, default_format: statement.defaultFormat as ClickHouseSettings['default_format'] };
      const result = await connection.exec({ query: sql, query_id: statement.queryId, clickhouse_settings: clickhouseSettings });
      return { bytes: await collect(result.stream), summary: result.summary };
    } catch (err) {
      throw engineException(err);
    } finally {
      await connection.close();
    }
  }

  /** Releases the engine (the last connection to close shuts it down). */
  async close(): Promise<void> {
    const anchor = this.#anchor;
    this.#anchor = undefined;
    await anchor?.close();
  }
}

/** `USE` and the query parameters, as statements before the request's own. */
function prelude(statement: EngineStatement): string {
  let sql = statement.database === undefined ? '' : `USE ${quoteIdentifier(statement.database)}; `;
  for (const [name, value] of Object.entries(statement.params)) {
    if (!/^[A-Za-z0-9_]+$/.test(name)) throw exceptions.badArguments(`Query parameter name '${name}' is not supported by the test server: use [A-Za-z0-9_]`);
    sql += `SET param_${name} = ${quoteString(value)}; `;
  }
  return sql;
}

function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
