/**
 * A 2xx whose body is no answer (issue 12): truncated JSON, an HTML error page sent with 200, an
 * empty body, for every provider, through its real SDK (raw fetch for Ollama), with no endpoint
 * configuration. The span is an error with `error.type` `invalid_response`, and what the app sees
 * (its value or the error its SDK throws) is the same as with tokentrace disabled.
 */
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import Anthropic1 from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import OpenAI from 'openai';
import OpenAI4 from 'openai-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans } from '../harness/span-assertions.js';
import { startBedrockEmulator, startOllamaEmulator, startProviderEmulators, type ProviderEmulator, type ProviderEmulators } from '../provider-emulator/index.js';

const API_KEY = 'sk-invalid-answers-test';
const harness = setupTracing({});
let emulators: ProviderEmulators;
let ollama: ProviderEmulator;
/** Bedrock over HTTP/2 (h2c), for the AWS SDK's default handler (node:http2). */
let bedrockHttp2: ProviderEmulator;

beforeAll(async () => {
  emulators = await startProviderEmulators();
  ollama = await startOllamaEmulator();
  bedrockHttp2 = await startBedrockEmulator({ http2: true });
});
afterAll(async () => {
  await emulators.close();
  await ollama.close();
  await bedrockHttp2.close();
  await harness.shutdown();
});
beforeEach(() => {
  harness.reset();
  emulators.reset();
  ollama.reset();
  bedrockHttp2.reset();
});

const BODIES: Array<[string, { contentType: string; body: string }]> = [
  ['truncated JSON', { contentType: 'application/json', body: '{"id":"resp-1","choices":[{"index":0,"message":{"role":"assist' }],
  ['an HTML error page with 200', { contentType: 'text/html; charset=utf-8', body: '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>upstream timed out</p></body></html>' }],
  ['an empty body', { contentType: 'application/json', body: '' }],
];

const CALLS: Array<[string, () => ProviderEmulator, () => Promise<unknown>]> = [
  ['openai v7', () => emulators.openai, () =>
    new OpenAI({ apiKey: API_KEY, baseURL: emulators.openai.baseUrl, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })],
  ['openai v4 (node:http)', () => emulators.openai, () =>
    new OpenAI4({ apiKey: API_KEY, baseURL: emulators.openai.baseUrl, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })],
  ['@anthropic-ai/sdk', () => emulators.anthropic, () =>
    new Anthropic1({ apiKey: API_KEY, baseURL: emulators.anthropic.baseUrl, maxRetries: 0, openTelemetry: false } as never).messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })],
  ['@google/genai', () => emulators.gemini, () =>
    new GoogleGenAI({ apiKey: API_KEY, httpOptions: { baseUrl: emulators.gemini.baseUrl, retryOptions: { attempts: 1 } } } as never).models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' })],
  ['AWS SDK Bedrock Converse', () => emulators.bedrock, () =>
    new BedrockRuntimeClient({
      region: 'us-east-1', endpoint: emulators.bedrock.url, maxAttempts: 1, requestHandler: new NodeHttpHandler(),
      credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'secret' },
    }).send(new ConverseCommand({ modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }))],
  ['AWS SDK Bedrock Converse, default handler (node:http2)', () => bedrockHttp2, async () => {
    const client = new BedrockRuntimeClient({
      region: 'us-east-1', endpoint: bedrockHttp2.url, maxAttempts: 1, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'secret' },
    });
    try {
      return await client.send(new ConverseCommand({ modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }));
    } finally {
      client.destroy();
    }
  }],
  ['Ollama /api/chat (fetch)', () => ollama, async () => {
    const res = await fetch(`${ollama.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'ollama-js/0.6.0' },
      body: JSON.stringify({ model: 'llama3.1', messages: [{ role: 'user', content: 'hi' }], stream: false }),
    });
    return res.json();
  }],
];

/** What the app saw: its value (less the AWS SDK's per-response metadata) or the error's class and message. */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    const value = await call();
    return { value: JSON.parse(JSON.stringify(value ?? null, (key, v) => (key === '$metadata' ? undefined : v))) };
  } catch (err) {
    const e = err as Error;
    return { error: { class: e?.constructor?.name, name: e?.name, message: e?.message } };
  }
}

describe.each(CALLS)('%s', (_name, server, call) => {
  it.each(BODIES)('%s: an ERROR span, invalid_response; the app sees what it sees without tokentrace', async (_body, rawBody) => {
    server().enqueue({ rawBody }, { rawBody });
    harness.instrumentation.disable();
    let without: unknown;
    try {
      without = await outcome(call);
    } finally {
      harness.instrumentation.enable();
    }
    expect(genAiSpans(harness.spans())).toEqual([]); // the uninstrumented run made no GenAI span
    const withTokentrace = await outcome(call);
    expect(withTokentrace).toEqual(without);
    const [first, second] = server().requests;
    expect(second.response.body.equals(first.response.body)).toBe(true);

    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.status.code).toBe(2 /* ERROR */);
    expect(span.attributes['error.type']).toBe('invalid_response');
    expect(span.status.message).toMatch(/^HTTP 200, but the response body is (empty|not JSON)/);
    expect(span.attributes['tokentrace.capture.error']).toBeUndefined();
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined(); // no estimate for a failed call
  });
});

it('a valid answer stays a success (the check is not always on)', async () => {
  emulators.openai.enqueue({ text: 'Fine.' });
  await new OpenAI({ apiKey: API_KEY, baseURL: emulators.openai.baseUrl, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
  expect(span.status.code).toBe(0);
  expect(span.attributes['error.type']).toBeUndefined();
});
