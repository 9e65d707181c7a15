/**
 * Request gates on the node:http/https path (axios, node-fetch, the AWS SDK). The app gets a real
 * ClientRequest whose socket is a GateSocket: nothing leaves the process while the app writes the
 * body. At `end()` the gates decide; a local answer is written to the socket as an HTTP/1.1
 * response, otherwise the request is sent through the original `request` (the app's agent, keep-
 * alive pool, TLS options, proxies and the HTTP instrumentation's span as before) and its response
 * relayed to the socket: status line, the same header list, the same body bytes, the same framing.
 * Either way Node's parser builds the IncomingMessage the app reads.
 *
 * Limits: headers set with `setHeader` after `request()` returned are not sent (clients pass them
 * as options); a body written in several chunks is sent as one, with a content-length.
 */
import { context } from '@opentelemetry/api';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { http } from '../capture/lazy-builtins.js';
import { readRequestHeader } from '../context/request-header.js';
import type { RequestTarget } from '../providers/endpoint-registry.js';
import { createGateSocket, type GateSocket } from './gate-socket.js';
import type { GateOutcome, GateSelection } from './gate-chain.js';
import { GateObservation, type ResponseSeen } from './gate-observation.js';
import { headerValue, type LocalResponse } from './local-response.js';
import { WrittenBody } from './request-body.js';
import { gateRequest } from './request-gate.js';
import { statusText } from './status-text.js';

type RequestFn = (...args: unknown[]) => ClientRequest;

export interface NodeHttpGateInput extends GateSelection {
  module: { request: RequestFn; globalAgent?: unknown };
  original: RequestFn;
  /** The arguments as they will be sent (tracking headers removed). */
  args: unknown[];
  optionsIndex: number | undefined;
  /** The request's URL parts and its headers as they will be sent. */
  target: RequestTarget;
}

export function requestThroughGates(input: NodeHttpGateInput): ClientRequest {
  const relay = new Relay(input);
  const args = withOptions(input.args, input.optionsIndex, {
    agent: undefined,
    createConnection: () => relay.socket,
    _defaultAgent: input.module.globalAgent,
  });
  const req = new (http().ClientRequest as unknown as new (...a: unknown[]) => ClientRequest)(...args);
  const body = new WrittenBody();
  const write = req.write;
  const end = req.end;
  req.write = function (this: ClientRequest, chunk: unknown, ...rest: unknown[]) {
    body.add(chunk, rest[0]);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ClientRequest['write'];
  req.end = function (this: ClientRequest, chunk?: unknown, ...rest: unknown[]) {
    body.add(chunk, rest[0]);
    const result = (end as (...a: unknown[]) => ClientRequest).call(this, chunk, ...rest);
    relay.start(body.bytes());
    return result;
  } as ClientRequest['end'];
  return req;
}

/** One gated request: the decision, then the local answer or the provider's, onto the socket. */
class Relay {
  readonly socket: GateSocket;
  private started = false;
  private closed = false;
  private real?: ClientRequest;
  private outcome?: GateOutcome;
  private observation?: GateObservation;
  private readonly seen: ResponseSeen = { status: 0, statusText: '', headers: [], chunks: [], complete: false, local: false };

  constructor(private readonly input: NodeHttpGateInput) {
    this.socket = createGateSocket(input.target.hostname, input.target.port, () => {
      this.closed = true;
      this.real?.destroy();
      this.finish(false);
    });
  }

  start(body: Buffer): void {
    if (this.started) return;
    this.started = true;
    const { input } = this;
    const request = gateRequest(input, {
      method: input.target.method,
      path: input.target.path,
      header: (name) => readRequestHeader(input.target.headers, name),
      body,
    });
    input.chain.run(input.gates, request).then(
      (outcome) => {
        this.outcome = outcome;
        this.observation = new GateObservation(outcome, request, input.call);
        if (this.closed) return this.finish(false);
        if (outcome.respond) this.answer(outcome.respond);
        else this.send(body);
      },
      (err: unknown) => this.socket.destroy(err instanceof Error ? err : new Error(String(err))),
    );
  }

  private answer(response: LocalResponse): void {
    Object.assign(this.seen, { ...response, statusText: response.statusText ?? statusText(response.status), local: true });
    const writer = new ResponseWriter(this.socket, response.status, this.seen.statusText, response.headers);
    let i = 0;
    const next = (): void => {
      while (!this.closed && i < response.chunks.length) {
        if (!writer.chunk(response.chunks[i++]!)) return this.socket.whenReadable(next);
      }
      if (this.closed) return;
      writer.end();
      this.finish(true);
    };
    next();
  }

  private send(body: Buffer): void {
    const { input } = this;
    const args = input.args.filter((a) => typeof a !== 'function'); // the app's callback listens on its own request
    const real = context.with(input.call.context, () => input.original.apply(input.module, args));
    this.real = real;
    real.on('error', (err) => this.socket.destroy(err));
    real.on('response', (res: IncomingMessage) => this.relay(res));
    real.end(body.length > 0 ? body : undefined);
  }

  private relay(res: IncomingMessage): void {
    const headers: [string, string][] = [];
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
    Object.assign(this.seen, { status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers });
    const writer = new ResponseWriter(this.socket, this.seen.status, this.seen.statusText, [...headers, ...(this.outcome?.responseHeaders ?? [])]);
    let ended = false;
    res.on('data', (chunk: Buffer) => {
      this.seen.chunks.push(chunk);
      if (!writer.chunk(chunk)) {
        res.pause();
        this.socket.whenReadable(() => res.resume());
      }
    });
    res.once('end', () => {
      ended = true;
      writer.end();
      this.finish(true);
    });
    res.once('close', () => {
      if (ended) return;
      this.finish(false);
      this.socket.destroy(res.errored ?? resetError());
    });
  }

  private finish(complete: boolean): void {
    this.observation?.responseEnded({ ...this.seen, complete: complete && !this.closed });
  }
}

/** Writes a response onto the socket as HTTP/1.1, framed as its headers say. */
class ResponseWriter {
  private readonly chunked: boolean;

  constructor(private readonly socket: GateSocket, status: number, text: string, headers: readonly [string, string][]) {
    this.chunked = /\bchunked\b/i.test(headerValue(headers, 'transfer-encoding') ?? '');
    let head = `HTTP/1.1 ${status} ${text}\r\n`;
    for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
    socket.deliver(Buffer.from(`${head}\r\n`, 'latin1'));
  }

  /** False when the reader wants a pause. */
  chunk(bytes: Uint8Array): boolean {
    if (bytes.byteLength === 0) return true;
    if (!this.chunked) return this.socket.deliver(bytes);
    return this.socket.deliver(Buffer.concat([Buffer.from(`${bytes.byteLength.toString(16)}\r\n`), bytes, CRLF]));
  }

  end(): void {
    if (this.chunked) this.socket.deliver(LAST_CHUNK);
    this.socket.finish();
  }
}

const CRLF = Buffer.from('\r\n');
const LAST_CHUNK = Buffer.from('0\r\n\r\n');

/** The request arguments with `patch` merged into the options object (added when there is none). */
function withOptions(args: unknown[], optionsIndex: number | undefined, patch: Record<string, unknown>): unknown[] {
  const out = [...args];
  if (optionsIndex !== undefined) out[optionsIndex] = { ...(args[optionsIndex] as RequestOptions), ...patch };
  else out.splice(1, 0, patch);
  return out;
}

function resetError(): Error {
  const err = new Error('socket hang up') as Error & { code: string };
  err.code = 'ECONNRESET';
  return err;
}
