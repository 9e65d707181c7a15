/**
 * Clients that let go of a stream at its last event — openai v7 cancels the body at `[DONE]`; apps
 * break out of their loop at `response.completed`, `message_stop`, the Gemini chunk with
 * finishReason, Bedrock's `metadata`, or destroy a node:http response at `[DONE]` — before the end
 * of the HTTP response has arrived. The app got a whole answer and no error, so the span says the
 * same: no error.type, status unset, usage and finish reasons kept. Letting go before the last
 * event (the app gave up mid-stream) is still an AbortError.
 *
 * The emulators pause chunkDelayMs before each chunk; a proxy in front of each holds the end of the
 * response back (late-end-proxy.ts), so the SDK reads the terminal event and cancels before it.
 */
import Anthropic1 from '@anthropic-ai/sdk';
import { GoogleGenAI as GoogleGenAI3 } from '@google/genai';
import Anthropic0 from 'anthropic-sdk-v0';
import { GoogleGenAI as GoogleGenAI2 } from 'genai-sdk-v2';
import OpenAI7 from 'openai';
import OpenAI4 from 'openai-v4';
import OpenAI6 from 'openai-v6';
import http from 'node:http';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans } from '../harness/span-assertions.js';
import { readEventStream, startProviderEmulators, type EventStreamFrame, type ProviderEmulator, type ProviderEmulators } from '../provider-emulator/index.js';
import { startLateEndProxy, type LateEndProxy } from './late-end-proxy.js';

const CHUNK_DELAY_MS = 5;
const END_DELAY_MS = 300;
const TEXT = 'one two three four five six seven eight';
const harness = setupTracing({});
let emulators: ProviderEmulators;
const proxies = new Map<ProviderEmulator, LateEndProxy>();

beforeAll(async () => {
  emulators = await startProviderEmulators({ chunkDelayMs: CHUNK_DELAY_MS });
  for (const emulator of [emulators.openai, emulators.anthropic, emulators.gemini, emulators.bedrock]) {
    proxies.set(emulator, await startLateEndProxy(emulator.url, END_DELAY_MS));
  }
  harness.instrumentation.setConfig({
    endpoints: [
      { baseUrl: proxied(emulators.openai), provider: 'openai' },
      { baseUrl: proxied(emulators.anthropic), provider: 'anthropic', format: 'anthropic' },
      { baseUrl: proxied(emulators.gemini), provider: 'gcp.gemini', format: 'gemini' },
      { baseUrl: proxied(emulators.bedrock), provider: 'aws.bedrock', format: 'bedrock' },
    ],
  });
});
afterAll(async () => {
  for (const proxy of proxies.values()) await proxy.close();
  await emulators.close();
  await harness.shutdown();
});

/** The emulator's address, through its late-end proxy. */
function proxied(emulator: ProviderEmulator): string {
  return proxies.get(emulator)!.url;
}
/** The base URL to give the provider's SDK, through the proxy. */
function sdkUrl(emulator: ProviderEmulator): string {
  return proxied(emulator) + emulator.baseUrl.slice(emulator.url.length);
}

beforeEach(async () => {
  await Promise.all([...proxies.values()].map((proxy) => proxy.reset()));
  harness.reset();
  emulators.reset();
});
// A test that failed before its span ended must not leave that span to the next test.
afterEach(async () => {
  const calls = emulators.all.reduce((n, e) => n + e.requests.length, 0);
  await harness.waitForSpans((s) => genAiSpans(s).length >= calls, 2000).catch(() => undefined);
});

async function onlySpan(): Promise<ReadableSpan> {
  const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
  return span;
}

/** The call succeeded: no error, and everything up to the last event is on the span. */
function expectCompleteSpan(span: ReadableSpan, attributes: Record<string, unknown>): void {
  expect(span.attributes['error.type']).toBeUndefined();
  expect(span.status.code).toBe(0 /* UNSET */);
  expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
  expect(span.attributes['tokentrace.usage.estimated']).toBeUndefined();
  expect(span.attributes).toMatchObject({ 'gen_ai.request.stream': true, ...attributes });
  expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
}

