/**
 * The fetch capture's request-body tee (request-body-tee.ts): the body undici sends is the app's,
 * chunk for chunk, and the call is told each chunk as it is pulled, then the end; an async
 * generator (what fetch hands undici) and any other async iterable alike.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LlmCall } from './llm-call.js';
import { observeRequestBody } from './request-body-tee.js';

function fakeCall(log: unknown[]): LlmCall {
  return {
    onRequestBodyChunk: (chunk: Uint8Array | string) => log.push(['chunk', String(chunk)]),
    onRequestBodyEnd: () => log.push(['end']),
  } as unknown as LlmCall;
}

async function drain(body: unknown, log: unknown[]): Promise<void> {
  for await (const chunk of body as AsyncIterable<unknown>) log.push(['sent', String(chunk)]);
}

describe('observeRequestBody', () => {
  it('an async generator (as fetch makes one per request): each chunk reported as it is pulled, then the end', async () => {
    const log: unknown[] = [];
    const source = (async function* () {
      yield new TextEncoder().encode('{"a":');
      yield new TextEncoder().encode('1}');
    })();
    const body = observeRequestBody(source, fakeCall(log));
    expect(body).not.toBe(source);
    expect(log).toEqual([]);
    await drain(body, log);
    expect(log).toEqual([['chunk', '123,34,97,34,58'], ['sent', '123,34,97,34,58'], ['chunk', '49,125'], ['sent', '49,125'], ['end']]);
  });

  it("an async generator: return and throw reach the source generator (undici's early exit)", async () => {
    const log: unknown[] = [];
    let finallyRan = false;
    const source = (async function* () {
      try {
        yield 'one';
        yield 'two';
      } finally {
        finallyRan = true;
      }
    })();
    const body = observeRequestBody(source, fakeCall(log)) as AsyncIterableIterator<unknown>;
    for await (const chunk of body) {
      log.push(['sent', chunk]);
      break; // calls return()
    }
    expect(finallyRan).toBe(true);
    expect(log).toEqual([['chunk', 'one'], ['sent', 'one']]);

    const failing = (async function* () {
      yield 'x';
    })();
    const teed = observeRequestBody(failing, fakeCall([])) as AsyncIterableIterator<unknown>;
    await teed.next();
    await expect(teed.throw!(new Error('stop'))).rejects.toThrow('stop');
  });

  it('another async iterable: each iteration reads the source afresh', async () => {
    const log: unknown[] = [];
    const source = {
      [Symbol.asyncIterator]: async function* () {
        yield 'a';
        yield 'b';
      },
    };
    const body = observeRequestBody(source, fakeCall(log));
    await drain(body, log);
    expect(log).toEqual([['chunk', 'a'], ['sent', 'a'], ['chunk', 'b'], ['sent', 'b'], ['end']]);
  });

  it('a string or bytes: reported at once, sent as they are; a Node stream: sent as it is, not inspected', () => {
    const log: unknown[] = [];
    expect(observeRequestBody('{}', fakeCall(log))).toBe('{}');
    const bytes = new Uint8Array([1]);
    expect(observeRequestBody(bytes, fakeCall(log))).toBe(bytes);
    const stream = Readable.from(['x']);
    expect(observeRequestBody(stream, fakeCall(log))).toBe(stream);
    expect(observeRequestBody(undefined, fakeCall(log))).toBeUndefined();
    expect(log).toEqual([['chunk', '{}'], ['end'], ['chunk', '1'], ['end'], ['end']]);
  });
});
