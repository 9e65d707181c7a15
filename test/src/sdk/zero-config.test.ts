/**
 * Zero configuration (issue 12): the real SDKs (openai v7/v6/v4, @anthropic-ai/sdk v1/v0,
 * @google/genai v3/v2, the AWS SDK's BedrockRuntimeClient), axios and raw fetch against emulators
 * on loopback ports that no host table knows, with NO endpoint configuration: once with one
 * emulator per provider, once with one gateway serving all of them on one port. Every call gives
 * exactly one GenAI span, with the provider from the wire format and server.address/port where
 * the call went, and no generic HTTP span beneath it (httpSpans off by default). The AWS SDK runs
 * twice: with its HTTP/1.1 handler (node:http) and with its default handler, which speaks HTTP/2
 * (node:http2), against emulators serving cleartext HTTP/2.
 */
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, InvokeModelCommand, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import Anthropic1 from '@anthropic-ai/sdk';
import { GoogleGenAI as GoogleGenAI3 } from '@google/genai';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import Anthropic0 from 'anthropic-sdk-v0';
import axios from 'axios';
import { GoogleGenAI as GoogleGenAI2 } from 'genai-sdk-v2';
import OpenAI7 from 'openai';
import OpenAI4 from 'openai-v4';
import OpenAI6 from 'openai-v6';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { everythingRecorded, genAiSpans, httpChildren } from '../harness/span-assertions.js';
import { startBedrockEmulator, startGatewayEmulator, startProviderEmulators, type ProviderEmulator, type ProviderEmulators } from '../provider-emulator/index.js';

const API_KEY = 'sk-zero-config-do-not-record-42';
const BEDROCK_MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const harness = setupTracing({});
let emulators: ProviderEmulators;
let gateway: ProviderEmulator;
/** The same servers speaking HTTP/2 (h2c), for the AWS SDK's default handler. */
let bedrockHttp2: ProviderEmulator;
let gatewayHttp2: ProviderEmulator;
/** GenAI spans of the current test already checked by theGenAiSpan. */
let seen = 0;
/** False in tests where the calls must give no tokentrace span. */
let spansExpected = true;

beforeAll(async () => {
  emulators = await startProviderEmulators();
  gateway = await startGatewayEmulator();
  bedrockHttp2 = await startBedrockEmulator({ http2: true });
  gatewayHttp2 = await startGatewayEmulator({ http2: true });
});
afterAll(async () => {
  await emulators.close();
  await gateway.close();
  await bedrockHttp2.close();
  await gatewayHttp2.close();
  await harness.shutdown();
});
beforeEach(() => {
  harness.reset();
  emulators.reset();
  gateway.reset();
  bedrockHttp2.reset();
  gatewayHttp2.reset();
  seen = 0;
  spansExpected = true;
});
// A test that failed before its span ended must not leave that span to the next test.
afterEach(async () => {
  if (!spansExpected) return;
  const requests = emulators.all.reduce((n, e) => n + e.requests.length, gateway.requests.length + bedrockHttp2.requests.length + gatewayHttp2.requests.length);
  await harness.waitForSpans((s) => genAiSpans(s).length >= requests, 2000).catch(() => undefined);
});

type Provider = 'openai' | 'anthropic' | 'gemini' | 'bedrock' | 'bedrockHttp2';
/** Which server answers each provider in a setup. */
type Setup = () => Record<Provider, ProviderEmulator>;
const setups: Array<[string, Setup]> = [
  ['one emulator per provider', () => ({ openai: emulators.openai, anthropic: emulators.anthropic, gemini: emulators.gemini, bedrock: emulators.bedrock, bedrockHttp2 })],
  ['one gateway for every provider', () => ({ openai: gateway, anthropic: gateway, gemini: gateway, bedrock: gateway, bedrockHttp2: gatewayHttp2 })],
];

/**
 * Waits for the latest call's GenAI span, then checks the call gave exactly one GenAI span (one
 * more than the calls before it in the test), and no HTTP span beneath it.
 */
async function theGenAiSpan(): Promise<{ span: ReadableSpan; spans: ReadableSpan[] }> {
  const spans = await harness.waitForSpans((s) => genAiSpans(s).length > seen);
  const genAi = genAiSpans(spans);
  expect(genAi).toHaveLength(seen + 1);
  const span = genAi[seen];
  seen += 1;
  expect(httpChildren(spans, span)).toEqual([]);
  expect(span.status.code).toBe(0);
  expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
  expect(everythingRecorded(spans)).not.toContain(API_KEY);
  return { span, spans };
}

function where(server: ProviderEmulator): Record<string, unknown> {
  return { 'server.address': '127.0.0.1', 'server.port': server.port };
}

