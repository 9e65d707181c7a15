/**
 * README: "`Authorization`, `x-api-key`, `api-key` headers and `key=` query parameters never appear
 * in any attribute." Checked on every span a call produces (the GenAI span and, with `httpSpans`,
 * the generic undici / http span under it, events and status included) for OpenAI, Anthropic, Azure OpenAI and Gemini
 * calls made with raw fetch and with axios (node:http), with the generic instrumentations set up
 * as `register` sets them up (in-process-tracing.ts). The credential itself still reaches the provider.
 */
import axios from 'axios';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { everythingRecorded, genAiSpans, httpChildren } from '../harness/span-assertions.js';
import {
  startAnthropicEmulator,
  startAzureOpenAIEmulator,
  startGeminiEmulator,
  startOpenAIEmulator,
  type ProviderEmulator,
} from '../provider-emulator/index.js';

const SECRET = {
  openai: 'sk-proj-OPENAI-SECRET-9f8e7d6c5b4a',
  anthropic: 'sk-ant-api03-ANTHROPIC-SECRET-1a2b3c',
  azure: 'AZURE-SECRET-0d1e2f3a4b5c6d7e8f',
  gemini: 'AIzaSyGEMINI-SECRET-77665544332211',
};

const harness = setupTracing({});
let openai: ProviderEmulator;
let anthropic: ProviderEmulator;
let azure: ProviderEmulator;
let gemini: ProviderEmulator;

beforeAll(async () => {
  [openai, anthropic, azure, gemini] = await Promise.all([
    startOpenAIEmulator(), startAnthropicEmulator(), startAzureOpenAIEmulator(), startGeminiEmulator(),
  ]);
});
const endpoints = () => [
  { baseUrl: openai.url, provider: 'openai' },
  { baseUrl: anthropic.url, format: 'anthropic' as const },
  { baseUrl: azure.url, format: 'azure-openai' as const },
  { baseUrl: gemini.url, format: 'gemini' as const },
];
afterAll(async () => {
  await Promise.all([openai, anthropic, azure, gemini].map((e) => e.close()));
  await harness.shutdown();
});
beforeEach(() => {
  harness.reset();
  for (const e of [openai, anthropic, azure, gemini]) e.reset();
});

interface Call {
  emulator: () => ProviderEmulator;
  secret: string;
  /** Path and query after the emulator's url. */
  path: string;
  headers: Record<string, string>;
  body: object;
  /** The query string the URL attributes must show (secrets redacted, the rest kept), when there is one. */
  redactedQuery?: string;
}

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };
const geminiBody = { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] };

const calls: Array<[string, Call]> = [
  ['OpenAI, Authorization: Bearer', {
    emulator: () => openai, secret: SECRET.openai, path: '/v1/chat/completions',
    headers: { authorization: `Bearer ${SECRET.openai}` }, body: chat,
  }],
  ['OpenAI stream, Authorization: Bearer', {
    emulator: () => openai, secret: SECRET.openai, path: '/v1/chat/completions',
    headers: { Authorization: `Bearer ${SECRET.openai}` }, body: { ...chat, stream: true, stream_options: { include_usage: true } },
  }],
  ['Anthropic, x-api-key', {
    emulator: () => anthropic, secret: SECRET.anthropic, path: '/v1/messages',
    headers: { 'x-api-key': SECRET.anthropic, 'anthropic-version': '2023-06-01' },
    body: { model: 'claude-sonnet-5-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] },
  }],
  ['Azure OpenAI, api-key', {
    emulator: () => azure, secret: SECRET.azure, path: '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21',
    headers: { 'api-key': SECRET.azure }, body: { messages: chat.messages }, redactedQuery: 'api-version=2024-10-21',
  }],
  ['Gemini, key= query parameter', {
    emulator: () => gemini, secret: SECRET.gemini, path: `/v1beta/models/gemini-2.0-flash:generateContent?key=${SECRET.gemini}`,
    headers: {}, body: geminiBody, redactedQuery: 'key=REDACTED',
  }],
  ['Gemini stream, alt=sse&key=', {
    emulator: () => gemini, secret: SECRET.gemini, path: `/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=${SECRET.gemini}`,
    headers: {}, body: geminiBody, redactedQuery: 'alt=sse&key=REDACTED',
  }],
  ['Gemini, x-goog-api-key', {
    emulator: () => gemini, secret: SECRET.gemini, path: '/v1beta/models/gemini-2.0-flash:generateContent',
    headers: { 'x-goog-api-key': SECRET.gemini }, body: geminiBody,
  }],
];

const transports: Array<[string, (url: string, headers: Record<string, string>, body: object) => Promise<number>]> = [
  ['fetch', async (url, headers, body) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    return res.status;
  }],
  ['axios', async (url, headers, body) => {
    const res = await axios.post(url, body, { headers, responseType: 'text', validateStatus: () => true });
    return res.status;
  }],
];

/** Client spans of the generic HTTP instrumentations (the emulators' SERVER spans are checked too, below). */
const httpClientSpans = (spans: readonly ReadableSpan[]) =>
  spans.filter((s) => s.kind === 2 /* CLIENT */ && s.attributes['gen_ai.operation.name'] === undefined);

// By default the GenAI span is the call's only client span; with `httpSpans` the generic HTTP span
// under it is kept, and its URL attributes must be redacted.
describe.each([
  ['default (no HTTP span under the GenAI span)', false],
  ['httpSpans: true', true],
] as const)('%s', (_mode, httpSpans) => {
  beforeAll(() => harness.instrumentation.setConfig({ endpoints: endpoints(), httpSpans }));

  describe.each(transports)('%s', (_transport, send) => {
    it.each(calls)('%s: the secret appears in no attribute of any span', async (_name, call) => {
      const emulator = call.emulator();
      const url = emulator.url + call.path;
      const status = await send(url, call.headers, call.body);
      expect(status).toBe(200); // the provider accepted the credential: it was sent unchanged

      const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 1 && httpClientSpans(s).length === (httpSpans ? 1 : 0));
      const [llm] = genAiSpans(spans);
      expect(llm.instrumentationScope.name).toBe('@tokentrace/instrumentation');
      await emulator.waitForRequests(1);
      await harness.waitForOpenSpans(); // the emulator's own server span too
      const [httpSpan] = httpChildren(harness.spans(), llm);
      expect(httpClientSpans(harness.spans())).toHaveLength(httpSpans ? 1 : 0);

      const recorded = everythingRecorded(harness.spans());
      expect(recorded).not.toContain(call.secret);
      expect(recorded).not.toContain(encodeURIComponent(call.secret));

      if (httpSpans && call.redactedQuery) {
        const base = url.slice(0, url.indexOf('?'));
        const full = httpSpan.attributes['url.full'] ?? httpSpan.attributes['http.url'];
        expect(full).toBe(`${base}?${call.redactedQuery}`);
        // instrumentation-undici writes url.query with its leading '?', instrumentation-http without.
        const query = httpSpan.attributes['url.query'];
        if (query !== undefined) expect(String(query).replace(/^\?/, '')).toBe(call.redactedQuery);
      }
    });
  });
});
