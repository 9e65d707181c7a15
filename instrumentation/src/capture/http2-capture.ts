/**
 * Captures LLM calls made over node:http2 client sessions (`http2.connect(…)` then
 * `session.request(headers)`): the AWS SDK's default handler for Bedrock (NodeHttp2Handler),
 * undici with `allowH2`, any raw HTTP/2 client. `connect` is wrapped to learn each session's
 * origin, and the sessions' `request` (on their prototype, once) to recognise the call exactly as
 * the other paths do (EndpointRegistry on `:method`, `:path` and the headers), strip the tracking
 * headers, add the call's own trace-context headers and open the LlmCall.
 *
 * node:http2 is never loaded for this: loading it costs a process start ~10–30 ms. It is patched
 * when already loaded at enable(), else when first required (patchModule, called through the
 * instrumentation's module definition: the require hook every OpenTelemetry instrumentation
 * already shares, so no other module load pays anything). An ES module's own `import` of
 * node:http2 is not seen by that hook (README, Known limits).
 *
 * The stream the app gets is the one node:http2 made; it is observed, never changed: its
 * `write`/`end` (request body), `push` (response body, as the session hands it over, so flow
 * control and pause are untouched) and `emit` ('response', 'error', 'close') on the instance.
 *
 * Not applied on this path: the request gates (cache, limits) and tokentrace's own retries; their
 * control headers are stripped all the same (README, Known limits).
 */
import { context } from '@opentelemetry/api';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import { withHeaders } from '../context/trace-propagation.js';
import { readRequestHeader } from '../context/request-header.js';
import { stripTrackingHeaders, type HeaderShape } from '../context/tracking-headers.js';
import type { EndpointRegistry } from '../providers/endpoint-registry.js';
import { guard } from '../telemetry/guard.js';
import { isCallInProgress } from './call-in-progress.js';
import { startLlmCall } from './call-starter.js';
import type { CaptureDeps, LlmCall } from './llm-call.js';
import { isBuiltinLoaded } from './lazy-builtins.js';
import { abortedError, observeRequestBody } from './node-http-capture.js';
import { parseOrigin, requestTarget } from './request-target.js';
import { objectHeaderLookup } from './response-headers.js';

type Origin = NonNullable<ReturnType<typeof parseOrigin>>;
type Connect = (...args: unknown[]) => ClientHttp2Session;
type Request = (this: ClientHttp2Session, headers?: unknown, ...rest: unknown[]) => ClientHttp2Stream;
export interface Http2Module {
  connect: Connect;
}

export class Http2Capture {
  private enabled = false;
  private patched?: { module: Http2Module; connect: Connect; wrappedConnect: Connect };
  private requestPatch?: { proto: { request: Request }; request: Request; wrapped: Request };
  /** Where each session connected to, from its `connect` call. */
  private readonly origins = new WeakMap<object, Origin>();

  constructor(
    private readonly deps: () => CaptureDeps,
    private readonly registry: () => EndpointRegistry,
  ) {}

  /** Patches node:http2 now if it is loaded (by the app, or by fetch's undici); else patchModule does on its first require. */
  enable(): void {
    this.enabled = true;
    if (!this.patched && isBuiltinLoaded('http2')) this.patchModule(createRequire(import.meta.url)('node:http2') as Http2Module);
  }

  disable(): void {
    this.enabled = false;
    const p = this.patched;
    if (p && p.module.connect === p.wrappedConnect) p.module.connect = p.connect;
    const r = this.requestPatch;
    if (r && r.proto.request === r.wrapped) r.proto.request = r.request;
    this.patched = undefined;
    this.requestPatch = undefined;
    syncBuiltinESMExports();
  }

  /** Wraps `connect` on the module's exports (once); returns them, as a require hook must, even if patching failed. */
  patchModule(module: Http2Module): Http2Module {
    if (this.enabled && !this.patched) guard('http2 capture', () => this.wrapConnect(module));
    return module;
  }

  private wrapConnect(module: Http2Module): void {
    const original = module.connect;
    const capture = this;
    const wrappedConnect = function connect(this: unknown, ...args: unknown[]): ClientHttp2Session {
      const session = original.apply(this, args);
      guard('http2 connect', () => capture.adopt(session, args[0]));
      return session;
    } as Connect;
    module.connect = wrappedConnect;
    this.patched = { module, connect: original, wrappedConnect };
    syncBuiltinESMExports(); // `import { connect } from 'node:http2'` sees the wrapper too
  }

  /** Remembers the session's origin; the first session's prototype gets the `request` wrapper. */
  private adopt(session: ClientHttp2Session, authority: unknown): void {
    if (!this.patched) return; // disabled since
    const origin = typeof authority === 'string' || authority instanceof URL ? parseOrigin(authority) : undefined;
    if (origin) this.origins.set(session, origin);
    if (this.requestPatch) return;
    const proto = Object.getPrototypeOf(session) as { request: Request };
    const original = proto.request;
    const capture = this;
    // Every HTTP/2 request of the process passes here (gRPC too): `arguments` handed on as they are, no rest array.
    const wrapped = function request(this: ClientHttp2Session): ClientHttp2Stream {
      return capture.request(this, original, arguments as unknown as unknown[]);
    } as Request;
    proto.request = wrapped;
    this.requestPatch = { proto, request: original, wrapped };
  }

