/**
 * In-process retries for fetch (undici) calls (issue 14 §3). Each attempt is dispatched with the
 * app's handler seen through a proxy: an answer that will be retried (429/5xx, retries left, a
 * Retry-After within the maximum wait) is observed by its own span but never reaches the app,
 * whose handler sees only the final attempt's status, headers and body. A stream whose headers
 * the app got is never retried: the decision is made before the app sees anything.
 *
 * The app's abort still works: fetch's `onConnect` is called for each attempt and aborts it at
 * once when the app gave up, during a wait included.
 */
import { diag } from '@opentelemetry/api';
import { bufferBody, type ReplayableBody } from './replayable-body.js';
import { nextRetryDelay } from './retry-delay.js';
import type { RetryPolicy } from './retry-options.js';
import type { RetrySleep } from './retry-sleep.js';

type Handler = Record<string | symbol, unknown>;
type Method = (...args: unknown[]) => unknown;
export type HeaderLookup = (raw: unknown) => (name: string) => string | undefined;

/** Sends attempt `resendCount` (0 first) with this body through the dispatcher, observed by its own span. */
export type SendAttempt = (resendCount: number, body: ReplayableBody, handler: Handler) => void;

/** Only undici's classic handler style (what fetch passes on undici 6 and 7) is retried. */
export function canRetryHandler(handler: Handler): boolean {
  return typeof handler.onHeaders === 'function' && typeof handler.onComplete === 'function';
}

export function dispatchWithRetry(
  body: unknown,
  policy: RetryPolicy,
  sleep: RetrySleep,
  app: Handler,
  headerLookup: HeaderLookup,
  send: SendAttempt,
): boolean {
  const fail = (err: unknown) => (app.onError as Method).call(app, err);
  bufferBody(body).then((replayable) => {
    const attempt = (resendCount: number): void => {
      const handler = attemptHandler(app, (status, rawHeaders) =>
        resendCount >= policy.num ? undefined : nextRetryDelay(policy, resendCount, status, headerLookup(rawHeaders)),
      (delay) => {
        sleep(delay).then(() => attempt(resendCount + 1), fail);
      });
      send(resendCount, replayable, handler);
    };
    attempt(0);
  }, fail);
  return true;
}

/**
 * The app's handler for one attempt. `decide` says, from the status and headers, whether this
 * answer is retried (a delay) or goes to the app (undefined); a retried answer's body is read and
 * dropped, then `retry` is called with the delay.
 */
function attemptHandler(app: Handler, decide: (status: number, rawHeaders: unknown) => number | undefined, retry: (delay: number) => void): Handler {
  let delay: number | undefined;
  const own: Record<string, Method> = {
    onHeaders(status, rawHeaders, ...rest) {
      try {
        delay = decide(status as number, rawHeaders);
      } catch (err) {
        diag.debug('tokentrace: retry decision failed', err);
        delay = undefined;
      }
      if (delay !== undefined) return true;
      return (app.onHeaders as Method).call(app, status, rawHeaders, ...rest);
    },
    onData(...args) {
      return delay !== undefined ? true : (app.onData as Method).apply(app, args);
    },
    onComplete(...args) {
      if (delay !== undefined) retry(delay);
      else return (app.onComplete as Method).apply(app, args);
    },
    // An error while a dropped answer is read (the app's abort among others) ends the call: no retry.
    onError: (...args) => (app.onError as Method).apply(app, args),
  };
  return new Proxy(app, {
    get(target, prop) {
      if (typeof prop === 'string' && prop in own) return own[prop];
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
