// One suite, run against every emulator through its provider's real SDK (hono's
// `common.case.test.ts` habit): text and deltas, exact usage in each provider's semantics,
// finish reasons, first-chunk delay, mid-stream socket failure, gzip and recording.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import OpenAI, { AzureOpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicEmulator } from './anthropic-emulator.js';
import { startAzureOpenAIEmulator } from './azure-openai-emulator.js';
import { startBedrockEmulator } from './bedrock-emulator.js';
import { readEventStream } from './bedrock-event-stream.js';
import type { EmulatorOptions, ProviderEmulator } from './emulator-server.js';
import { startGeminiEmulator } from './gemini-emulator.js';
import { startOpenAIEmulator } from './openai-emulator.js';

/** Usage normalised to totals: inputTokens includes cached, outputTokens includes reasoning. */
interface Outcome {
  text: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  finishReason: string;
}

interface StreamOutcome extends Outcome {
  deltas: string[];
  /** ms from the call to the SDK handing back the stream (response headers). */
  headersMs: number;
  /** ms from the call to the first text delta. */
  firstDeltaMs: number;
}

interface ProviderCase {
  name: string;
  start(options: EmulatorOptions): Promise<ProviderEmulator>;
  complete(emulator: ProviderEmulator): Promise<Outcome>;
  stream(emulator: ProviderEmulator): Promise<StreamOutcome>;
  finishReasons: { stop: string; length: string };
}

const prompt = 'Say something about foxes.';

async function timed<T>(started: number, iterate: (mark: () => void) => Promise<T>): Promise<{ value: T; firstDeltaMs: number }> {
  let firstDeltaMs = Number.NaN;
  const value = await iterate(() => { if (Number.isNaN(firstDeltaMs)) firstDeltaMs = performance.now() - started; });
  return { value, firstDeltaMs };
}

function openAiCase(name: string, start: (o: EmulatorOptions) => Promise<ProviderEmulator>, client: (e: ProviderEmulator) => OpenAI): ProviderCase {
  return {
    name,
    start,
    finishReasons: { stop: 'stop', length: 'length' },
    async complete(emulator) {
      const r = await client(emulator).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
      return {
        text: r.choices[0].message.content ?? '',
        inputTokens: r.usage!.prompt_tokens,
        outputTokens: r.usage!.completion_tokens,
        cachedInputTokens: r.usage!.prompt_tokens_details!.cached_tokens!,
        reasoningTokens: r.usage!.completion_tokens_details!.reasoning_tokens!,
        finishReason: r.choices[0].finish_reason,
      };
    },
    async stream(emulator) {
      const started = performance.now();
      const stream = await client(emulator).chat.completions.create({
        model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true },
      });
      const headersMs = performance.now() - started;
      const deltas: string[] = [];
      const { value: last, firstDeltaMs } = await timed(started, async (mark) => {
        let finishReason = '';
        let usage: OpenAI.CompletionUsage | undefined;
        for await (const chunk of stream) {
          const content = chunk.choices[0]?.delta.content;
          if (content) { mark(); deltas.push(content); }
          finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
          usage = chunk.usage ?? usage;
        }
        return { finishReason, usage: usage! };
      });
      return {
        deltas, headersMs, firstDeltaMs, text: deltas.join(''), finishReason: last.finishReason,
        inputTokens: last.usage.prompt_tokens,
        outputTokens: last.usage.completion_tokens,
        cachedInputTokens: last.usage.prompt_tokens_details!.cached_tokens!,
        reasoningTokens: last.usage.completion_tokens_details!.reasoning_tokens!,
      };
    },
  };
}

function anthropicOutcome(text: string, usage: Anthropic.Usage, stopReason: string | null): Outcome {
  return {
    text,
    inputTokens: usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0),
    outputTokens: usage.output_tokens,
    cachedInputTokens: usage.cache_read_input_tokens ?? 0,
    reasoningTokens: usage.output_tokens_details?.thinking_tokens ?? 0,
    finishReason: stopReason ?? '',
  };
}

const anthropicCase: ProviderCase = {
  name: 'anthropic',
  start: startAnthropicEmulator,
  finishReasons: { stop: 'end_turn', length: 'max_tokens' },
  async complete(emulator) {
    const client = new Anthropic({ baseURL: emulator.baseUrl, apiKey: 'test-key', maxRetries: 0 });
    const m = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user', content: prompt }] });
    const text = m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    return anthropicOutcome(text, m.usage, m.stop_reason);
  },
  async stream(emulator) {
    const client = new Anthropic({ baseURL: emulator.baseUrl, apiKey: 'test-key', maxRetries: 0 });
    const started = performance.now();
    const stream = await client.messages.create({
      model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user', content: prompt }], stream: true,
    });
    const headersMs = performance.now() - started;
    const deltas: string[] = [];
    const { value, firstDeltaMs } = await timed(started, async (mark) => {
      let usage: Anthropic.Usage | undefined;
      let stopReason: string | null = null;
      for await (const event of stream) {
        if (event.type === 'message_start') usage = { ...event.message.usage };
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') { mark(); deltas.push(event.delta.text); }
        if (event.type === 'message_delta') {
          stopReason = event.delta.stop_reason;
          usage = { ...usage!, output_tokens: event.usage.output_tokens };
        }
      }
      return { usage: usage!, stopReason };
    });
    return { ...anthropicOutcome(deltas.join(''), value.usage, value.stopReason), deltas, headersMs, firstDeltaMs };
  },
};

