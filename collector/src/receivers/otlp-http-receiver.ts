/**
 * The OTLP/HTTP server's lifecycle: an express app with the OTLP router mounted, listening on a
 * host and port (4318 by default), closed gracefully. The app is exposed so other routes (health,
 * query API) can share the port; add them before start().
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import type { Lifecycle } from '@tokentrace/processors';
import { createOtlpHttpRouter } from './otlp-http-router.js';
import { RECEIVER_DEFAULTS, type OtlpReceiverOptions } from './types.js';

export interface OtlpHttpReceiverOptions extends OtlpReceiverOptions {
  host?: string;
  /** 0 picks a free port; read it back from `port` after start(). */
  port?: number;
  /** How long shutdown() waits for requests in flight before closing their connections. */
  shutdownGraceMs?: number;
}

export class OtlpHttpReceiver implements Lifecycle {
  readonly app: Express;
  private readonly server: Server;
  private readonly options: OtlpHttpReceiverOptions;

  constructor(options: OtlpHttpReceiverOptions) {
    this.options = options;
    this.app = express();
    this.app.disable('x-powered-by');
    this.app.use(createOtlpHttpRouter(options));
    this.server = createServer(this.app);
  }

  async start(): Promise<void> {
    const host = this.options.host ?? RECEIVER_DEFAULTS.httpHost;
    const port = this.options.port ?? RECEIVER_DEFAULTS.httpPort;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  /** The port listened on (useful with port 0). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Base URL, e.g. `http://127.0.0.1:4318`. */
  get url(): string {
    const { address, family } = this.server.address() as AddressInfo;
    return `http://${family === 'IPv6' ? `[${address}]` : address}:${this.port}`;
  }

  /** Stops accepting, lets requests in flight finish (within the grace period), then closes every connection. */
  async shutdown(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const grace = setTimeout(() => this.server.closeAllConnections(), this.options.shutdownGraceMs ?? 5000);
    grace.unref();
    await closed;
    clearTimeout(grace);
  }
}
