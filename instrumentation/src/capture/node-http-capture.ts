/**
 * Captures LLM calls made through node:http and node:https (axios, node-fetch based SDKs such as
 * openai v4, the AWS SDK's NodeHttpHandler). `request` and `get` are wrapped on the module
 * objects, after any other instrumentation's patch, so our GenAI span is the active parent when
 * the HTTP instrumentation opens its span. Bodies are observed through the instance's own
 * `write`/`end`, `emit` and the response's `push`, which never changes how the streams flow.
 */
import { context } from '@opentelemetry/api';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { withHeaders } from '../context/trace-propagation.js';
import { stripTrackingHeaders, type HeaderShape, type HeaderTracking } from '../context/tracking-headers.js';
import { defaultPort, type EndpointRegistry, type RequestTarget } from '../providers/endpoint-registry.js';
import { requestThroughGates, type NodeHttpGateInput } from '../gate/node-http-gate.js';
import { callRetryPolicy } from '../retry/call-retry-policy.js';
import { retryClientRequest, type Resend } from '../retry/node-http-retry.js';
import type { RetryPolicy } from '../retry/retry-options.js';
import { guard } from '../telemetry/guard.js';
import { selectGates, startLlmCall } from './call-starter.js';
import { isBuiltinLoaded } from './lazy-builtins.js';
import { objectHeaderLookup } from './response-headers.js';
import type { CaptureDeps, LlmCall } from './llm-call.js';

type RequestFn = (...args: unknown[]) => ClientRequest;
export interface HttpModule {
  request: RequestFn;
  get: RequestFn;
  globalAgent?: unknown;
}
type HttpModuleName = 'http' | 'https';
const HTTP_MODULES: readonly HttpModuleName[] = ['http', 'https'];
const HTTP_BY_SPECIFIER = new Map<string, HttpModuleName>(HTTP_MODULES.flatMap((name) => [[name, name], [`node:${name}`, name]]));

/** module.registerHooks (Node 22.15+, 23.5+): synchronous resolve hooks that see `require` and `import` alike. */
type RegisterHooks = (hooks: {
  resolve: (specifier: string, context: unknown, next: (specifier: string, context: unknown) => unknown) => unknown;
}) => { deregister(): void };

/** A `require` resolution (the require hook sees it) rather than an ES `import`. */
function isRequire(ctx: unknown): boolean {
  const conditions = (ctx as { conditions?: readonly string[] } | undefined)?.conditions;
  return conditions?.includes('require') ?? false;
}

interface Patch {
  name: HttpModuleName;
  module: HttpModule;
  request: RequestFn;
  get: RequestFn;
  wrappedRequest: RequestFn;
  wrappedGet: RequestFn;
}

export class NodeHttpCapture {
  private patches: Patch[] = [];
  private enabled = false;
  private hooks?: { deregister(): void };

  constructor(
    private readonly deps: () => CaptureDeps,
    private readonly registry: () => EndpointRegistry,
  ) {}

  /**
   * Patches node:http and node:https now when they are loaded, else when first loaded: a
   * `require` reaches patchModule through the instrumentation's require hook (after
   * instrumentation-http's, so ours is outermost); an ES `import` of them, which that hook does
   * not see, is turned into that `require` by a resolve hook (module.registerHooks, Node 22.15+)
   * before the importer gets the module. Without registerHooks, they are loaded and patched now.
   */
  enable(): void {
    if (this.enabled) return;
    this.enabled = true;
    const load = createRequire(import.meta.url);
    const registerHooks = (load('node:module') as { registerHooks?: RegisterHooks }).registerHooks;
    // Patched later only when Node says which built-ins it has loaded (else loaded and patched now).
    const lazy = typeof registerHooks === 'function' && isBuiltinLoaded('http') !== undefined;
    for (const name of HTTP_MODULES) {
      if (!lazy || isBuiltinLoaded(name)) this.patchModule(name, load(`node:${name}`) as HttpModule);
    }
    if (!lazy || this.patches.length === HTTP_MODULES.length) return;
    this.hooks = registerHooks({
      resolve: (specifier, ctx, next) => {
        const name = HTTP_BY_SPECIFIER.get(specifier);
        if (name && this.enabled && !this.isPatched(name) && !isRequire(ctx)) guard('node:http capture', () => load(`node:${name}`));
        return next(specifier, ctx);
      },
    });
  }

  disable(): void {
    this.enabled = false;
    this.hooks?.deregister();
    this.hooks = undefined;
    for (const p of this.patches) {
      if (p.module.request === p.wrappedRequest) p.module.request = p.request;
      if (p.module.get === p.wrappedGet) p.module.get = p.get;
    }
    this.patches = [];
    syncBuiltinESMExports();
  }