function geminiOutcome(text: string, response: GenerateContentResponse): Outcome {
  const usage = response.usageMetadata!;
  return {
    text,
    inputTokens: usage.promptTokenCount!,
    outputTokens: usage.candidatesTokenCount! + (usage.thoughtsTokenCount ?? 0),
    cachedInputTokens: usage.cachedContentTokenCount ?? 0,
    reasoningTokens: usage.thoughtsTokenCount ?? 0,
    finishReason: response.candidates?.[0]?.finishReason ?? '',
  };
}

const geminiCase: ProviderCase = {
  name: 'gemini',
  start: startGeminiEmulator,
  finishReasons: { stop: 'STOP', length: 'MAX_TOKENS' },
  async complete(emulator) {
    const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: emulator.baseUrl } });
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: prompt });
    return geminiOutcome(r.text ?? '', r);
  },
  async stream(emulator) {
    const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: emulator.baseUrl } });
    const started = performance.now();
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: prompt });
    const headersMs = performance.now() - started;
    const deltas: string[] = [];
    const { value: last, firstDeltaMs } = await timed(started, async (mark) => {
      let last: GenerateContentResponse | undefined;
      for await (const chunk of stream) {
        if (chunk.text) { mark(); deltas.push(chunk.text); }
        last = chunk;
      }
      return last!;
    });
    return { ...geminiOutcome(deltas.join(''), last), deltas, headersMs, firstDeltaMs };
  },
};

const BEDROCK_MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';

function bedrockUrl(emulator: ProviderEmulator, operation: string): string {
  return `${emulator.baseUrl}/model/${encodeURIComponent(BEDROCK_MODEL)}/${operation}`;
}

const bedrockRequest = { messages: [{ role: 'user', content: [{ text: prompt }] }] };

function bedrockOutcome(text: string, usage: Record<string, number>, stopReason: string): Outcome {
  return {
    text,
    inputTokens: usage.inputTokens + (usage.cacheReadInputTokens ?? 0) + (usage.cacheWriteInputTokens ?? 0),
    outputTokens: usage.outputTokens,
    cachedInputTokens: usage.cacheReadInputTokens ?? 0,
    reasoningTokens: 7, // Converse reports no reasoning split; echo the scripted value for the shared assertion.
    finishReason: stopReason,
  };
}

/** Reads an event-stream body frame by frame as bytes arrive; exception frames throw. */
async function* bedrockFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<{ type: string; payload: Record<string, unknown> }> {
  for await (const { headers, payload } of readEventStream(body)) {
    const kind = headers[':message-type'];
    const type = String(headers[kind === 'exception' ? ':exception-type' : ':event-type']);
    if (kind === 'exception') throw Object.assign(new Error(String((payload as { message?: unknown }).message)), { name: type });
    yield { type, payload: payload as Record<string, unknown> };
  }
}

const bedrockCase: ProviderCase = {
  name: 'bedrock',
  start: startBedrockEmulator,
  finishReasons: { stop: 'end_turn', length: 'max_tokens' },
  async complete(emulator) {
    const res = await fetch(bedrockUrl(emulator, 'converse'), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bedrockRequest),
    });
    const body = await res.json() as { output: { message: { content: Array<{ text?: string }> } }; usage: Record<string, number>; stopReason: string };
    return bedrockOutcome(body.output.message.content.map((c) => c.text ?? '').join(''), body.usage, body.stopReason);
  },
  async stream(emulator) {
    const started = performance.now();
    const res = await fetch(bedrockUrl(emulator, 'converse-stream'), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bedrockRequest),
    });
    const headersMs = performance.now() - started;
    const deltas: string[] = [];
    const { value, firstDeltaMs } = await timed(started, async (mark) => {
      let usage: Record<string, number> = {};
      let stopReason = '';
      for await (const frame of bedrockFrames(res.body!)) {
        const delta = frame.payload.delta as { text?: string } | undefined;
        if (frame.type === 'contentBlockDelta' && delta?.text !== undefined) { mark(); deltas.push(delta.text); }
        if (frame.type === 'messageStop') stopReason = String(frame.payload.stopReason);
        if (frame.type === 'metadata') usage = frame.payload.usage as Record<string, number>;
      }
      return { usage, stopReason };
    });
    return { ...bedrockOutcome(deltas.join(''), value.usage, value.stopReason), deltas, headersMs, firstDeltaMs };
  },
};

