/**
 * A ClickHouse server for tests, without ClickHouse installed: the part of ClickHouse's HTTP
 * interface that `@clickhouse/client` uses, on 127.0.0.1, backed by the embedded engine (chdb) in
 * this process. For server-mode tests of what talks to ClickHouse: connection refused (stop()),
 * a server that dies mid-insert (kill()) and comes back (start()) with its data, late answers,
 * scripted exceptions and cut connections.
 *
 * A request's body is read whole before anything runs, so a connection lost half-way through an
 * INSERT inserts nothing. Once read, a request runs even if its client has gone (as on a real
 * server), unless the server was killed first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ChdbEngine, type EngineResult } from './chdb-engine.js';
import { ClickHouseException, engineException } from './clickhouse-exception.js';
import { authenticate, type ServerUser } from './http-auth.js';
import { readBody } from './http-body.js';
import { HttpListener, type ListenerState } from './http-listener.js';
import { parseQueryRequest, type QueryRequest } from './http-query-request.js';
import { answerException, answerResult, answerText, type AnswerContext } from './http-response.js';
import { RequestHold, type HeldRequest, type RequestFault } from './request-faults.js';

export interface ClickHouseHttpServerOptions {
  /** Where the engine keeps its data (created when missing). One engine per process: see README. */
  dataDir: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. Kept across stop()/start(). */
  port?: number;
  /** The one user the server knows. Default `default`. */
  username?: string;
  /** Its password. Default empty. */
  password?: string;
}

/** What the server has seen since it was created. */
export interface ClickHouseHttpRequestCounts {
  /** HTTP requests whose headers arrived, pings included. */
  received: number;
  /** `/ping` (and `GET /`) answered. */
  pings: number;
  /** Request body bytes received, as sent (compressed or not). */
  bodyBytes: number;
  /** Query requests that never ran: the connection was lost before the body was whole, the server was killed first, or dropNext(). */
  notExecuted: number;
  /** Statements the engine ran, whether they succeeded or not. */
  executed: number;
  /** INSERT statements the engine ran successfully. */
  insertsExecuted: number;
  /** Answers that were a ClickHouse exception (engine, credentials, failNext()). */
  exceptions: number;
}

/** A statement the engine ran. */
export interface ExecutedStatement {
  /** The statement without inline data (an INSERT's rows are not kept). */
  statement: string;
  queryId: string;
  settings: Readonly<Record<string, string>>;
  params: Readonly<Record<string, string>>;
  /** The exception's code, when it failed. */
  exceptionCode?: number;
}

type Waiter = () => boolean;

export class ClickHouseHttpServer {
  /** `http://127.0.0.1:PORT`, the `url` for `createClient`. */
  readonly url: string;
  readonly port: number;
  readonly #engine: ChdbEngine;
  readonly #user: ServerUser;
  readonly #counts: ClickHouseHttpRequestCounts = { received: 0, pings: 0, bodyBytes: 0, notExecuted: 0, executed: 0, insertsExecuted: 0, exceptions: 0 };
  readonly #statements: ExecutedStatement[] = [];
  #faults: RequestFault[] = [];
  #waiters: Waiter[] = [];
  #listener: HttpListener | undefined;
  #closed = false;