/** A client with the SDK's HTTP/1.1 handler (node:http), or its default one (`http2`: node:http2). */
const bedrockClient = (server: ProviderEmulator, http2: boolean) =>
  new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { accessKeyId: 'AKIAZEROCONFIGDONOTRECORD', secretAccessKey: 'zero-config-secret-do-not-record' },
    maxAttempts: 1,
    ...(http2 ? {} : { requestHandler: new NodeHttpHandler() }),
  });

describe.each(setups)('%s, no endpoint configuration', (_setup, servers) => {
  describe.each([
    ['openai v7 (fetch)', (url: string) => new OpenAI7({ apiKey: API_KEY, baseURL: url, maxRetries: 0 })],
    ['openai v6 (fetch)', (url: string) => new OpenAI6({ apiKey: API_KEY, baseURL: url, maxRetries: 0 })],
    ['openai v4 (node:http)', (url: string) => new OpenAI4({ apiKey: API_KEY, baseURL: url, maxRetries: 0 })],
  ] as const)('%s', (_name, makeClient) => {
    it('chat.completions.create: one chat span, provider openai', async () => {
      const server = servers().openai;
      server.enqueue({ text: 'Paris.', inputTokens: 21, outputTokens: 3 });
      const client = makeClient(`${server.url}/v1`) as unknown as OpenAI7;
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] });
      expect(completion.choices[0].message.content).toBe('Paris.');
      const { span } = await theGenAiSpan();
      expect(span.name).toBe('chat gpt-4o-mini');
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.usage.input_tokens': 21,
        'gen_ai.usage.output_tokens': 3,
        ...where(server),
      });
    });

    it('a streamed chat: usage and time to first chunk from the stream', async () => {
      const server = servers().openai;
      server.enqueue({ text: 'one two three', inputTokens: 9, outputTokens: 3 });
      const client = makeClient(`${server.url}/v1`) as unknown as OpenAI7;
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count.' }], stream: true, stream_options: { include_usage: true },
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text).toBe('one two three');
      const { span } = await theGenAiSpan();
      expect(span.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.usage.output_tokens': 3, ...where(server) });
      expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    });

    it('embeddings.create: one embeddings span', async () => {
      const server = servers().openai;
      const client = makeClient(`${server.url}/v1`) as unknown as OpenAI7;
      const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 16 });
      expect(result.data).toHaveLength(2);
      const { span } = await theGenAiSpan();
      expect(span.name).toBe('embeddings text-embedding-3-small');
      expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'openai', 'gen_ai.embeddings.dimension.count': 16, ...where(server) });
    });
  });

  it('openai v7 responses.create: one chat span', async () => {
    const server = servers().openai;
    server.enqueue({ text: 'Hi.', inputTokens: 5, outputTokens: 2 });
    const client = new OpenAI7({ apiKey: API_KEY, baseURL: `${server.url}/v1`, maxRetries: 0 });
    const response = await client.responses.create({ model: 'gpt-4.1-mini', input: 'Say hi.' });
    expect(response.output_text).toBe('Hi.');
    const { span } = await theGenAiSpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': 5, ...where(server) });
  });

  describe.each([
    ['@anthropic-ai/sdk v1', (url: string) => new Anthropic1({ apiKey: API_KEY, baseURL: url, maxRetries: 0, openTelemetry: false } as never)],
    ['@anthropic-ai/sdk v0', (url: string) => new Anthropic0({ apiKey: API_KEY, baseURL: url, maxRetries: 0, openTelemetry: false } as never)],
  ] as const)('%s', (_name, makeClient) => {
    it('messages.create and messages.stream: one chat span each, provider anthropic', async () => {
      const server = servers().anthropic;
      server.enqueue({ text: 'Short.', inputTokens: 40, outputTokens: 2 }, { text: 'Streamed reply.', inputTokens: 30, outputTokens: 3 });
      const client = makeClient(server.url) as unknown as Anthropic1;
      const message = await client.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 64, messages: [{ role: 'user', content: 'Be short.' }] });
      expect(message.content).toEqual([{ type: 'text', text: 'Short.' }]);
      const { span } = await theGenAiSpan();
      expect(span.name).toBe('chat claude-3-5-haiku-latest');
      expect(span.attributes).toMatchObject({ 'gen_ai.provider.name': 'anthropic', 'gen_ai.usage.input_tokens': 40, 'gen_ai.usage.output_tokens': 2, ...where(server) });

      const final = await client.messages.stream({ model: 'claude-3-5-haiku-latest', max_tokens: 64, messages: [{ role: 'user', content: 'Stream.' }] }).finalMessage();
      expect(final.content).toEqual([{ type: 'text', text: 'Streamed reply.' }]);
      const streamed = (await theGenAiSpan()).span;
      expect(streamed.attributes).toMatchObject({ 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.stream': true, 'gen_ai.usage.output_tokens': 3, ...where(server) });
    });
  });

  describe.each([
    ['@google/genai v3', (url: string) => new GoogleGenAI3({ apiKey: API_KEY, httpOptions: { baseUrl: url, retryOptions: { attempts: 1 } } } as never)],
    ['@google/genai v2', (url: string) => new GoogleGenAI2({ apiKey: API_KEY, httpOptions: { baseUrl: url, retryOptions: { attempts: 1 } } } as never)],
  ] as const)('%s', (_name, makeClient) => {
    it('generateContent, generateContentStream and embedContent: one span each, provider gcp.gemini', async () => {
      const server = servers().gemini;
      const ai = makeClient(server.url) as unknown as GoogleGenAI3;
      server.enqueue({ text: 'Bonjour.', inputTokens: 12, outputTokens: 2 });
      const response = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello in French.' });
      expect(response.text).toBe('Bonjour.');
      const { span } = await theGenAiSpan();
      expect(span.name).toBe('generate_content gemini-2.5-flash');
      expect(span.attributes).toMatchObject({ 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.usage.input_tokens': 12, ...where(server) });

      server.enqueue({ text: 'Un deux trois.', inputTokens: 6, outputTokens: 4 });
      let text = '';
      for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Count in French.' })) text += chunk.text ?? '';
      expect(text).toBe('Un deux trois.');
      expect((await theGenAiSpan()).span.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.usage.output_tokens': 4, ...where(server) });

      const embedded = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: 'vector me', config: { outputDimensionality: 8 } });
      expect(embedded.embeddings?.[0].values).toHaveLength(8);
      expect((await theGenAiSpan()).span.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'gcp.gemini', ...where(server) });
    });
  });

  it.each([
    ['HTTP/1.1 handler (node:http)', false],
    ['default handler, HTTP/2 (node:http2)', true],
  ] as const)('AWS SDK BedrockRuntimeClient, %s: Converse, ConverseStream, InvokeModel and InvokeModelWithResponseStream (Anthropic) give one span each, provider aws.bedrock', async (_handler, http2) => {
    const server = http2 ? servers().bedrockHttp2 : servers().bedrock;
    const client = bedrockClient(server, http2);
    server.enqueue({ text: 'Red, yellow, blue.', inputTokens: 20, outputTokens: 6 });
    const converse = await client.send(new ConverseCommand({ modelId: BEDROCK_MODEL, messages: [{ role: 'user', content: [{ text: 'Primary colours?' }] }] }));
    expect(converse.output?.message?.content?.[0].text).toBe('Red, yellow, blue.');
    const { span, spans } = await theGenAiSpan();
    expect(span.name).toBe(`chat ${BEDROCK_MODEL}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.request.model': BEDROCK_MODEL, 'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 20, 'gen_ai.usage.output_tokens': 6, ...where(server),
    });
    expect(everythingRecorded(spans)).not.toContain('DONOTRECORD');
    // The call's own trace context went with the request, naming its GenAI span.
    expect(server.lastRequest?.request.headers.traceparent).toContain(span.spanContext().spanId);

    server.enqueue({ text: 'Streaming back.', inputTokens: 10, outputTokens: 3 });
    const stream = await client.send(new ConverseStreamCommand({ modelId: BEDROCK_MODEL, messages: [{ role: 'user', content: [{ text: 'Stream.' }] }] }));
    let text = '';
    for await (const event of stream.stream!) text += event.contentBlockDelta?.delta?.text ?? '';
    expect(text).toBe('Streaming back.');
    const streamSpan = (await theGenAiSpan()).span;
    expect(streamSpan.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.usage.output_tokens': 3, ...where(server) });
    expect(streamSpan.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);

    server.enqueue({ text: 'Invoked.', inputTokens: 11, outputTokens: 2 });
    const invoked = await client.send(new InvokeModelCommand({
      modelId: BEDROCK_MODEL,
      contentType: 'application/json',
      body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 50, messages: [{ role: 'user', content: 'Invoke.' }] }),
    }));
    expect(JSON.parse(new TextDecoder().decode(invoked.body)).content).toEqual([{ type: 'text', text: 'Invoked.' }]);
    const invokeSpan = (await theGenAiSpan()).span;
    expect(invokeSpan.name).toBe(`chat ${BEDROCK_MODEL}`);
    expect(invokeSpan.attributes).toMatchObject({
      'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.request.max_tokens': 50, 'gen_ai.usage.input_tokens': 11, 'gen_ai.usage.output_tokens': 2, ...where(server),
    });

    server.enqueue({ text: 'Streamed invoke.', inputTokens: 13, outputTokens: 4 });
    const invokeStream = await client.send(new InvokeModelWithResponseStreamCommand({
      modelId: BEDROCK_MODEL,
      contentType: 'application/json',
      body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 50, messages: [{ role: 'user', content: 'Stream it.' }] }),
    }));
    let streamed = '';
    for await (const event of invokeStream.body!) {
      const data = JSON.parse(new TextDecoder().decode(event.chunk!.bytes));
      if (data.type === 'content_block_delta') streamed += data.delta.text;
    }
    expect(streamed).toBe('Streamed invoke.');
    const invokeStreamSpan = (await theGenAiSpan()).span;
    expect(invokeStreamSpan.attributes).toMatchObject({
      'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.response.finish_reasons': ['end_turn'], 'gen_ai.usage.input_tokens': 13, 'gen_ai.usage.output_tokens': 4, ...where(server),
    });
    expect(invokeStreamSpan.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    client.destroy();
  });

  it('axios (node:http) to an OpenAI-compatible path: one chat span', async () => {
    const server = servers().openai;
    server.enqueue({ text: 'Via axios.', inputTokens: 7, outputTokens: 2 });
    const res = await axios.post(`${server.url}/v1/chat/completions`, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(res.data.choices[0].message.content).toBe('Via axios.');
    const { span } = await theGenAiSpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': 7, ...where(server) });
  });

  it('raw fetch to Anthropic Messages (with anthropic-version): one chat span', async () => {
    const server = servers().anthropic;
    server.enqueue({ text: 'Fetched.', inputTokens: 8, outputTokens: 2 });
    const res = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-3-5-haiku-latest', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect((await res.json()).content[0].text).toBe('Fetched.');
    const { span } = await theGenAiSpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.provider.name': 'anthropic', 'gen_ai.usage.output_tokens': 2, ...where(server) });
  });

  it('the provider of an OpenAI-compatible call comes from the model name', async () => {
    const server = servers().openai;
    const client = new OpenAI7({ apiKey: API_KEY, baseURL: `${server.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'anthropic/claude-3-5-sonnet', messages: [{ role: 'user', content: 'hi' }] });
    expect((await theGenAiSpan()).span.attributes['gen_ai.provider.name']).toBe('anthropic');
    await client.chat.completions.create({ model: 'meta-llama/Llama-3.1-8B-Instruct', messages: [{ role: 'user', content: 'hi' }] });
    expect((await theGenAiSpan()).span.attributes['gen_ai.provider.name']).toBe('openai');
  });
});