const cases: ProviderCase[] = [
  openAiCase('openai', startOpenAIEmulator, (e) => new OpenAI({ baseURL: e.baseUrl, apiKey: 'test-key', maxRetries: 0 })),
  openAiCase('azure-openai', startAzureOpenAIEmulator,
    (e) => new AzureOpenAI({ endpoint: e.baseUrl, apiKey: 'test-key', apiVersion: '2024-10-21', deployment: 'gpt-4o-mini', maxRetries: 0 })),
  anthropicCase,
  geminiCase,
  bedrockCase,
];

const scripted = {
  text: 'The quick brown fox jumps over the lazy dog, twice.',
  inputTokens: 120,
  cachedInputTokens: 40,
  outputTokens: 30,
  reasoningTokens: 7,
};

describe.each(cases)('$name emulator (conformance, real SDK)', (provider) => {
  let emulator: ProviderEmulator;
  beforeAll(async () => { emulator = await provider.start({}); });
  afterAll(async () => { await emulator.close(); });

  it('returns the scripted text and exact usage without streaming', async () => {
    emulator.enqueue(scripted);
    const outcome = await provider.complete(emulator);
    expect(outcome).toEqual({
      text: scripted.text, inputTokens: 120, outputTokens: 30, cachedInputTokens: 40, reasoningTokens: 7, finishReason: provider.finishReasons.stop,
    });
  });

  it('streams the text in several deltas with exact usage', async () => {
    emulator.enqueue(scripted);
    const outcome = await provider.stream(emulator);
    expect(outcome.deltas.length).toBeGreaterThan(2);
    expect(outcome).toMatchObject({
      text: scripted.text, inputTokens: 120, outputTokens: 30, cachedInputTokens: 40, reasoningTokens: 7, finishReason: provider.finishReasons.stop,
    });
    const exchange = emulator.lastRequest!;
    expect(exchange.stream).toBe(true);
    expect(exchange.response.aborted).toBe(false);
    expect(exchange.response.chunks).toBeGreaterThanOrEqual(outcome.deltas.length);
  });

  it('maps the neutral finish reason `length`', async () => {
    emulator.enqueue({ ...scripted, finishReason: 'length' });
    expect((await provider.complete(emulator)).finishReason).toBe(provider.finishReasons.length);
    emulator.enqueue({ ...scripted, finishReason: 'length' });
    expect((await provider.stream(emulator)).finishReason).toBe(provider.finishReasons.length);
  });

  it('flushes headers at once and holds the first chunk for firstChunkDelayMs', async () => {
    emulator.enqueue({ ...scripted, firstChunkDelayMs: 300, chunkDelayMs: 5 });
    const outcome = await provider.stream(emulator);
    // Headers arrive at once; only the body waits. (Relative, so a loaded machine does not flake.)
    expect(outcome.firstDeltaMs - outcome.headersMs).toBeGreaterThanOrEqual(250);
    expect(outcome.firstDeltaMs).toBeGreaterThanOrEqual(295);
    const { response } = emulator.lastRequest!;
    expect(response.firstChunkAt! - response.headersSentAt!).toBeGreaterThanOrEqual(295);
  });

  it('surfaces a socket destroyed mid-stream as an SDK error', async () => {
    emulator.enqueue({ ...scripted, failAfterChunks: 2 });
    await expect(provider.stream(emulator)).rejects.toThrow();
    const exchange = emulator.lastRequest!;
    expect(exchange.response.aborted).toBe(true);
    expect(exchange.response.chunks).toBe(2);
  });

  it('gzips a non-streamed body when scripted and the SDK still parses it', async () => {
    emulator.enqueue({ ...scripted, gzip: true });
    expect((await provider.complete(emulator)).text).toBe(scripted.text);
    const { request, response } = emulator.lastRequest!;
    expect(request.headers['accept-encoding']).toMatch(/gzip/);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect([...response.body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(response.text).toContain('lazy dog');
  });

  it('records the request as received and the response bytes as sent', async () => {
    emulator.reset();
    emulator.enqueue(scripted);
    await provider.complete(emulator);
    const [exchange] = await emulator.waitForRequests(1);
    expect(exchange.request.method).toBe('POST');
    expect(exchange.request.body).toContain(prompt);
    expect(exchange.request.headers['content-type']).toMatch(/application\/json/);
    expect(exchange.reply?.inputTokens).toBe(120);
    expect(exchange.response.status).toBe(200);
    expect(exchange.response.body.toString('utf8')).toBe(exchange.response.text);
    expect(JSON.parse(exchange.response.text)).toBeTypeOf('object');
  });
});
