/**
 * The order in which a captured stream is observed (issue 12, time to first chunk): the app gets
 * the response headers and each chunk before tokentrace decodes anything (a short stream is
 * decoded in its completion, a long one each time 64 KiB have come), and the completion runs in
 * a later turn than the response's end (here with no batch delay: completionBatchMs 0; batches
 * are tested in pending-completions.test.ts). Explicit synchronisation only: spies and the order
 * of setImmediate callbacks, no timing.
 */
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '@tokentrace/semconv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../config.js';
import { codecFor } from '../providers/codec-registry.js';
import { createGenAiMetrics } from '../telemetry/genai-metrics.js';
import { startLlmCall } from './call-starter.js';
import type { CaptureDeps } from './llm-call.js';
import { ResendTracker } from './resend-count.js';
import { SseDecoder } from './sse-decoder.js';
import { openAiEndpoint } from '../providers/openai-endpoint.fixture.js';

const ENDPOINT = openAiEndpoint();

const EVENTS = [
  { id: 'chatcmpl-1', model: 'gpt-4o-mini', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' } }] },
  { id: 'chatcmpl-1', model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }] },
  { id: 'chatcmpl-1', model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
];
const sse = (data: unknown) => Buffer.from(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);

/** Resolves with each span as it ends. */
class EndedSpans implements SpanProcessor {
  private waiting?: (span: ReadableSpan) => void;
  next(): Promise<ReadableSpan> {
    return new Promise((resolve) => (this.waiting = resolve));
  }
  onStart(_span: Span, _context: Context): void {}
  onEnd(span: ReadableSpan): void {
    this.waiting?.(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function setUp() {
  const ended = new EndedSpans();
  const tracerProvider = new TracerProvider({ spanProcessors: [ended, new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })] });
  const config = resolveConfig({}, {});
  const deps: CaptureDeps = {
    tracer: tracerProvider.getTracer('test'),
    metrics: createGenAiMetrics(new MeterProvider().getMeter('test'), false),
    config: { ...config, estimateMissingUsage: false },
    resends: new ResendTracker(),
  };
  const call = startLlmCall(deps, ENDPOINT, undefined, ROOT_CONTEXT, { path: '/v1/chat/completions' });
  call.onRequestBodyChunk(JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
  call.onRequestBodyEnd();
  const headers: Record<string, string> = { 'content-type': 'text/event-stream' };
  return { call, ended, headers: (name: string) => headers[name] };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Ends the response, then answers whether the span had ended by the time a callback queued right
 * after the end ran (as a response arriving for the app's next call would be read), and the span.
 */
async function endAndLookOneTurnLater(call: ReturnType<typeof setUp>['call'], ended: EndedSpans) {
  let spanEnded = false;
  const span = ended.next().then((s) => {
    spanEnded = true;
    return s;
  });
  call.onResponseEnd();
  const endedWithinOneTurn = await new Promise<boolean>((resolve) => setImmediate(() => resolve(spanEnded)));
  return { endedWithinOneTurn, span: await span };
}

afterEach(() => vi.restoreAllMocks());

describe('stream observation order', () => {
  it('hands the headers and each chunk on before anything is decoded; decodes in the completion', async () => {
    const accumulators = vi.spyOn(codecFor('openai.chat_completions'), 'createStreamAccumulator');
    const decoded = vi.spyOn(SseDecoder.prototype, 'write');
    const { call, ended, headers } = setUp();

    call.onResponseStart(200, headers);
    expect(accumulators).not.toHaveBeenCalled(); // no decoder is made while the app waits for its headers
    call.onResponseChunk(sse(EVENTS[0]));
    expect(decoded).not.toHaveBeenCalled(); // the first chunk is only noted: a timestamp and a reference
    await nextTurn();
    expect(decoded).not.toHaveBeenCalled(); // nor decoded in the turn after it: a small stream waits for its completion

    for (const event of [...EVENTS.slice(1), '[DONE]']) call.onResponseChunk(sse(event));
    const span = ended.next();
    call.onResponseEnd();
    expect(decoded).not.toHaveBeenCalled();
    const attributes = (await span).attributes;
    expect(accumulators).toHaveBeenCalledTimes(1);
    expect(decoded.mock.calls[0][0]).toContain('"content":"Hel"');
    expect(attributes[ATTR_GEN_AI_RESPONSE_ID]).toBe('chatcmpl-1');
    expect(attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(2);
    expect(attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]).toBeTypeOf('number');
  });

  it('decodes a long stream as it comes, in a later turn, once 64 KiB are waiting', async () => {
    const decoded = vi.spyOn(SseDecoder.prototype, 'write');
    const { call, ended, headers } = setUp();
    call.onResponseStart(200, headers);
    const filler = Buffer.from(`: ${'x'.repeat(64 * 1024)}\n\n`); // an SSE comment: no event
    call.onResponseChunk(sse(EVENTS[0]));
    call.onResponseChunk(filler);
    expect(decoded).not.toHaveBeenCalled();
    await nextTurn();
    expect(decoded).toHaveBeenCalledTimes(1); // the waiting chunks, joined: one decode
    expect(decoded.mock.calls[0][0]).toContain('"content":"Hel"');
    for (const event of [...EVENTS.slice(1), '[DONE]']) call.onResponseChunk(sse(event));
    const span = ended.next();
    call.onResponseEnd();
    expect((await span).attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(2);
  });

  it('completes a small JSON answer in one turn', async () => {
    const { call, ended } = setUp();
    call.onResponseStart(200, (name) => (name === 'content-type' ? 'application/json' : undefined));
    const answer = { id: 'chatcmpl-2', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1 } };
    call.onResponseChunk(Buffer.from(JSON.stringify(answer)));
    const { endedWithinOneTurn, span } = await endAndLookOneTurnLater(call, ended);
    expect(endedWithinOneTurn).toBe(true);
    expect(span.attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(1);
  });

  it('completes a stream in the turn after the one in which it ended, in one piece', async () => {
    const { call, ended, headers } = setUp();
    call.onResponseStart(200, headers);
    for (const event of [...EVENTS, '[DONE]']) call.onResponseChunk(sse(event));
    const { endedWithinOneTurn, span } = await endAndLookOneTurnLater(call, ended);
    expect(endedWithinOneTurn).toBe(true);
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_ID]).toBe('chatcmpl-1');
  });
});