describe('switches', () => {
  afterEach(() => harness.instrumentation.setConfig({}));
  /** No span of tokentrace's among the finished ones, once the call's HTTP span (made: not our call) ended. */
  async function noTokentraceSpan(count = 1): Promise<void> {
    await harness.waitForSpans((s) => s.length >= count);
    // A span of ours would have been started with the request: once no span is open any more, it
    // would be among the finished ones (its completion runs over a few event-loop turns).
    await harness.waitForOpenSpans();
    const spans = harness.spans();
    expect(spans.filter((s) => s.instrumentationScope.name === '@tokentrace/instrumentation')).toEqual([]);
  }

  it('detection "hosts": an unknown host gives no span at all; the app gets its answer', async () => {
    spansExpected = false;
    harness.instrumentation.setConfig({ detection: 'hosts' });
    const client = new OpenAI7({ apiKey: API_KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0].message.content).toBeTruthy();
    // The HTTP span is the sign the call finished; nothing of tokentrace's is among the spans.
    await noTokentraceSpan();
  });

  it('denyHosts: a denied host gives no span at all', async () => {
    spansExpected = false;
    harness.instrumentation.setConfig({ denyHosts: [`127.0.0.1:${gateway.port}`] });
    const client = new OpenAI7({ apiKey: API_KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await noTokentraceSpan();
  });

  it('allowHosts: shape detection only on the listed hosts', async () => {
    harness.instrumentation.setConfig({ allowHosts: [`127.0.0.1:${emulators.openai.port}`] });
    const listed = new OpenAI7({ apiKey: API_KEY, baseURL: emulators.openai.baseUrl, maxRetries: 0 });
    await listed.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect((await theGenAiSpan()).span.attributes['server.port']).toBe(emulators.openai.port);
    harness.reset();
    spansExpected = false;
    const unlisted = new OpenAI7({ apiKey: API_KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    await unlisted.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await noTokentraceSpan();
  });
});