/** The client let go of the response before its end arrived: the race under test did happen. */
async function expectLetGoBeforeEnd(emulator: ProviderEmulator): Promise<void> {
  // The proxy learns of the hang-up from the socket, which may come after the span ended.
  await vi.waitFor(() => expect(proxies.get(emulator)!.endsNeverDelivered).toBe(1), { timeout: 2 * END_DELAY_MS });
}

/** A cancel mid-stream stays what it is: an AbortError, and no finish reason (none had come). */
function expectAbortedSpan(span: ReadableSpan): void {
  expect(span.attributes['error.type']).toBe('AbortError');
  expect(span.status.code).toBe(2 /* ERROR */);
  expect(span.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
}

interface ChatClient {
  chat: { completions: { create(body: object, options?: object): Promise<AsyncIterable<any> & { controller: AbortController }> } };
}
/** [name, client factory, whether the SDK itself lets go of the body at `[DONE]` (v6 and v4 read on to its end)]. */
const openaiSdks: Array<[string, () => ChatClient, boolean]> = [
  ['openai v7 (fetch)', () => new OpenAI7({ apiKey: 'sk-test', baseURL: sdkUrl(emulators.openai), maxRetries: 0 }) as unknown as ChatClient, true],
  ['openai v6 (fetch)', () => new OpenAI6({ apiKey: 'sk-test', baseURL: sdkUrl(emulators.openai), maxRetries: 0 }) as unknown as ChatClient, false],
  ['openai v4 (node-fetch over node:http)', () => new OpenAI4({ apiKey: 'sk-test', baseURL: sdkUrl(emulators.openai), maxRetries: 0 }) as unknown as ChatClient, false],
];
const chatRequest = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count.' }], stream: true, stream_options: { include_usage: true } };

describe.each(openaiSdks)('%s chat completions stream', (_name, makeClient, stopsAtDone) => {
  it('read to [DONE]: a complete call, no error, whether the SDK lets go there or waits for the end', async () => {
    emulators.openai.enqueue({ text: TEXT, inputTokens: 30, outputTokens: 8 });
    let text = '';
    for await (const chunk of await makeClient().chat.completions.create(chatRequest)) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe(TEXT);
    expectCompleteSpan(await onlySpan(), {
      'gen_ai.usage.input_tokens': 30,
      'gen_ai.usage.output_tokens': 8,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    if (stopsAtDone) await expectLetGoBeforeEnd(emulators.openai);
    else expect(proxies.get(emulators.openai)!.endsNeverDelivered).toBe(0);
  });

  it('aborted by the app after the first chunk: still an AbortError', async () => {
    emulators.openai.enqueue({ text: TEXT, inputTokens: 30, outputTokens: 8 });
    const stream = await makeClient().chat.completions.create(chatRequest);
    let chunks = 0;
    // Every major ends the iteration quietly when its own controller aborts.
    for await (const _ of stream) {
      chunks++;
      stream.controller.abort();
    }
    expect(chunks).toBe(1);
    expectAbortedSpan(await onlySpan());
  });
});

describe('openai v7 chat completions stream, gzip-compressed', () => {
  it('let go of at [DONE] while its last bytes are still being decompressed: a complete call, no error', async () => {
    emulators.openai.enqueue({ text: TEXT, inputTokens: 30, outputTokens: 8, gzip: true });
    const client = new OpenAI7({ apiKey: 'sk-test', baseURL: sdkUrl(emulators.openai), maxRetries: 0 });
    let text = '';
    for await (const chunk of await client.chat.completions.create(chatRequest)) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe(TEXT);
    expect(emulators.openai.lastRequest!.response.headers['content-encoding']).toBe('gzip');
    expectCompleteSpan(await onlySpan(), {
      'gen_ai.usage.input_tokens': 30,
      'gen_ai.usage.output_tokens': 8,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    await expectLetGoBeforeEnd(emulators.openai);
  });
});

describe('openai v7 responses stream', () => {
  const client = () => new OpenAI7({ apiKey: 'sk-test', baseURL: sdkUrl(emulators.openai), maxRetries: 0 });

  it('the app breaks out at response.completed: a complete call, no error', async () => {
    emulators.openai.enqueue({ text: TEXT, inputTokens: 21, outputTokens: 8 });
    let completed = false;
    for await (const event of await client().responses.create({ model: 'gpt-5-mini', input: 'Count.', stream: true })) {
      if (event.type !== 'response.completed') continue;
      completed = true;
      break;
    }
    expect(completed).toBe(true);
    expectCompleteSpan(await onlySpan(), {
      'gen_ai.usage.input_tokens': 21,
      'gen_ai.usage.output_tokens': 8,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    await expectLetGoBeforeEnd(emulators.openai);
  });

  it('the app breaks out at the first text delta: still an AbortError', async () => {
    emulators.openai.enqueue({ text: TEXT, inputTokens: 21, outputTokens: 8 });
    for await (const event of await client().responses.create({ model: 'gpt-5-mini', input: 'Count.', stream: true })) {
      if (event.type === 'response.output_text.delta') break;
    }
    expectAbortedSpan(await onlySpan());
  });
});

interface MessagesClient {
  messages: { create(body: object, options?: object): Promise<AsyncIterable<any>> };
}
const anthropicSdks: Array<[string, () => MessagesClient]> = [
  ['@anthropic-ai/sdk v1', () => new Anthropic1({ apiKey: 'sk-ant-test', baseURL: sdkUrl(emulators.anthropic), maxRetries: 0, openTelemetry: false } as never) as unknown as MessagesClient],
  ['@anthropic-ai/sdk v0', () => new Anthropic0({ apiKey: 'sk-ant-test', baseURL: sdkUrl(emulators.anthropic), maxRetries: 0, openTelemetry: false } as never) as unknown as MessagesClient],
];
const messagesRequest = { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Count.' }], stream: true };

describe.each(anthropicSdks)('%s messages stream', (_name, makeClient) => {
  it('the app breaks out at message_stop: a complete call, no error', async () => {
    emulators.anthropic.enqueue({ text: TEXT, inputTokens: 40, outputTokens: 8 });
    let text = '';
    for await (const event of await makeClient().messages.create(messagesRequest)) {
      if (event.type === 'content_block_delta') text += event.delta.text;
      if (event.type === 'message_stop') break;
    }
    expect(text).toBe(TEXT);
    expectCompleteSpan(await onlySpan(), {
      'gen_ai.usage.input_tokens': 40,
      'gen_ai.usage.output_tokens': 8,
      'gen_ai.response.finish_reasons': ['end_turn'],
    });
    await expectLetGoBeforeEnd(emulators.anthropic);
  });

  it('the app breaks out at message_delta, one event short of the end: still an AbortError', async () => {
    emulators.anthropic.enqueue({ text: TEXT, inputTokens: 40, outputTokens: 8 });
    for await (const event of await makeClient().messages.create(messagesRequest)) {
      if (event.type === 'message_delta') break;
    }
    const span = await onlySpan();
    expect(span.attributes['error.type']).toBe('AbortError');
    expect(span.status.code).toBe(2 /* ERROR */);
  });
});

const geminiSdks: Array<[string, () => GoogleGenAI3]> = [
  ['@google/genai v3', () => new GoogleGenAI3({ apiKey: 'AIza-test', httpOptions: { baseUrl: sdkUrl(emulators.gemini) } })],
  ['@google/genai v2', () => new GoogleGenAI2({ apiKey: 'AIza-test', httpOptions: { baseUrl: sdkUrl(emulators.gemini) } }) as unknown as GoogleGenAI3],
];

// Breaking out of the SDK's loop leaves the body to be read to its end; an app that wants the
// connection back aborts through config.abortSignal.
describe.each(geminiSdks)('%s generateContentStream', (_name, makeClient) => {
  const controller = () => new AbortController();
  const stream = (abortSignal: AbortSignal) =>
    makeClient().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Count.', config: { abortSignal } });

  it('the app aborts at the chunk with finishReason: a complete call, no error', async () => {
    emulators.gemini.enqueue({ text: TEXT, inputTokens: 50, outputTokens: 8 });
    const abort = controller();
    let text = '';
    for await (const chunk of await stream(abort.signal)) {
      text += chunk.text ?? '';
      if (!chunk.candidates?.[0]?.finishReason) continue;
      abort.abort();
      break;
    }
    expect(text).toBe(TEXT);
    expectCompleteSpan(await onlySpan(), {
      'gen_ai.usage.input_tokens': 50,
      'gen_ai.usage.output_tokens': 8,
      'gen_ai.response.finish_reasons': ['STOP'],
    });
    await expectLetGoBeforeEnd(emulators.gemini);
  });

  it('the app aborts at the first chunk: still an AbortError', async () => {
    emulators.gemini.enqueue({ text: TEXT, inputTokens: 50, outputTokens: 8 });
    const abort = controller();
    for await (const _ of await stream(abort.signal)) {
      abort.abort();
      break;
    }
    expectAbortedSpan(await onlySpan());
  });
});

describe('Bedrock ConverseStream (fetch, the app decodes the event stream)', () => {
  const post = () =>
    fetch(`${proxied(emulators.bedrock)}/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/vnd.amazon.eventstream', authorization: 'AWS4-HMAC-SHA256 Credential=x' },
      body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Count.' }] }] }),
    });

  it('the app breaks out at the metadata event: a complete call, no error', async () => {
    emulators.bedrock.enqueue({ text: TEXT, inputTokens: 60, outputTokens: 8 });
    const frames: EventStreamFrame[] = [];
    // Leaving the loop cancels the body.
    for await (const frame of readEventStream((await post()).body!)) {
      frames.push(frame);
      if (frame.headers[':event-type'] === 'metadata') break;
    }
    expect(frames.map((f) => f.headers[':event-type'])).toContain('messageStop');
    expectCompleteSpan(await onlySpan(), {
      'gen_ai.usage.input_tokens': 60,
      'gen_ai.usage.output_tokens': 8,
      'gen_ai.response.finish_reasons': ['end_turn'],
    });
    await expectLetGoBeforeEnd(emulators.bedrock);
  });

  it('the app breaks out at the first event: still an AbortError', async () => {
    emulators.bedrock.enqueue({ text: TEXT, inputTokens: 60, outputTokens: 8 });
    for await (const _ of readEventStream((await post()).body!)) break;
    expectAbortedSpan(await onlySpan());
  });
});

describe('node:http, the app destroys the response', () => {
  /** Streams a chat completion and destroys the response once `stopAt` has been read. */
  const readUntil = (stopAt: string) =>
    new Promise<string>((resolve, reject) => {
      const req = http.request(`${sdkUrl(emulators.openai)}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text.includes(stopAt)) res.destroy();
        });
        res.on('close', () => resolve(text));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(JSON.stringify(chatRequest));
    });

  it('at data: [DONE]: a complete call, no error', async () => {
    emulators.openai.enqueue({ text: TEXT, inputTokens: 30, outputTokens: 8 });
    expect(await readUntil('data: [DONE]')).toMatch(/data: \[DONE\]\n\n$/);
    expectCompleteSpan(await onlySpan(), {
      'gen_ai.usage.input_tokens': 30,
      'gen_ai.usage.output_tokens': 8,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    await expectLetGoBeforeEnd(emulators.openai);
  });

  it('at the first chunk: still an AbortError', async () => {
    emulators.openai.enqueue({ text: TEXT, inputTokens: 30, outputTokens: 8 });
    await readUntil('data: ');
    expectAbortedSpan(await onlySpan());
  });
});
