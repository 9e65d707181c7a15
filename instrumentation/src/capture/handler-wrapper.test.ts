/**
 * The wrappers around undici dispatch handlers (handler-wrapper.ts) and the fetch capture's
 * observing one (observed-handler.ts): undici picks a handler's style and optional callbacks by
 * the methods it finds, so a wrapper has exactly the handler's methods; each forwards undici's
 * arguments as they are, returns what the handler returned, with the handler as `this`; the call
 * hears of the response after the handler (errors before).
 */
import { describe, expect, it } from 'vitest';
import { HANDLER_METHODS, handlerWrapper, type Handler } from './handler-wrapper.js';
import type { LlmCall } from './llm-call.js';
import { observeHandler } from './observed-handler.js';

class Plain {
  constructor(
    readonly handler: Handler,
    readonly state: undefined,
  ) {}
}
const wrapPlain = handlerWrapper(Plain, {});

/** A handler with these methods, each logging its name, `this`, and its arguments, and returning `ret:<name>`. */
function recordingHandler(names: readonly string[], log: unknown[][]): Handler {
  const handler: Handler = {};
  for (const name of names) {
    handler[name] = function (this: unknown, ...args: unknown[]) {
      log.push([name, this, args.length, ...args]);
      return `ret:${name}`;
    };
  }
  return handler;
}

const CLASSIC = ['onConnect', 'onResponseStarted', 'onHeaders', 'onData', 'onComplete', 'onError', 'onUpgrade'];
const CONTROLLER = ['onRequestStart', 'onRequestUpgrade', 'onResponseStart', 'onResponseData', 'onResponseEnd', 'onResponseError'];

function methodsOf(object: Handler): string[] {
  return HANDLER_METHODS.filter((name) => typeof object[name] === 'function');
}

describe('handlerWrapper', () => {
  it('has exactly the handler methods of either style that the handler has', () => {
    for (const names of [CLASSIC, CONTROLLER, ['onConnect', 'onHeaders', 'onData', 'onComplete', 'onError', 'onBodySent', 'onRequestSent'], [...CLASSIC, ...CONTROLLER]]) {
      const wrapped = wrapPlain(recordingHandler(names, []), undefined);
      expect(methodsOf(wrapped).sort()).toEqual([...names].sort());
    }
    // How undici 7 tells the styles apart (wrap-handler.js, unwrap-handler.js).
    expect(wrapPlain(recordingHandler(CLASSIC, []), undefined).onRequestStart).toBeUndefined();
    expect(typeof wrapPlain(recordingHandler(CONTROLLER, []), undefined).onRequestStart).toBe('function');
  });

  it('forwards arguments as given, with the handler as this, and returns what the handler returns', () => {
    const log: unknown[][] = [];
    const handler = recordingHandler([...CLASSIC, ...CONTROLLER, 'onBodySent', 'onRequestSent'], log);
    const wrapped = wrapPlain(handler, undefined);
    const chunk = Buffer.from('x');
    expect((wrapped.onConnect as (...a: unknown[]) => unknown)('abort')).toBe('ret:onConnect');
    expect((wrapped.onHeaders as (...a: unknown[]) => unknown)(200, ['a', 'b'], 'resume', 'OK')).toBe('ret:onHeaders');
    expect((wrapped.onData as (...a: unknown[]) => unknown)(chunk)).toBe('ret:onData');
    expect((wrapped.onResponseStarted as () => unknown)()).toBe('ret:onResponseStarted');
    expect((wrapped.onResponseData as (...a: unknown[]) => unknown)('controller', chunk)).toBe('ret:onResponseData');
    expect((wrapped.onBodySent as (...a: unknown[]) => unknown)(chunk, 'extra')).toBe('ret:onBodySent');
    expect(log).toEqual([
      ['onConnect', handler, 1, 'abort'],
      ['onHeaders', handler, 4, 200, ['a', 'b'], 'resume', 'OK'],
      ['onData', handler, 1, chunk],
      ['onResponseStarted', handler, 0],
      ['onResponseData', handler, 2, 'controller', chunk],
      ['onBodySent', handler, 2, chunk, 'extra'],
    ]);
  });

  it('calls a method the handler replaced after it was wrapped', () => {
    const log: unknown[][] = [];
    const handler = recordingHandler(CLASSIC, log);
    const wrapped = wrapPlain(handler, undefined);
    handler.onData = () => 'replaced';
    expect((wrapped.onData as (...a: unknown[]) => unknown)(Buffer.from('x'))).toBe('replaced');
  });

  it('copies a handler-method name that holds no function, as undici would read it', () => {
    const handler = { ...recordingHandler(CLASSIC, []), onBodySent: null };
    const wrapped = wrapPlain(handler, undefined);
    expect(wrapped.onBodySent).toBeNull();
    expect(methodsOf(wrapped).sort()).toEqual([...CLASSIC].sort());
  });

  it('uses one class per set of methods', () => {
    const a = wrapPlain(recordingHandler(CLASSIC, []), undefined);
    const b = wrapPlain(recordingHandler(CLASSIC, []), undefined);
    const c = wrapPlain(recordingHandler(CONTROLLER, []), undefined);
    expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b));
    expect(Object.getPrototypeOf(a)).not.toBe(Object.getPrototypeOf(c));
  });
});

