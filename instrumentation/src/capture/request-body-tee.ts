/**
 * The fetch capture's view of a request body: its bytes copied to the call as undici pulls them,
 * the bytes sent being the same. fetch hands undici its body as an async generator made for each
 * request (`requestBody` in httpNetworkFetch), a function expression evaluated per call: each such
 * generator has a prototype of its own, so every property looked up on it (`pipe`,
 * `Symbol.asyncIterator`, `next`) misses V8's inline caches and costs ~0.25 µs (issue 12, measured
 * in process: 1.3 µs per call for the checks alone). Such a generator is recognised by its
 * prototype's prototype and driven through the intrinsic `next`/`return`/`throw`, no lookup.
 */
import { recordCaptureError } from '../telemetry/guard.js';
import type { LlmCall } from './llm-call.js';

type AsyncGeneratorMethod = (this: AsyncGenerator<unknown>, value?: unknown) => Promise<IteratorResult<unknown>>;

const ASYNC_GENERATOR_PROTOTYPE = Object.getPrototypeOf(async function* () {}.prototype) as {
  next: AsyncGeneratorMethod;
  return: AsyncGeneratorMethod;
  throw: AsyncGeneratorMethod;
};
const { next: generatorNext, return: generatorReturn, throw: generatorThrow } = ASYNC_GENERATOR_PROTOTYPE;

/** The body to send instead of `body`: the same bytes, each reported to the call (strings and bytes at once). */
export function observeRequestBody(body: unknown, call: LlmCall): unknown {
  if (body == null) {
    call.onRequestBodyEnd();
    return body;
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    call.onRequestBodyChunk(body);
    call.onRequestBodyEnd();
    return body;
  }
  if (isAsyncGenerator(body)) return new TeedGenerator(body as AsyncGenerator<unknown>, call);
  const isNodeStream = typeof (body as { pipe?: unknown }).pipe === 'function';
  if (!isNodeStream && typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    return new TeedBody(body as AsyncIterable<unknown>, call);
  }
  return body; // streams, FormData, Blob: sent as they are, not inspected
}

/** An object made by an async generator function (whose `prototype` is its own): no property read. */
function isAsyncGenerator(body: unknown): boolean {
  if (typeof body !== 'object') return false;
  const prototype = Object.getPrototypeOf(body) as object | null;
  return prototype !== null && Object.getPrototypeOf(prototype) === ASYNC_GENERATOR_PROTOTYPE;
}

/** Reports each step to the call; the step is handed on as it is. */
function stepSeen(call: LlmCall): (step: IteratorResult<unknown>) => IteratorResult<unknown> {
  return (step) => {
    try {
      const chunk = step.value;
      if (step.done) call.onRequestBodyEnd();
      else if (typeof chunk === 'string' || chunk instanceof Uint8Array) call.onRequestBodyChunk(chunk);
    } catch (err) {
      recordCaptureError('request body', err, call.span);
    }
    return step;
  };
}

/**
 * An async generator's steps, each reported as it is pulled. An async generator is its own
 * iterator (%AsyncIteratorPrototype%[@@asyncIterator] returns it), and so is this.
 */
class TeedGenerator implements AsyncIterableIterator<unknown> {
  private readonly seen: (step: IteratorResult<unknown>) => IteratorResult<unknown>;

  constructor(
    private readonly source: AsyncGenerator<unknown>,
    call: LlmCall,
  ) {
    this.seen = stepSeen(call);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    return generatorNext.call(this.source).then(this.seen);
  }

  return(value?: unknown): Promise<IteratorResult<unknown>> {
    return generatorReturn.call(this.source, value);
  }

  throw(err?: unknown): Promise<IteratorResult<unknown>> {
    return generatorThrow.call(this.source, err);
  }
}

/**
 * Any other async iterable: a plain iterator around the source's own (not an async generator):
 * one promise reaction per chunk, no extra microtask hops between undici and the body.
 */
class TeedBody implements AsyncIterable<unknown> {
  constructor(
    private readonly source: AsyncIterable<unknown>,
    private readonly call: LlmCall,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    return new TeedIterator(this.source[Symbol.asyncIterator](), this.call);
  }
}

class TeedIterator implements AsyncIterator<unknown> {
  private readonly seen: (step: IteratorResult<unknown>) => IteratorResult<unknown>;

  constructor(
    private readonly inner: AsyncIterator<unknown>,
    call: LlmCall,
  ) {
    this.seen = stepSeen(call);
  }

  next(): Promise<IteratorResult<unknown>> {
    return this.inner.next().then(this.seen);
  }

  return(value?: unknown): Promise<IteratorResult<unknown>> {
    return this.inner.return ? this.inner.return(value) : Promise.resolve({ done: true as const, value });
  }

  throw(err?: unknown): Promise<IteratorResult<unknown>> {
    return this.inner.throw ? this.inner.throw(err) : Promise.reject(err);
  }
}