  private constructor(engine: ChdbEngine, listener: HttpListener, user: ServerUser) {
    this.#engine = engine;
    this.#listener = listener;
    this.#user = user;
    this.port = listener.port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  /** Opens the engine on `options.dataDir` and starts listening. */
  static async start(options: ClickHouseHttpServerOptions): Promise<ClickHouseHttpServer> {
    const engine = await ChdbEngine.open(options.dataDir);
    let server: ClickHouseHttpServer | undefined;
    try {
      const listener = await HttpListener.listen(options.port ?? 0, (req, res, state) => server!.#handle(req, res, state));
      server = new ClickHouseHttpServer(engine, listener, { username: options.username ?? 'default', password: options.password ?? '' });
      return server;
    } catch (err) {
      await engine.close();
      throw err;
    }
  }

  /** A snapshot of the counters. */
  get requests(): Readonly<ClickHouseHttpRequestCounts> {
    return { ...this.#counts };
  }

  /** Every statement the engine ran, in order. */
  get statements(): readonly ExecutedStatement[] {
    return this.#statements;
  }

  get listening(): boolean {
    return this.#listener !== undefined;
  }

  /** The engine's version, as exception texts give it. */
  get version(): string {
    return this.#engine.version;
  }

  /** Listens again on the same port after stop() or kill(); the engine and its data stayed. */
  async start(): Promise<void> {
    if (this.#closed) throw new Error('ClickHouseHttpServer: start() after close()');
    if (this.#listener) return;
    this.#listener = await HttpListener.listen(this.port, (req, res, state) => this.#handle(req, res, state));
  }

  /** Graceful: stops accepting connections and resolves once the requests in flight are answered. */
  async stop(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.stop();
  }

  /**
   * Abrupt: destroys every connection at once (clients see ECONNRESET or "socket hang up") and
   * stops listening. Requests not yet running never run; statements already in the engine finish.
   */
  async kill(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.kill();
  }

  /** stop(), then releases the engine. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.stop();
    await this.#engine.close();
  }

  /** The next query request is answered with this exception; nothing runs. */
  failNext(code: number, type: string, message: string): void {
    this.#faults.push({ kind: 'fail', exception: new ClickHouseException(code, type, message) });
  }

  /** The next query request waits after its body was read, until the hold is released. */
  holdNext(): HeldRequest {
    const hold = new RequestHold();
    this.#faults.push({ kind: 'hold', hold });
    return hold;
  }

  /** The next query request is answered `ms` later than it would be (it runs after the wait). */
  delayNext(ms: number): void {
    const hold = this.holdNext();
    void hold.arrived.then(() => setTimeout(() => hold.release(), ms).unref());
  }

  /**
   * The next query request loses its connection with no answer: before its statement runs, or
   * (`afterExecute`) after it ran, as when a server dies between committing and answering.
   */
  dropNext(options: { afterExecute?: boolean } = {}): void {
    this.#faults.push({ kind: 'drop', afterExecute: options.afterExecute ?? false });
  }

  /** Resolves once `until(counts)` holds (checked now and on every change). */
  waitFor(until: (counts: Readonly<ClickHouseHttpRequestCounts>) => boolean): Promise<void> {
    if (until(this.#counts)) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push(() => {
        if (!until(this.#counts)) return false;
        resolve();
        return true;
      });
    });
  }

  #count(name: keyof ClickHouseHttpRequestCounts, by = 1): void {
    this.#counts[name] += by;
    this.#waiters = this.#waiters.filter((check) => !check());
  }

  async #handle(req: IncomingMessage, res: ServerResponse, state: ListenerState): Promise<void> {
    this.#count('received');
    const body = readBody(req, (bytes) => this.#count('bodyBytes', bytes));
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isGet = req.method === 'GET' || req.method === 'HEAD';
    if (isGet && (url.pathname === '/ping' || (url.pathname === '/' && !url.searchParams.has('query')))) {
      await body;
      this.#count('pings');
      return answerText(res, 200, 'Ok.\n', state.closing);
    }
    if (url.pathname !== '/' || (req.method !== 'GET' && req.method !== 'POST')) {
      await body;
      return answerText(res, 404, `There is no handle ${req.method} ${url.pathname}\n\nUse / or /ping for health checks.\n`, state.closing);
    }
    const raw = await body;
    if (raw === undefined || state.killed) return this.#count('notExecuted');
    const ctx: AnswerContext = { request: undefined, close: state.closing, version: this.#engine.version, timezone: this.#engine.timezone };
    try {
      authenticate(req.headers, url.searchParams, this.#user);
      const fault = this.#faults.shift();
      if (fault?.kind === 'fail') throw fault.exception;
      if (fault?.kind === 'drop' && !fault.afterExecute) return this.#drop(req);
      if (fault?.kind === 'hold' && !(await fault.hold.wait(state.whenKilled))) return this.#count('notExecuted');
      const request = await parseQueryRequest(req, url, raw);
      ctx.request = request;
      if (state.killed) return this.#count('notExecuted');
      const result = await this.#execute(request);
      if (fault?.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      ctx.close = state.closing;
      answerResult(res, { ...ctx, request }, result.bytes, result.summary);
    } catch (err) {
      this.#count('exceptions');
      ctx.close = state.closing;
      answerException(res, ctx, err instanceof ClickHouseException ? err : engineException(err));
    }
  }

  async #execute(request: QueryRequest): Promise<EngineResult> {
    const executed: ExecutedStatement = { statement: request.statement, queryId: request.queryId, settings: request.settings, params: request.params };
    try {
      const result = await this.#engine.execute(request);
      this.#statements.push(executed);
      this.#count('executed');
      if (request.isInsert) this.#count('insertsExecuted');
      return result;
    } catch (err) {
      const exception = err instanceof ClickHouseException ? err : engineException(err);
      this.#statements.push({ ...executed, exceptionCode: exception.code });
      this.#count('executed');
      throw exception;
    }
  }

  #drop(req: IncomingMessage): void {
    this.#count('notExecuted');
    req.socket.destroy();
  }
}
