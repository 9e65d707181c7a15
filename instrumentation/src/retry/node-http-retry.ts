/**
 * In-process retries for node:http/https calls (axios, node-fetch based SDKs), issue 14 §3.
 *
 * The app holds one ClientRequest. Installed beneath the capture's own observers, this keeps the
 * bytes the app writes, and when an answer is to be retried (429/5xx, retries left, a Retry-After
 * within the maximum wait) the app's request emits nothing more: the answer is read and dropped
 * (its span records it), and after the wait a new request with the same options and body is sent
 * (`resend`, its own span). The final attempt's `response`, `error` and `close` are emitted on the
 * app's request, so the app's callbacks and listeners see only that answer. `destroy()` on the
 * app's request aborts the attempt under way, or the wait.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { stream } from '../capture/lazy-builtins.js';
import { objectHeaderLookup } from '../capture/response-headers.js';
import { nextRetryDelay } from './retry-delay.js';
import type { RetryPolicy } from './retry-options.js';
import type { RetrySleep } from './retry-sleep.js';

/** Sends attempt `resendCount` (1 for the first retry) as a new request, observed by its own span; not yet ended. */
export type Resend = (resendCount: number) => ClientRequest;

type Emit = (event: string | symbol, ...args: unknown[]) => boolean;

export function retryClientRequest(req: ClientRequest, policy: RetryPolicy, sleep: RetrySleep, resend: Resend): void {
  const emit = req.emit as Emit;
  const write = req.write as (...a: unknown[]) => boolean;
  const end = req.end as (...a: unknown[]) => ClientRequest;
  const destroy = req.destroy;
  const body: Buffer[] = [];
  let retrying = false;
  let aborted = false;
  let current: ClientRequest | undefined;

  const keep = (chunk: unknown, encoding: unknown) => {
    if (typeof chunk === 'string') body.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    else if (chunk instanceof Uint8Array) body.push(Buffer.from(chunk));
  };
  req.write = function (this: ClientRequest, chunk: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return write.call(this, chunk, ...rest);
  } as ClientRequest['write'];
  req.end = function (this: ClientRequest, chunk?: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'function') keep(chunk, rest[0]);
    return end.call(this, chunk, ...rest);
  } as ClientRequest['end'];

  const delayFor = (res: IncomingMessage, retry: number) =>
    nextRetryDelay(policy, retry, res.statusCode ?? 0, objectHeaderLookup(res.headers));

  const fail = (err: unknown) => {
    emit.call(req, 'error', err);
    emit.call(req, 'close');
  };

  /** Reads and drops an answer that is retried, then waits and sends attempt `next`. */
  const retryAfter = (res: IncomingMessage, delay: number, next: number) => {
    res.resume();
    stream().finished(res, (err) => {
      if (aborted) return;
      if (err && !res.complete) return fail(err);
      sleep(delay).then(() => {
        if (!aborted) send(next);
      }, fail);
    });
  };

  const send = (resendCount: number) => {
    const attempt = resend(resendCount);
    current = attempt;
    let final = false;
    attempt.on('response', (res: IncomingMessage) => {
      const delay = delayFor(res, resendCount);
      if (delay !== undefined) return retryAfter(res, delay, resendCount + 1);
      final = true;
      emit.call(req, 'response', res);
    });
    attempt.on('error', (err) => {
      final = true;
      emit.call(req, 'error', err);
    });
    attempt.on('close', () => {
      if (final) emit.call(req, 'close');
    });
    attempt.on('timeout', () => emit.call(req, 'timeout'));
    attempt.end(Buffer.concat(body));
  };

  req.emit = function (this: ClientRequest, event: string | symbol, ...args: unknown[]) {
    if (retrying) return true; // the app's request is done with: only the attempts speak now
    if (event === 'response') {
      const res = args[0] as IncomingMessage;
      const delay = delayFor(res, 0);
      if (delay !== undefined) {
        retrying = true;
        takeOver();
        retryAfter(res, delay, 1);
        return true;
      }
    }
    return emit.call(this, event, ...args);
  } as ClientRequest['emit'];

  /** From now on the app's request stands for the attempt under way. */
  function takeOver(): void {
    Object.defineProperty(req, 'destroyed', {
      configurable: true,
      get: () => aborted || (current?.destroyed ?? false),
      set: () => {},
    });
    req.destroy = function (this: ClientRequest, err?: Error) {
      if (aborted) return this;
      aborted = true;
      if (current && !current.destroyed) current.destroy(err);
      else {
        destroy.call(this);
        if (err) emit.call(req, 'error', err);
        emit.call(req, 'close');
      }
      return this;
    } as ClientRequest['destroy'];
  }
}
