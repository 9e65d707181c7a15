// The HTTP server shared by every provider emulator: listens on 127.0.0.1 (random port by
// default), routes by the real host's paths, hands each call the next scripted reply, records
// every exchange and frees the port on close(). A provider module contributes only a
// ProviderDialect (provider-dialect.ts). `http2: true` serves cleartext HTTP/2 (h2c, prior
// knowledge, as `http2.connect('http://…')` and the AWS SDK's default handler speak it) instead
// of HTTP/1.1, through node:http2's compatibility API; with `tls` too, HTTPS with HTTP/2 or
// HTTP/1.1 as the client's ALPN asks (undici's `allowH2` needs this).
import { createServer } from 'node:http';
import { createSecureServer, createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { EmulatedProvider, ProviderDialect } from './provider-dialect.js';
import type { RecordedExchange, RecordedResponse } from './recorded-exchange.js';
import { ReplyQueue } from './reply-queue.js';
import { readRequest } from './request-reader.js';
import { deliver, type EmulatorRequest, type EmulatorResponse, type PlannedResponse } from './response-writer.js';
import { RouteTable } from './route-table.js';
import { resolveReply, type ScriptedReply } from './scripted-reply.js';

export type { EmulatedProvider, EmulatorRoute, ProviderDialect, RouteCall } from './provider-dialect.js';

export interface EmulatorOptions {
  /** Streams: delay between the (immediately flushed) headers and the first body chunk. JSON: delay before the response. Default 0. */
  firstChunkDelayMs?: number;
  /** Streams: delay between body chunks. Default 0. */
  chunkDelayMs?: number;
  /** The reply used when nothing is queued, and the base every queued reply is layered on. */
  defaultReply?: ScriptedReply;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Reject requests without the provider's credential header, as the real API does. Default true. */
  requireApiKey?: boolean;
  /** Serve cleartext HTTP/2 (h2c) instead of HTTP/1.1. Default false. */
  http2?: boolean;
  /** With `http2`: serve HTTPS with this key and certificate (HTTP/2 or HTTP/1.1 by ALPN); `url` is then https://. */
  tls?: { key: Buffer | string; cert: Buffer | string };
}

/** What close() needs of either server. */
interface Listener {
  address(): AddressInfo | string | null;
  close(callback: () => void): unknown;
  listen(port: number, host: string, callback: () => void): unknown;
  once(event: 'error', listener: (err: Error) => void): unknown;
}

interface RequestWaiter {
  count: number;
  resolve: (exchanges: RecordedExchange[]) => void;
}

export class ProviderEmulator {
  readonly provider: EmulatedProvider;
  /** `http://127.0.0.1:PORT` (`https://` with `tls`) */
  readonly url: string;
  /** The URL to give the provider's SDK (`url` plus the SDK's usual base path). */
  readonly baseUrl: string;
  readonly port: number;
  readonly #server: Listener;
  readonly #dropConnections: () => void;
  readonly #dialect: ProviderDialect;
  readonly #routes: RouteTable;
  readonly #replies: ReplyQueue;
  readonly #timing: { firstChunkDelayMs: number; chunkDelayMs: number };
  readonly #requireApiKey: boolean;
  #exchanges: RecordedExchange[] = [];
  #completed = 0;
  #waiters: RequestWaiter[] = [];
  /** Waiting for requests to arrive (not to finish): resolved as each one is recorded. */
  #arrivals: Array<{ count: number; resolve: () => void }> = [];

  private constructor(server: Listener, dropConnections: () => void, dialect: ProviderDialect, options: EmulatorOptions) {
    this.#server = server;
    this.#dropConnections = dropConnections;
    this.#dialect = dialect;
    this.provider = dialect.provider;
    this.port = (server.address() as AddressInfo).port;
    this.url = `${options.http2 && options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
    this.baseUrl = this.url + dialect.sdkBasePath;
    this.#routes = new RouteTable(dialect.routes);
    this.#replies = new ReplyQueue(options.defaultReply);
    this.#timing = { firstChunkDelayMs: options.firstChunkDelayMs ?? 0, chunkDelayMs: options.chunkDelayMs ?? 0 };
    this.#requireApiKey = options.requireApiKey ?? true;
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(dialect: ProviderDialect, options: EmulatorOptions = {}): Promise<ProviderEmulator> {
    for (const key of ['firstChunkDelayMs', 'chunkDelayMs', 'port'] as const) {
      const value = options[key];
      if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
        throw new TypeError(`EmulatorOptions.${key} must be a non-negative integer, got ${String(value)}`);
      }
    }
    let emulator: ProviderEmulator | undefined;
    const handle = (req: EmulatorRequest, res: EmulatorResponse) => { if (emulator) void emulator.#handle(req, res); };
    let server: Listener;
    let dropConnections: () => void;
    if (options.http2) {
      const h2 = options.tls ? createSecureServer({ ...options.tls, allowHTTP1: true }, handle) : createHttp2Server(handle);
      // Every TCP connection, whether it became an HTTP/2 session or (over TLS) an HTTP/1.1 one.
      const sockets = new Set<Socket>();
      h2.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      server = h2;
      dropConnections = () => { for (const socket of sockets) socket.destroy(); };
    } else {
      const h1 = createServer(handle);
      server = h1;
      dropConnections = () => h1.closeAllConnections();
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    emulator = new ProviderEmulator(server, dropConnections, dialect, options);
    return emulator;
  }

  /** Queues replies for the next calls, in order; returns this for chaining. */
  enqueue(...replies: ScriptedReply[]): this {
    this.#replies.enqueue(replies);
    return this;
  }

  /** Sets the reply used once the queue is empty. */
  setDefaultReply(reply: ScriptedReply): this {
    this.#replies.setDefault(reply);
    return this;
  }

  get pendingReplies(): number {
    return this.#replies.pending;
  }

  /** Every request received so far, oldest first. */
  get requests(): readonly RecordedExchange[] {
    return this.#exchanges;
  }

  get lastRequest(): RecordedExchange | undefined {
    return this.#exchanges.at(-1);
  }

  /** Resolves once `count` exchanges have finished (response ended or connection closed). */
  waitForRequests(count: number, timeoutMs = 5_000): Promise<RecordedExchange[]> {
    if (this.#completed >= count) return Promise.resolve([...this.#exchanges]);
    return new Promise((resolve, reject) => {
      const waiter: RequestWaiter = { count, resolve: (exchanges) => { clearTimeout(timer); resolve(exchanges); } };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.#dialect.title} emulator: ${this.#completed} of ${count} requests finished within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Resolves once `count` requests have arrived (recorded, before their reply is sent). */
  waitForArrivals(count: number): Promise<void> {
    if (this.#exchanges.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#arrivals.push({ count, resolve }));
  }

  /** Forgets recorded requests and queued replies; restores the starting default reply. */
  reset(): void {
    this.#exchanges = [];
    this.#completed = 0;
    this.#replies.reset();
  }

  /** Several lines saying what this is and where; the demo prints it. */
  describe(): string {
    const routes = this.#dialect.routes.map((r) => r.path).join('\n              ');
    return [
      `${this.#dialect.title} emulator: a local stand-in for ${this.#dialect.realHost} speaking its wire format (no request leaves this machine)`,
      `  url:        ${this.url}`,
      `  SDK base:   ${this.baseUrl}`,
      `  POST paths: ${routes}`,
    ].join('\n');
  }

  /** Stops listening and drops open connections; the port is free once this resolves. */
  async close(): Promise<void> {
    this.#dropConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: EmulatorRequest, res: EmulatorResponse): Promise<void> {
    const request = await readRequest(req).catch(() => undefined);
    if (!request) {
      // An aborted upload or a body that is not valid gzip: nothing to record or answer sensibly.
      if ('stream' in res) res.stream.destroy();
      else res.destroy();
      return;
    }
    const response: RecordedResponse = {
      status: 0, headers: {}, body: Buffer.alloc(0), text: '', chunks: 0,
      headersSentAt: undefined, firstChunkAt: undefined, endedAt: undefined, aborted: false,
    };
    let markDone = (): void => {};
    const done = new Promise<void>((resolve) => { markDone = resolve; });
    const exchange: RecordedExchange = {
      provider: this.provider, route: 'unknown', stream: false, request, response, reply: undefined, done,
    };
    this.#exchanges.push(exchange);
    for (const arrival of this.#arrivals.filter((a) => this.#exchanges.length >= a.count)) arrival.resolve();
    this.#arrivals = this.#arrivals.filter((a) => this.#exchanges.length < a.count);
    res.on('close', () => { if (!res.writableFinished) response.aborted = true; });
    try {
      const plan = this.#plan(exchange);
      exchange.stream = plan.kind === 'stream';
      const reply = exchange.reply;
      plan.headers = { ...this.#dialect.responseHeaders(), ...plan.headers, ...reply?.headers };
      const acceptsGzip = /\bgzip\b/i.test(request.headers['accept-encoding'] ?? '');
      await deliver(res, plan, {
        firstChunkDelayMs: reply?.firstChunkDelayMs ?? 0,
        chunkDelayMs: reply?.chunkDelayMs ?? 0,
        failAfterChunks: reply?.failAfterChunks,
        gzip: (reply?.gzip ?? false) && acceptsGzip,
      }, response);
    } catch (error) {
      // A bug in a route must show up as a 500 the test can read, not as a hung request.
      if (!res.headersSent) {
        const plan = this.#dialect.errorResponse(500, { message: `emulator failure: ${String(error)}` });
        await deliver(res, plan, { firstChunkDelayMs: 0, chunkDelayMs: 0, failAfterChunks: undefined, gzip: false }, response);
      } else {
        if ('stream' in res) res.stream.destroy();
        else res.destroy();
      }
    } finally {
      this.#completed += 1;
      markDone();
      const ready = this.#waiters.filter((w) => this.#completed >= w.count);
      this.#waiters = this.#waiters.filter((w) => this.#completed < w.count);
      for (const waiter of ready) waiter.resolve([...this.#exchanges]);
    }
  }

  /** Picks the route and reply; requests rejected before reaching a route do not consume a reply. */
  #plan(exchange: RecordedExchange): PlannedResponse {
    const { request } = exchange;
    const matched = request.method === 'POST' ? this.#routes.match(request.path) : undefined;
    if (!matched) {
      return this.#dialect.errorResponse(404, {
        message: `The emulator has no route for ${request.method} ${request.path}; it serves POST ${this.#dialect.routes.map((r) => r.path).join(', ')}`,
      });
    }
    if (this.#requireApiKey) {
      const denied = this.#dialect.checkCredentials(request);
      if (denied) return denied;
    }
    const body = request.body === '' ? {} : request.json;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return this.#dialect.errorResponse(400, { message: 'The request body is not a JSON object.' });
    }
    const reply = resolveReply(this.#replies.next(), this.#timing, request.body);
    exchange.reply = reply;
    exchange.route = matched.route.name;
    if (reply.rawBody) {
      return { kind: 'json', status: reply.status ?? 200, headers: { 'content-type': reply.rawBody.contentType }, body: undefined, raw: reply.rawBody.body };
    }
    if (reply.status !== undefined && reply.status >= 400) return this.#dialect.errorResponse(reply.status, reply.error);
    return matched.route.handle({ request, params: matched.params, body: body as Record<string, unknown>, reply });
  }
}
