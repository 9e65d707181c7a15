/**
 * An undici dispatch handler seen through a proxy whose named methods are wrapped (the capture's
 * observers, the request gates' response observation) and whose other methods are the
 * handler's own, bound to it. Each method is wrapped once per handler, on first use.
 */
export type Handler = Record<string | symbol, unknown>;
export type Method = (...args: unknown[]) => unknown;
/** Wrappers by method name; `context` is what the caller passed (the call being captured, …). */
export type MethodWrappers<C = undefined> = Readonly<Record<string, (original: Method, target: Handler, context: C) => Method>>;

export function wrapHandlerMethods<C>(handler: Handler, wrappers: MethodWrappers<C>, context: C): Handler {
  const cache = new Map<string | symbol, unknown>();
  return new Proxy(handler, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      let wrapped = cache.get(prop);
      if (wrapped === undefined) {
        const wrap = typeof prop === 'string' && Object.hasOwn(wrappers, prop) ? wrappers[prop] : undefined;
        wrapped = wrap ? wrap(value as Method, target, context) : value.bind(target);
        cache.set(prop, wrapped);
      }
      return wrapped;
    },
  });
}
