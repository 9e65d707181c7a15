/**
 * Request gates on the fetch path (undici's dispatcher). The request body is read whole, the
 * gates decide, then either the app's handler is driven with a local response (undici 6's
 * onConnect/onHeaders/onData/onComplete, which fetch uses on Node 22 and 24, or undici 7's
 * onRequestStart/onResponseStart/... for handlers written against it) exactly as a connection
 * would drive it, or the request is dispatched with the body as bytes and its response observed.
 */
import { context } from '@opentelemetry/api';
import { forward, handlerWrapper, type Handler, type Method } from '../capture/handler-wrapper.js';
import { readRequestHeader } from '../context/request-header.js';
import type { HeaderShape } from '../context/tracking-headers.js';
import { recordCaptureError } from '../telemetry/guard.js';
import type { GateSelection } from './gate-chain.js';
import { GateObservation, type ResponseSeen } from './gate-observation.js';
import { objectFromPairs, pairsFromObject, pairsFromRaw, type LocalResponse } from './local-response.js';
import { readRequestBody } from './request-body.js';
import { gateRequest } from './request-gate.js';
import { statusText } from './status-text.js';

interface DispatchOptions {
  method?: string;
  path?: string;
  headers?: HeaderShape;
  body?: unknown;
  [key: string]: unknown;
}
type Dispatch = (options: DispatchOptions, handler: Handler) => boolean;

export type { GateSelection };

export interface UndiciGateInput extends GateSelection {
  dispatch: Dispatch;
  /** As it will be sent: tracking headers removed. */
  options: DispatchOptions;
  /** The app's handler, already observed by the call. */
  handler: Handler;
}

/** Returns at once (true: undici's "not busy"); the request goes out, or is answered, later. */
export function dispatchThroughGates(input: UndiciGateInput): boolean {
  const body = readRequestBody(input.options.body);
  if (body === undefined) return context.with(input.call.context, () => input.dispatch(input.options, input.handler));
  void Promise.resolve(body)
    .then((bytes) => decide(input, bytes))
    .catch((err: unknown) => callHandler(input.handler, 'onError', err, 'onResponseError'));
  return true;
}

async function decide(input: UndiciGateInput, body: Buffer): Promise<void> {
  const { options, call } = input;
  const request = gateRequest(input, {
    method: (options.method ?? 'POST').toUpperCase(),
    path: options.path ?? '/',
    header: (name) => readRequestHeader(options.headers, name),
    body,
  });
  const outcome = await input.chain.run(input.gates, request);
  const observation = new GateObservation(outcome, request, call);
  if (outcome.respond) {
    const response = outcome.respond;
    const text = response.statusText ?? statusText(response.status);
    replay(input.handler, response, (complete) => observation.responseEnded({ ...response, statusText: text, complete, local: true }));
    return;
  }
  const observing = observeForGates(input.handler, outcome.responseHeaders, observation);
  context.with(call.context, () => input.dispatch({ ...options, body }, observing));
}

/** The handler seen through a wrapper that adds the gates' headers and reports the complete response. */
function observeForGates(handler: Handler, extra: [string, string][], observation: GateObservation): Handler {
  return gateObserved(handler, new GateResponse(extra, observation));
}

/** What the gates' observation of one response has seen so far. */
class GateResponse {
  readonly seen: ResponseSeen = { status: 0, statusText: '', headers: [], chunks: [], complete: false, local: false };
  constructor(
    /** Headers the gates add to the response the app gets. */
    readonly extra: [string, string][],
    private readonly observation: GateObservation,
  ) {}

  finish(complete: boolean): void {
    this.observation.responseEnded({ ...this.seen, complete });
  }
}

class GateObservedHandler {
  constructor(
    readonly handler: Handler,
    readonly response: GateResponse,
  ) {}
}

