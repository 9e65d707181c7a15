/**
 * The network side of the test server, one listening period (start() to stop() or kill()): an
 * HTTP listener on 127.0.0.1 that knows its sockets and the requests in flight, so that it can
 * go away gracefully or abruptly.
 *
 * - stop(): stops accepting, closes idle keep-alive connections, lets the requests in flight
 *   finish (their answers say `Connection: close`) and resolves when every connection is closed;
 * - kill(): stops accepting and destroys every socket at once, mid-request included, as a
 *   crashed server would; requests not yet running never run (the handler checks `killed`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What a request handler knows about the listening period it arrived in. */
export interface ListenerState {
  /** stop() or kill() has begun: answers close their connection. */
  readonly closing: boolean;
  /** kill() has begun: nothing more may run. */
  readonly killed: boolean;
  /** Resolves when kill() begins. */
  readonly whenKilled: Promise<void>;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse, state: ListenerState) => Promise<void>;

export class HttpListener implements ListenerState {
  readonly port: number;
  readonly whenKilled: Promise<void>;
  readonly #server: Server;
  readonly #closed: Promise<void>;
  readonly #sockets = new Set<Socket>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #markKilled!: () => void;
  #closing = false;
  #killed = false;

  private constructor(server: Server) {
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
    this.whenKilled = new Promise<void>((resolve) => { this.#markKilled = resolve; });
    this.#closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  }

  /** Listens on 127.0.0.1:`port` (0: a free one) and hands each request to `handler`. */
  static async listen(port: number, handler: RequestHandler): Promise<HttpListener> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const listener = new HttpListener(server);
    server.on('connection', (socket: Socket) => {
      listener.#sockets.add(socket);
      socket.once('close', () => listener.#sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      res.on('error', () => {}); // a write after kill() or after the client left is not the test's concern
      const answered = new Promise<void>((resolve) => res.once('close', () => resolve()));
      const done = Promise.allSettled([handler(req, res, listener), answered]);
      listener.#inFlight.add(done);
      void done.then(() => listener.#inFlight.delete(done));
    });
    return listener;
  }

  get closing(): boolean {
    return this.#closing;
  }

  get killed(): boolean {
    return this.#killed;
  }

  async stop(): Promise<void> {
    this.#closing = true;
    this.#server.close();
    this.#server.closeIdleConnections();
    await this.#settleInFlight();
    this.#server.closeIdleConnections();
    await this.#closed;
  }

  async kill(): Promise<void> {
    this.#closing = true;
    this.#killed = true;
    this.#markKilled();
    this.#server.close();
    for (const socket of this.#sockets) socket.destroy();
    await this.#settleInFlight();
    await this.#closed;
  }

  /** Until no request is in flight (a keep-alive connection may bring one while others finish). */
  async #settleInFlight(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }
}