  private request(session: ClientHttp2Session, original: Request, args: unknown[]): ClientHttp2Stream {
    let call: LlmCall | undefined;
    let forwarded = args;
    guard('http2 request', () => {
      const headers = args[0];
      const origin = this.origins.get(session);
      if (!origin || headers == null || typeof headers !== 'object') return;
      const shape = headers as HeaderShape;
      const method = readRequestHeader(shape, ':method');
      if (method !== 'POST' && method !== 'post') return; // node:http2 defaults to GET
      const path = readRequestHeader(shape, ':path') ?? '/';
      const endpoint = this.registry().match(requestTarget(origin, method, path, shape));
      const parent = context.active();
      // Already captured higher up (undici over HTTP/2): one call, one span.
      if (!endpoint || isCallInProgress(parent)) return;
      const stripped = stripTrackingHeaders(shape);
      call = startLlmCall(this.deps(), endpoint, stripped.tracking, parent, { path, headers: shape });
      const added = call.propagationHeaders;
      const sent = added ? withHeaders(stripped.headers, added) : stripped.headers;
      if (sent !== headers) {
        forwarded = [...args];
        forwarded[0] = keepSymbolKeys(headers as object, sent);
      }
      const options = args[1] as { endStream?: boolean } | undefined;
      if (options?.endStream) call.onRequestBodyEnd();
    });
    if (!call) return original.apply(session, forwarded);
    const activeCall = call;
    let stream: ClientHttp2Stream;
    try {
      stream = context.with(activeCall.context, () => original.apply(session, forwarded));
    } catch (err) {
      guard('http2 request', () => activeCall.onError(err));
      throw err;
    }
    guard('http2 request', () => observeStream(stream, activeCall));
    return stream;
  }
}

/**
 * `sent` with the symbol-keyed entries of the app's headers (`http2.sensitiveHeaders`, which says
 * which headers must never be compressed into the HPACK table) that copying by name dropped.
 */
function keepSymbolKeys(original: object, sent: unknown): unknown {
  if (Array.isArray(original) || sent === null || typeof sent !== 'object' || Array.isArray(sent)) return sent;
  for (const key of Object.getOwnPropertySymbols(original)) {
    if (!Object.hasOwn(sent, key)) (sent as Record<symbol, unknown>)[key] = (original as Record<symbol, unknown>)[key];
  }
  return sent;
}

function observeStream(stream: ClientHttp2Stream, call: LlmCall): void {
  const push = stream.push;
  const emit = stream.emit;
  observeRequestBody(stream, call);
  let ended = false;
  // The session hands response body bytes to the stream with push(). push(null) on an open stream
  // is the peer's END_STREAM; on a closed one, a reset or the app's close(): 'error'/'close' say which.
  // Per chunk and per event (each 'data' passes through emit): `arguments` handed on as they are, no rest array made.
  stream.push = function (this: ClientHttp2Stream, chunk: unknown) {
    const closedBefore = chunk === null && this.closed;
    const result = (push as (...a: unknown[]) => boolean).apply(this, arguments as unknown as unknown[]);
    if (chunk === null) {
      if (!closedBefore && !ended) {
        ended = true;
        guard('response end', () => call.onResponseEnd());
      }
    } else if (chunk instanceof Uint8Array) call.onResponseChunk(chunk);
    return result;
  } as ClientHttp2Stream['push'];
  stream.emit = function (this: ClientHttp2Stream, event: string | symbol, arg?: unknown) {
    if (event === 'response') {
      guard('response', () => call.onResponseStart(Number((arg as IncomingHttpHeaders)[':status']) || 0, objectHeaderLookup(arg)));
    } else if (event === 'error') {
      guard('request error', () => call.onError(streamFailure(arg)));
    } else if (event === 'close' && !ended) {
      // Closed by the app (close(), an abort signal) or the session before the response ended.
      guard('request error', () => call.onError(stream.errored ?? abortedError('stream closed before the end of its response')));
    }
    return emit.apply(this, arguments as unknown as Parameters<ClientHttp2Stream['emit']>);
  } as ClientHttp2Stream['emit'];
}

/**
 * Why a stream failed: a stream still pending when its session failed (connection refused, TLS,
 * reset) fails with ERR_HTTP2_STREAM_CANCEL, its cause the session's error, which says more
 * (`ECONNREFUSED`, as the other paths report it).
 */
function streamFailure(err: unknown): unknown {
  const e = err as { code?: unknown; cause?: unknown } | undefined;
  return e?.code === 'ERR_HTTP2_STREAM_CANCEL' && e.cause instanceof Error ? e.cause : err;
}