const gateObserved = handlerWrapper(GateObservedHandler, {
  onHeaders(status: number, raw: unknown, ...rest: unknown[]) {
    const { seen, extra } = this.response;
    seen.status = status;
    seen.statusText = typeof rest[1] === 'string' ? rest[1] : '';
    seen.headers = pairsFromRaw(raw);
    const withExtra = extra.length ? [...(raw as unknown[]), ...extra.flatMap(([k, v]) => [Buffer.from(k), Buffer.from(v)])] : raw;
    return (this.handler.onHeaders as Method).call(this.handler, status, withExtra, ...rest);
  },
  onData(chunk: Uint8Array) {
    this.response.seen.chunks.push(Buffer.from(chunk));
    return (this.handler.onData as Method).call(this.handler, chunk);
  },
  onComplete() {
    const result = forward(this, 'onComplete', arguments);
    this.response.finish(true);
    return result;
  },
  onError() {
    this.response.finish(false);
    return forward(this, 'onError', arguments);
  },
  onResponseStart(controller: unknown, status: number, headers: unknown, message: unknown) {
    const { seen, extra } = this.response;
    seen.status = status;
    seen.statusText = typeof message === 'string' ? message : '';
    seen.headers = pairsFromObject(headers);
    const withExtra = extra.length ? objectFromPairs([...seen.headers, ...extra]) : headers;
    return (this.handler.onResponseStart as Method).call(this.handler, controller, status, withExtra, message);
  },
  onResponseData(controller: unknown, chunk: Uint8Array) {
    this.response.seen.chunks.push(Buffer.from(chunk));
    return (this.handler.onResponseData as Method).call(this.handler, controller, chunk);
  },
  onResponseEnd() {
    const result = forward(this, 'onResponseEnd', arguments);
    this.response.finish(true);
    return result;
  },
  onResponseError() {
    this.response.finish(false);
    return forward(this, 'onResponseError', arguments);
  },
});

/**
 * Drives the handler with a local response as a connection would: connect, headers, the chunks
 * one call each (as undici delivers what one socket read holds), pausing when the handler asks
 * until it resumes, then the end. An abort from the app stops it with the handler's error callback.
 */
export function replay(handler: Handler, response: LocalResponse, done: (complete: boolean) => void): void {
  const legacy = typeof handler.onHeaders === 'function';
  let aborted = false;
  let paused = false;
  let index = 0;
  const fail = (reason: unknown) => {
    if (aborted) return;
    aborted = true;
    done(false);
    callHandler(handler, 'onError', reason ?? abortError(), 'onResponseError', controller);
  };
  const resume = () => {
    if (!paused) return;
    paused = false;
    setImmediate(next);
  };
  const controller = {
    get aborted() {
      return aborted;
    },
    get paused() {
      return paused;
    },
    reason: null as unknown,
    abort: (reason: unknown) => fail(reason),
    pause: () => {
      paused = true;
    },
    resume,
  };
  /** Delivers chunks until the handler pauses (resume() continues), then the end. */
  const next = () => {
    if (aborted || paused) return;
    try {
      while (index < response.chunks.length) {
        const chunk = Buffer.from(response.chunks[index++]!);
        const more = legacy ? call(handler, 'onData', chunk) : call(handler, 'onResponseData', controller, chunk);
        if (aborted) return;
        if (more === false || paused) {
          paused = true;
          return;
        }
      }
      if (legacy) call(handler, 'onComplete', []);
      else call(handler, 'onResponseEnd', controller, {});
      aborted = true; // nothing may follow the end
      done(true);
    } catch (err) {
      fail(err);
    }
  };
  try {
    const status = response.status;
    const text = response.statusText ?? statusText(status);
    if (legacy) {
      call(handler, 'onConnect', fail);
      if (aborted) return;
      call(handler, 'onResponseStarted');
      const raw = response.headers.flatMap(([k, v]) => [Buffer.from(k, 'latin1'), Buffer.from(v, 'latin1')]);
      if (call(handler, 'onHeaders', status, raw, resume, text) === false) paused = true;
    } else {
      call(handler, 'onRequestStart', controller, {});
      if (aborted) return;
      call(handler, 'onResponseStart', controller, status, objectFromPairs(response.headers), text);
    }
  } catch (err) {
    fail(err);
    return;
  }
  next();
}

function call(handler: Handler, method: string, ...args: unknown[]): unknown {
  const fn = handler[method];
  return typeof fn === 'function' ? (fn as Method).apply(handler, args) : undefined;
}

/** Reports an error to either handler style. */
function callHandler(handler: Handler, legacy: string, err: unknown, modern: string, controller?: unknown): void {
  try {
    if (typeof handler[legacy] === 'function') call(handler, legacy, err);
    else call(handler, modern, controller, err);
  } catch (e) {
    recordCaptureError('gate', e);
  }
}

function abortError(): Error {
  const err = new Error('The operation was aborted.');
  err.name = 'AbortError';
  return err;
}