  /** Wraps `request` and `get` of node:http or node:https (once); returns the exports, as a require hook must. */
  patchModule(name: HttpModuleName, module: HttpModule): HttpModule {
    if (!this.enabled || this.isPatched(name)) return module;
    const protocol = name === 'https' ? 'https:' : 'http:';
    const request = module.request;
    const get = module.get;
    const wrappedRequest: RequestFn = (...args) => this.request(module, request, protocol, args);
    const wrappedGet: RequestFn = (...args) => {
      const req = wrappedRequest(...args);
      req.end();
      return req;
    };
    module.request = wrappedRequest;
    module.get = wrappedGet;
    this.patches.push({ name, module, request, get, wrappedRequest, wrappedGet });
    syncBuiltinESMExports(); // so that `import { request } from 'node:https'` sees the wrapper too
    return module;
  }

  private isPatched(name: HttpModuleName): boolean {
    return this.patches.some((p) => p.name === name);
  }

  private request(module: HttpModule, original: RequestFn, protocol: 'http:' | 'https:', args: unknown[]): ClientRequest {
    let call: LlmCall | undefined;
    let forwarded = args;
    let gate: NodeHttpGateInput | undefined;
    let retry: { policy: RetryPolicy; resend: Resend } | undefined;
    guard('http request', () => {
      const parsed = parseRequestArgs(args, protocol);
      if (!parsed) return;
      const endpoint = this.registry().match(parsed.target);
      if (!endpoint) return;
      let tracking: HeaderTracking | undefined;
      let target = parsed.target;
      const index = parsed.optionsIndex;
      // Only a POST is an LLM call, and only an options object says POST: index is set.
      const options = index === undefined ? undefined : (args[index] as RequestOptions);
      const stripped = stripTrackingHeaders(options?.headers as HeaderShape);
      if (index !== undefined) {
        tracking = stripped.tracking;
        target = { ...parsed.target, headers: stripped.headers };
      }
      /** The arguments an attempt is sent with: tracking headers stripped, its own traceparent added. */
      const argsFor = (c: LlmCall, from: unknown[]): unknown[] => {
        const added = c.propagationHeaders;
        if (index === undefined || (!tracking && !added)) return from;
        const out = [...from];
        out[index] = { ...options, headers: added ? withHeaders(stripped.headers, added) : stripped.headers };
        return out;
      };
      const deps = this.deps();
      const parent = context.active();
      const policy = callRetryPolicy(deps.config.retry, tracking, parent);
      const gatesFor = (c: LlmCall, a: unknown[]): NodeHttpGateInput | undefined => {
        const selected = selectGates(deps, c, endpoint, protocol, tracking?.controls);
        return selected && { ...selected, module, original, args: a, optionsIndex: parsed.optionsIndex, target };
      };
      call = startLlmCall(deps, endpoint, tracking, parent, parsed.target, policy && 0);
      forwarded = argsFor(call, args);
      gate = gatesFor(call, forwarded);
      if (policy) {
        // A resend carries the same options, without the app's response callback (the app's request relays the answer).
        const resendBase = typeof args[args.length - 1] === 'function' ? args.slice(0, -1) : args;
        retry = {
          policy,
          resend: (n) => {
            const attempt = startLlmCall(deps, endpoint, tracking, parent, parsed.target, n);
            const resendArgs = argsFor(attempt, resendBase);
            const attemptGate = gatesFor(attempt, resendArgs);
            const resent = attemptGate ? requestThroughGates(attemptGate) : context.with(attempt.context, () => original.apply(module, resendArgs));
            observeClientRequest(resent, attempt);
            return resent;
          },
        };
      }
    });
    if (!call) return original.apply(module, forwarded);
    const activeCall = call;
    const req = gate ? requestThroughGates(gate) : context.with(activeCall.context, () => original.apply(module, forwarded));
    // Beneath the observers: the first attempt's answer is recorded on its span before being held back.
    if (retry) guard('http request', () => retryClientRequest(req, retry!.policy, this.deps().config.retry.sleep, retry!.resend));
    guard('http request', () => observeClientRequest(req, activeCall));
    return req;
  }
}

interface ParsedArgs {
  target: RequestTarget;
  /** Index of the options object in the arguments, when there is one. */
  optionsIndex?: number;
}

