/**
 * The socket under a gated node:http request: the ClientRequest the app holds writes its request
 * into it (the bytes are dropped: the gate takes the body from write/end and sends the request
 * itself when it goes out) and Node's own HTTP parser reads the response from it, so the app gets
 * a genuine IncomingMessage whether the answer is local or the provider's, relayed.
 */
import type { Duplex } from 'node:stream';
import { stream } from '../capture/lazy-builtins.js';

/** The socket's own methods, beside a net.Socket's and a Duplex's. */
export interface GateSocket extends Duplex {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Gives response bytes to the parser; false when it wants a pause (call whenReadable). */
  deliver(bytes: Uint8Array): boolean;
  whenReadable(wake: () => void): void;
  /** The response is complete. */
  finish(): void;
}

type GateSocketClass = new (host: string, port: number, onDestroy: (err: Error | null) => void) => GateSocket;
let gateSocketClass: GateSocketClass | undefined;

/**
 * The class extends node:stream's Duplex, so it is defined on first use: loading node:stream
 * costs a process start ~3 ms, which an app whose calls are never gated should not pay.
 */
export function createGateSocket(host: string, port: number, onDestroy: (err: Error | null) => void): GateSocket {
  gateSocketClass ??= defineGateSocket();
  return new gateSocketClass(host, port, onDestroy);
}

const defineGateSocket = (): GateSocketClass => class SocketForGate extends stream().Duplex implements GateSocket {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily: string;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 0;
  readonly connecting = false;
  private timeoutMs = 0;
  private timer?: NodeJS.Timeout;
  private readonly waiters: (() => void)[] = [];

  constructor(host: string, port: number, private readonly onDestroy: (err: Error | null) => void) {
    super({ allowHalfOpen: true });
    this.remoteAddress = host;
    this.remotePort = port;
    this.remoteFamily = host.includes(':') ? 'IPv6' : 'IPv4';
  }

  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.touch();
    callback();
  }

  override _read(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Gives response bytes to the parser; false when it wants a pause (call whenReadable). */
  deliver(bytes: Uint8Array): boolean {
    this.touch();
    return this.push(bytes);
  }

  whenReadable(wake: () => void): void {
    this.waiters.push(wake);
  }

  /** The response is complete. */
  finish(): void {
    this.clearTimer();
    this.push(null);
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.clearTimer();
    this.onDestroy(err);
    callback(err);
  }

  // What ClientRequest and HTTP clients call on a net.Socket.
  setTimeout(ms: number, callback?: () => void): this {
    this.timeoutMs = ms;
    if (callback) this.once('timeout', callback);
    this.touch();
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  address(): { address: string; family: string; port: number } {
    return { address: this.localAddress, family: 'IPv4', port: this.localPort };
  }

  /** Activity: the idle timeout starts again, as on a net.Socket. */
  private touch(): void {
    this.clearTimer();
    if (this.timeoutMs > 0 && !this.destroyed) {
      this.timer = setTimeout(() => this.emit('timeout'), this.timeoutMs);
      this.timer.unref();
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
};