describe('observeHandler', () => {
  /** A stand-in for the call: logs what it is told, in the same log as the handler. */
  function fakeCall(log: unknown[][]): LlmCall {
    return {
      onResponseStart: (status: number, header: (name: string) => string | undefined) => log.push(['call.start', status, header('content-type')]),
      onResponseChunk: (chunk: Uint8Array) => log.push(['call.chunk', String(chunk)]),
      onResponseEnd: () => log.push(['call.end']),
      onError: (err: unknown) => log.push(['call.error', err]),
    } as unknown as LlmCall;
  }

  it('classic style: headers to the call first, chunks and end after the handler, errors before it', () => {
    const log: unknown[][] = [];
    const handler = recordingHandler(CLASSIC, log);
    const wrapped = observeHandler(handler, fakeCall(log));
    expect(methodsOf(wrapped).sort()).toEqual([...CLASSIC].sort());
    const raw = [Buffer.from('Content-Type'), Buffer.from('text/event-stream')];
    expect((wrapped.onHeaders as (...a: unknown[]) => unknown)(200, raw, 'resume', 'OK')).toBe('ret:onHeaders');
    expect((wrapped.onData as (...a: unknown[]) => unknown)(Buffer.from('one'))).toBe('ret:onData');
    expect((wrapped.onComplete as (...a: unknown[]) => unknown)([])).toBe('ret:onComplete');
    const err = new Error('reset');
    expect((wrapped.onError as (...a: unknown[]) => unknown)(err)).toBe('ret:onError');
    expect(log.map((entry) => (entry[1] === handler ? [entry[0], entry[2]] : entry))).toEqual([
      ['call.start', 200, 'text/event-stream'],
      ['onHeaders', 4],
      ['onData', 1],
      ['call.chunk', 'one'],
      ['onComplete', 1],
      ['call.end'],
      ['call.error', err],
      ['onError', 1],
    ]);
  });

  it('controller style: the same order, the status, headers and chunk read past the controller', () => {
    const log: unknown[][] = [];
    const handler = recordingHandler(CONTROLLER, log);
    const wrapped = observeHandler(handler, fakeCall(log));
    expect(methodsOf(wrapped).sort()).toEqual([...CONTROLLER].sort());
    const controller = {};
    expect((wrapped.onResponseStart as (...a: unknown[]) => unknown)(controller, 201, { 'content-type': 'application/json' }, 'Created')).toBe('ret:onResponseStart');
    expect((wrapped.onResponseData as (...a: unknown[]) => unknown)(controller, Buffer.from('two'))).toBe('ret:onResponseData');
    expect((wrapped.onResponseEnd as (...a: unknown[]) => unknown)(controller, {})).toBe('ret:onResponseEnd');
    const err = new Error('aborted');
    expect((wrapped.onResponseError as (...a: unknown[]) => unknown)(controller, err)).toBe('ret:onResponseError');
    expect(log.map((entry) => (entry[1] === handler ? [entry[0], entry[2], entry[3]] : entry))).toEqual([
      ['call.start', 201, 'application/json'],
      ['onResponseStart', 4, controller],
      ['onResponseData', 2, controller],
      ['call.chunk', 'two'],
      ['onResponseEnd', 2, controller],
      ['call.end'],
      ['call.error', err],
      ['onResponseError', 2, controller],
    ]);
  });

  it('a failing call observer does not reach the handler', () => {
    const log: unknown[][] = [];
    const handler = recordingHandler(CLASSIC, log);
    const call = {
      onResponseStart: () => {
        throw new Error('broken');
      },
      onResponseEnd: () => {
        throw new Error('broken');
      },
      onError: () => {
        throw new Error('broken');
      },
    } as unknown as LlmCall;
    const wrapped = observeHandler(handler, call);
    expect((wrapped.onHeaders as (...a: unknown[]) => unknown)(200, [], 'resume', 'OK')).toBe('ret:onHeaders');
    expect((wrapped.onComplete as (...a: unknown[]) => unknown)([])).toBe('ret:onComplete');
    expect((wrapped.onError as (...a: unknown[]) => unknown)(new Error('x'))).toBe('ret:onError');
    expect(log.map((entry) => entry[0])).toEqual(['onHeaders', 'onComplete', 'onError']);
  });
});