/** Mirrors the argument forms of http.request: (url[, options][, cb]) and (options[, cb]). */
export function parseRequestArgs(args: unknown[], defaultProtocol: 'http:' | 'https:'): ParsedArgs | undefined {
  let url: URL | undefined;
  let optionsIndex: number | undefined;
  if (typeof args[0] === 'string' || args[0] instanceof URL) {
    url = new URL(args[0]);
    if (args[1] && typeof args[1] === 'object') optionsIndex = 1;
  } else if (args[0] && typeof args[0] === 'object') {
    optionsIndex = 0;
  } else return undefined;
  const options = (optionsIndex !== undefined ? args[optionsIndex] : {}) as RequestOptions & { href?: string };
  const protocol = (options.protocol ?? url?.protocol ?? defaultProtocol) as string;
  if (protocol !== 'http:' && protocol !== 'https:') return undefined;
  let hostname = options.hostname ?? options.host ?? url?.hostname ?? 'localhost';
  if (hostname.startsWith('[')) hostname = hostname.slice(1, -1);
  const port = Number(options.port ?? (url?.port || undefined) ?? options.defaultPort ?? defaultPort(protocol));
  const path = options.path ?? (url ? url.pathname + url.search : '/');
  return {
    target: { method: (options.method ?? 'GET').toUpperCase(), protocol, hostname, port, path, headers: options.headers as HeaderShape },
    optionsIndex,
  };
}

function observeClientRequest(req: ClientRequest, call: LlmCall): void {
  const emit = req.emit;
  observeRequestBody(req, call);
  let responded = false;
  // `arguments` handed on as they are: no rest array made per event.
  req.emit = function (this: ClientRequest, event: string | symbol, arg?: unknown) {
    if (event === 'response') {
      responded = true;
      guard('response', () => observeIncomingMessage(arg as IncomingMessage, call));
    } else if (event === 'error') {
      guard('request error', () => call.onError(arg));
    } else if (event === 'close' && !responded) {
      guard('request error', () => call.onError(abortedError('request closed before a response')));
    }
    return emit.apply(this, arguments as unknown as Parameters<ClientRequest['emit']>);
  } as ClientRequest['emit'];
}

function observeIncomingMessage(res: IncomingMessage, call: LlmCall): void {
  call.onResponseStart(res.statusCode ?? 0, objectHeaderLookup(res.headers));
  const push = res.push;
  const emit = res.emit;
  // The HTTP parser hands body bytes to the response with push(); push(null) marks the end. The
  // app's stream gets the chunk first; the call only notes it. Per chunk and per event (each
  // 'data' passes through emit): `arguments` handed on as they are, no rest array made.
  res.push = function (this: IncomingMessage, chunk: unknown) {
    const result = (push as (...a: unknown[]) => boolean).apply(this, arguments as unknown as unknown[]);
    if (chunk === null) guard('response end', () => call.onResponseEnd());
    else if (chunk instanceof Uint8Array) call.onResponseChunk(chunk);
    return result;
  } as IncomingMessage['push'];
  res.emit = function (this: IncomingMessage, event: string | symbol, arg?: unknown) {
    // 'aborted' comes first on a reset connection; the 'error' after it says why (ECONNRESET).
    if (event === 'error') guard('response error', () => call.onError(responseFailure(res, arg)));
    else if (event === 'close') {
      guard('response end', () => {
        if (res.complete) call.onResponseEnd();
        else call.onError(responseFailure(res, res.errored ?? abortedError('response closed before its end')));
      });
    }
    return emit.apply(this, arguments as unknown as Parameters<IncomingMessage['emit']>);
  } as IncomingMessage['emit'];
}

/**
 * The request body the app writes (`write`, then `end`), copied to the call on the instance's own
 * methods: a node:http ClientRequest or a node:http2 ClientHttp2Stream.
 */
export function observeRequestBody(writable: { write: unknown; end: unknown }, call: LlmCall): void {
  const write = writable.write as (...a: unknown[]) => boolean;
  const end = writable.end as (...a: unknown[]) => unknown;
  // `arguments` handed on as they are, as the response side does: no rest array per write.
  writable.write = function (this: unknown, chunk: unknown, encoding?: unknown) {
    captureChunk(call, chunk, encoding);
    return write.apply(this, arguments as unknown as unknown[]);
  };
  writable.end = function (this: unknown, chunk?: unknown, encoding?: unknown) {
    captureChunk(call, chunk, encoding);
    const result = end.apply(this, arguments as unknown as unknown[]);
    guard('request body', () => call.onRequestBodyEnd());
    return result;
  };
}

function captureChunk(call: LlmCall, chunk: unknown, encoding: unknown): void {
  if (typeof chunk === 'string' || chunk instanceof Uint8Array) {
    guard('request body', () => call.onRequestBodyChunk(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : undefined));
  }
}

/**
 * Why a response ended early. Node reports a request the client gave up with req.abort()
 * (node-fetch 2, hence openai v4) as a reset connection, ECONNRESET; it is the client's abort.
 */
function responseFailure(res: IncomingMessage, err: unknown): unknown {
  const abortedByClient = (res as IncomingMessage & { req?: ClientRequest }).req?.aborted === true;
  return abortedByClient ? abortedError('request aborted by the client') : err;
}

export function abortedError(message: string): Error {
  const err = new Error(message);
  err.name = 'AbortError';
  return err;
}
