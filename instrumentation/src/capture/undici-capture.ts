/**
 * Captures LLM calls made with the global `fetch` (Node's bundled undici, 6.x on Node 22, 7.x on
 * Node 24) by wrapping the global dispatcher. A dispatcher sees the request before it is sent
 * (so tracking headers can be removed and the GenAI span can be the parent of the HTTP span that
 * instrumentation-undici opens inside `dispatch`), and every response chunk as undici delivers
 * it, on both versions: undici 6 publishes no response-body diagnostics channel.
 */
import { context, diag, type Context } from '@opentelemetry/api';
import { withHeaders } from '../context/trace-propagation.js';
import { stripTrackingHeaders, type HeaderShape, type HeaderTracking } from '../context/tracking-headers.js';
import type { EndpointRegistry } from '../providers/endpoint-registry.js';
import type { LlmEndpoint } from '../providers/types.js';
import { dispatchThroughGates, type GateSelection } from '../gate/undici-gate.js';
import { canReplay } from '../retry/replayable-body.js';
import { callRetryPolicy } from '../retry/call-retry-policy.js';
import type { RetryPolicy } from '../retry/retry-options.js';
import { canRetryHandler, dispatchWithRetry } from '../retry/undici-retry.js';
import { guard, recordCaptureError } from '../telemetry/guard.js';
import { selectGates, startLlmCall, type RequestShape } from './call-starter.js';
import type { CaptureDeps, LlmCall } from './llm-call.js';
import type { Handler } from './handler-wrapper.js';
import { observeHandler, rawHeaderLookup } from './observed-handler.js';
import { observeRequestBody } from './request-body-tee.js';
import { parseOrigin, requestTarget } from './request-target.js';

