/**
 * Wrappers around an undici dispatch handler (the capture's observers, the request gates'
 * response observation): plain objects, not proxies, that forward each handler method to the
 * handler, the methods a caller names being replaced by its own.
 *
 * undici tells a handler's style, and which optional methods it has, by what it finds on it:
 * undici 7 unwraps a handler that has `onRequestStart` into the classic style (unwrap-handler.js),
 * both versions check the classic methods (`assertRequestHandler`) and call `onBodySent`,
 * `onRequestSent` and `onResponseStarted` only when present. A wrapper therefore has exactly the
 * handler methods of both styles the handler has: one class per set of methods, made once
 * (issue 12: a proxy cost ~+40 µs per call over bare, a class ~+15 µs). The handler's other
 * properties (fetch's `body`, `abort`) are its own business: undici reads none of them.
 */

export type Handler = Record<string | symbol, unknown>;
export type Method = (...args: unknown[]) => unknown;

/** The dispatch-handler methods of undici 6 (classic) and 7 (controller style). */
export const HANDLER_METHODS = [
  'onConnect',
  'onHeaders',
  'onData',
  'onComplete',
  'onError',
  'onUpgrade',
  'onBodySent',
  'onRequestSent',
  'onResponseStarted',
  'onRequestStart',
  'onRequestUpgrade',
  'onResponseStart',
  'onResponseData',
  'onResponseEnd',
  'onResponseError',
] as const;
export type HandlerMethod = (typeof HANDLER_METHODS)[number];

/** What every wrapper holds: the handler it forwards to. */
export interface Forwarding {
  readonly handler: Handler;
}

/** Replacement methods by name, called with the wrapper as `this` and undici's arguments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HandlerOverrides<W extends Forwarding> = Partial<Record<HandlerMethod, (this: W, ...args: any[]) => unknown>>;

/** Calls the handler's own method with the arguments the wrapper got (`this` is the handler). */
export function forward(wrapper: Forwarding, method: HandlerMethod, args: IArguments): unknown {
  const handler = wrapper.handler;
  return (handler[method] as Method).apply(handler, args as unknown as unknown[]);
}

/** Plain forwarders, one per method, written out so that each reads its method by name. */
const FORWARDERS: Record<HandlerMethod, (this: Forwarding) => unknown> = {
  onConnect() {
    return (this.handler.onConnect as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onHeaders() {
    return (this.handler.onHeaders as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onData() {
    return (this.handler.onData as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onComplete() {
    return (this.handler.onComplete as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onError() {
    return (this.handler.onError as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onUpgrade() {
    return (this.handler.onUpgrade as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onBodySent() {
    return (this.handler.onBodySent as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onRequestSent() {
    return (this.handler.onRequestSent as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onResponseStarted() {
    return (this.handler.onResponseStarted as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onRequestStart() {
    return (this.handler.onRequestStart as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onRequestUpgrade() {
    return (this.handler.onRequestUpgrade as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onResponseStart() {
    return (this.handler.onResponseStart as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onResponseData() {
    return (this.handler.onResponseData as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onResponseEnd() {
    return (this.handler.onResponseEnd as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
  onResponseError() {
    return (this.handler.onResponseError as Method).apply(this.handler, arguments as unknown as unknown[]);
  },
};

/**
 * A function that wraps a handler in a `Base` (constructed with the handler and `state`) whose
 * methods are the handler's: `overrides` where given, else plain forwarders. A method name the
 * handler holds something else than a function under (null, a value) is copied as it is.
 */
export function handlerWrapper<W extends Forwarding, S>(
  Base: new (handler: Handler, state: S) => W,
  overrides: HandlerOverrides<W>,
): (handler: Handler, state: S) => Handler {
  const classes = new Map<number, new (handler: Handler, state: S) => W>();
  const classFor = (methods: number) => {
    const Wrapper = class extends (Base as new (handler: Handler, state: S) => Forwarding) {};
    HANDLER_METHODS.forEach((name, i) => {
      if (methods & (1 << i)) {
        Object.defineProperty(Wrapper.prototype, name, { value: overrides[name] ?? FORWARDERS[name], writable: true, configurable: true });
      }
    });
    classes.set(methods, Wrapper as unknown as new (handler: Handler, state: S) => W);
    return Wrapper as unknown as new (handler: Handler, state: S) => W;
  };
  return (handler, state) => {
    const found = methodsOf(handler);
    const methods = found & ~NOT_A_METHOD;
    const wrapper = new (classes.get(methods) ?? classFor(methods))(handler, state);
    if (found & NOT_A_METHOD) {
      for (const name of HANDLER_METHODS) {
        const value = handler[name];
        if (value !== undefined && typeof value !== 'function') Object.defineProperty(wrapper, name, { value, writable: true, enumerable: true, configurable: true });
      }
    }
    return wrapper as unknown as Handler;
  };
}

/** Set in methodsOf's result when some handler-method name holds something else than a function. */
const NOT_A_METHOD = 1 << HANDLER_METHODS.length;

/**
 * Bit i set when the handler has HANDLER_METHODS[i]. Each name read as a named property: a
 * loop over the names, one keyed read site for fifteen names, cost ~0.2 µs per call, this ~30 ns.
 */
function methodsOf(h: Handler): number {
  return (
    bit(h.onConnect, 1 << 0) |
    bit(h.onHeaders, 1 << 1) |
    bit(h.onData, 1 << 2) |
    bit(h.onComplete, 1 << 3) |
    bit(h.onError, 1 << 4) |
    bit(h.onUpgrade, 1 << 5) |
    bit(h.onBodySent, 1 << 6) |
    bit(h.onRequestSent, 1 << 7) |
    bit(h.onResponseStarted, 1 << 8) |
    bit(h.onRequestStart, 1 << 9) |
    bit(h.onRequestUpgrade, 1 << 10) |
    bit(h.onResponseStart, 1 << 11) |
    bit(h.onResponseData, 1 << 12) |
    bit(h.onResponseEnd, 1 << 13) |
    bit(h.onResponseError, 1 << 14)
  );
}

function bit(value: unknown, flag: number): number {
  return typeof value === 'function' ? flag : value === undefined ? 0 : NOT_A_METHOD;
}