/** undici's own key for the global dispatcher (lib/global.js), shared by every undici copy. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

interface DispatchOptions {
  origin?: string | URL;
  path?: string;
  method?: string;
  headers?: HeaderShape;
  body?: unknown;
  [key: string]: unknown;
}
interface Dispatcher {
  dispatch(options: DispatchOptions, handler: Handler): boolean;
}

type GlobalWithDispatcher = typeof globalThis & { [GLOBAL_DISPATCHER]?: Dispatcher };

export class UndiciCapture {
  private original?: Dispatcher;
  private wrapper?: Dispatcher;
  /** The stand-in for the global `fetch` while undici is not loaded yet (see enable), and the original. */
  private fetchStandIn?: typeof fetch;
  private originalFetch?: typeof fetch;

  constructor(
    private readonly deps: () => CaptureDeps,
    private readonly registry: () => EndpointRegistry,
  ) {}

  /**
   * Wraps the global dispatcher at once when undici is loaded. Otherwise not yet: loading Node's
   * bundled undici (and the node:http2 it requires) costs a process tens of milliseconds at
   * start, which an app that never calls fetch should not pay. The global `fetch` is then
   * replaced by a stand-in that, on its first call, loads undici, wraps its dispatcher, puts the
   * original `fetch` back and calls it; code that kept a reference to the stand-in calls the
   * original through it.
   */
  enable(): void {
    if (this.wrapper || this.fetchStandIn) return;
    const g = globalThis as GlobalWithDispatcher;
    if (g[GLOBAL_DISPATCHER] || typeof g.fetch !== 'function') {
      this.wrapGlobalDispatcher();
      return;
    }
    const originalFetch = g.fetch;
    const standIn = function fetch(this: unknown, ...args: Parameters<typeof globalThis.fetch>) {
      if (capture.fetchStandIn === standIn) capture.installOnFirstFetch();
      return originalFetch.apply(this, args);
    } as typeof globalThis.fetch;
    const capture = this;
    this.fetchStandIn = standIn;
    this.originalFetch = originalFetch;
    g.fetch = standIn;
  }

  disable(): void {
    const g = globalThis as GlobalWithDispatcher;
    // Only undo our own wrapper: the app may have installed another dispatcher since.
    if (this.wrapper && g[GLOBAL_DISPATCHER] === this.wrapper) g[GLOBAL_DISPATCHER] = this.original;
    this.wrapper = undefined;
    this.original = undefined;
    this.restoreFetch();
  }

  private installOnFirstFetch(): void {
    this.restoreFetch();
    guard('fetch capture', () => this.wrapGlobalDispatcher());
  }

  /** Puts the original `fetch` back, unless the app has set another one since. */
  private restoreFetch(): void {
    const g = globalThis;
    if (this.fetchStandIn && g.fetch === this.fetchStandIn) g.fetch = this.originalFetch!;
    this.fetchStandIn = undefined;
    this.originalFetch = undefined;
  }

  private wrapGlobalDispatcher(): void {
    const g = globalThis as GlobalWithDispatcher;
    // Touching a lazy undici global loads Node's bundled undici, which installs its Agent.
    void g.Headers;
    const original = g[GLOBAL_DISPATCHER];
    if (!original || typeof original.dispatch !== 'function') {
      diag.warn('tokentrace: no global undici dispatcher found; fetch calls will not be captured');
      return;
    }
    this.original = original;
    this.wrapper = wrapDispatcher(original, (options, handler) => this.dispatch(original, options, handler));
    g[GLOBAL_DISPATCHER] = this.wrapper;
  }

  private dispatch(inner: Dispatcher, options: DispatchOptions, handler: Handler): boolean {
    let started: StartedCall | RetriedCall | undefined;
    try {
      started = this.start(options, handler);
    } catch (err) {
      recordCaptureError('fetch request', err);
    }
    if (!started) return inner.dispatch(options, handler);
    if (started instanceof StartedCall) return this.send(inner, started.options, handler, started.call, started.gate);
    // Retries outermost: each attempt is its own call, through the gates (a limit counts each attempt).
    const r = started;
    return dispatchWithRetry(options.body, r.retry, r.deps.config.retry.sleep, handler, rawHeaderLookup, (n, body, attemptHandler) => {
      const attempt = n === 0 ? r.first : startLlmCall(r.deps, r.endpoint, r.tracking, r.parent, r.request, n);
      const attemptOptions = { ...options, headers: headersFor(r.headers, attempt), body: observeRequestBody(body, attempt) };
      this.send(inner, attemptOptions, attemptHandler, attempt, selectGates(r.deps, attempt, r.endpoint, r.protocol, r.tracking?.controls));
    });
  }

  /** The call this request is, with the options to send, when it goes to an LLM endpoint. */
  private start(options: DispatchOptions, handler: Handler): StartedCall | RetriedCall | undefined {
    const path = options.path;
    if (!options.origin || typeof path !== 'string') return undefined;
    const origin = parseOrigin(options.origin);
    if (!origin) return undefined;
    const endpoint = this.registry().match(requestTarget(origin, options.method, path, options.headers));
    if (!endpoint) return undefined;
    const { headers, tracking } = stripTrackingHeaders(options.headers);
    const deps = this.deps();
    const parent = context.active();
    const request: RequestShape = { path, headers: options.headers };
    const policy = callRetryPolicy(deps.config.retry, tracking, parent);
    const retry = policy && canReplay(options.body) && canRetryHandler(handler) ? policy : undefined;
    const call = startLlmCall(deps, endpoint, tracking, parent, request, retry && 0);
    try {
      // Each attempt is sent with its own traceparent and observed body (dispatch).
      if (retry) return { retry, deps, endpoint, tracking, parent, request, headers, protocol: origin.protocol, first: call };
      // One copy of the options: our traceparent (headersFor) and the observed body.
      const forwarded = { ...options, headers: headersFor(headers, call), body: observeRequestBody(options.body, call) };
      return new StartedCall(forwarded, call, selectGates(deps, call, endpoint, origin.protocol, tracking?.controls));
    } catch (err) {
      // The span is open: the call is still observed, sent as the app made it.
      recordCaptureError('fetch request', err);
      return new StartedCall(options, call, undefined);
    }
  }

  /** Dispatches one observed call, through the request gates when some want it. */
  private send(inner: Dispatcher, options: DispatchOptions, handler: Handler, call: LlmCall, gate: GateSelection | undefined): boolean {
    const observed = observeHandler(handler, call);
    if (gate) return dispatchThroughGates({ ...gate, dispatch: (o, h) => inner.dispatch(o, h), options, handler: observed });
    return context.with(call.context, () => inner.dispatch(options, observed));
  }
}

/** What each attempt of a call tokentrace retries itself is started from. */
interface RetriedCall {
  retry: RetryPolicy;
  deps: CaptureDeps;
  endpoint: LlmEndpoint;
  tracking: HeaderTracking | undefined;
  parent: Context;
  request: RequestShape;
  /** The request headers without the tracking ones. */
  headers: HeaderShape;
  protocol: 'http:' | 'https:';
  first: LlmCall;
}

/** A call sent once: the options as sent (observed body, traceparent), its gates if any. */
class StartedCall {
  constructor(
    readonly options: DispatchOptions,
    readonly call: LlmCall,
    readonly gate: GateSelection | undefined,
  ) {}
}

/** Each attempt names its own span downstream (traceparent) when no HTTP span is made. */
function headersFor(headers: HeaderShape, call: LlmCall): HeaderShape {
  return call.propagationHeaders ? withHeaders(headers, call.propagationHeaders) : headers;
}

/** A stand-in for the dispatcher that differs only in `dispatch`; everything else is the original's. */
function wrapDispatcher(original: Dispatcher, dispatch: Dispatcher['dispatch']): Dispatcher {
  return new Proxy(original, {
    get(target, prop) {
      if (prop === 'dispatch') return dispatch;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
