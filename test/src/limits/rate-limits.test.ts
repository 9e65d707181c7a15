/**
 * Issue 14 §2: rate limits and budgets enforced in the app's process, before the request leaves.
 * The emulators' call logs are the truth: a quota of N lets exactly N calls reach the provider per
 * window and segment; the N+1th is answered in-process with the provider's own 429, which the real
 * SDKs raise as their usual rate-limit error. The clock the windows are computed from is injected
 * (no test depends on wall time or a window boundary).
 */
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { withContext } from '@tokentrace/instrumentation';
import {
  ATTR_TOKENTRACE_RATE_LIMIT_DECISION,
  ATTR_TOKENTRACE_RATE_LIMIT_LIMIT,
  ATTR_TOKENTRACE_RATE_LIMIT_POLICY,
  ATTR_TOKENTRACE_RATE_LIMIT_REMAINING,
  ATTR_TOKENTRACE_RATE_LIMIT_SEGMENT,
} from '@tokentrace/semconv';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans } from '../harness/span-assertions.js';
import { startAnthropicEmulator, startGeminiEmulator, startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';

/** 30 s into a 60 s window: far from its edges. */
const WINDOW_START = Date.UTC(2026, 11, 6, 12, 0, 0);
let clock = WINDOW_START + 30_000;
const harness = setupTracing({});
let openai: ProviderEmulator;
let anthropic: ProviderEmulator;
let gemini: ProviderEmulator;

function configure(limits: Record<string, unknown> = {}): void {
  harness.instrumentation.setConfig({
    endpoints: [
      { baseUrl: openai.url, provider: 'openai' },
      { baseUrl: anthropic.url, provider: 'anthropic', format: 'anthropic' },
      { baseUrl: gemini.url, provider: 'gcp.gemini', format: 'gemini' },
    ],
    limits: { now: () => clock, ...limits },
  });
}

beforeAll(async () => {
  [openai, anthropic, gemini] = await Promise.all([startOpenAIEmulator(), startAnthropicEmulator(), startGeminiEmulator()]);
});
afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
  await harness.shutdown();
});
beforeEach(() => {
  configure(); // fresh counters: a new config builds a new gate
  clock = WINDOW_START + 30_000;
  harness.reset();
  for (const e of [openai, anthropic, gemini]) e.reset();
});
// Spans end off the app's path (over a few event-loop turns): every call's span has ended before
// the next test, those answered in-process (no emulator request) included, once no span is open.
afterEach(async () => {
  await harness.waitForSpans((s) => genAiSpans(s).length >= openai.requests.length + anthropic.requests.length + gemini.requests.length);
  await harness.waitForOpenSpans();
});

const MESSAGES = [{ role: 'user' as const, content: 'Hi' }];
const openaiClient = (headers: Record<string, string>) => new OpenAI({ apiKey: 'sk-limit', baseURL: openai.baseUrl, maxRetries: 0, defaultHeaders: headers });
const byStart = (spans: readonly ReadableSpan[]) => [...spans].sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
async function spansOf(n: number): Promise<ReadableSpan[]> {
  return byStart(genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length >= n)));
}

describe('Helicone-RateLimit-Policy, requests per user', () => {
  const POLICY = { 'Helicone-RateLimit-Policy': '3;w=60;s=user' };

  it('3 calls reach the provider, the 4th gets openai RateLimitError (429, Retry-After, Helicone-RateLimit-*) without reaching it', async () => {
    const client = openaiClient({ ...POLICY, 'Helicone-User-Id': 'u-1' });
    for (let i = 0; i < 3; i++) {
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }).withResponse();
      expect(data.choices[0].message.content).toBeTruthy();
      expect(response.headers.get('helicone-ratelimit-limit')).toBe('3');
      expect(response.headers.get('helicone-ratelimit-remaining')).toBe(String(2 - i));
      expect(response.headers.get('helicone-ratelimit-policy')).toBe('3;w=60;u=request;s=user');
    }
    const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const limited = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(limited.status).toBe(429);
    expect(limited.code).toBe('rate_limit_exceeded');
    expect(limited.headers?.get('retry-after')).toBe('30'); // the window ends in 30 s
    expect(limited.headers?.get('helicone-ratelimit-remaining')).toBe('0');
    expect(openai.requests).toHaveLength(3);
    // No policy header reached the provider.
    for (const r of openai.requests) expect(Object.keys(r.request.headers).filter((h) => h.startsWith('helicone-'))).toEqual([]);

    const spans = await spansOf(4);
    expect(spans.map((s) => s.attributes[ATTR_TOKENTRACE_RATE_LIMIT_DECISION])).toEqual(['allowed', 'allowed', 'allowed', 'limited']);
    expect(spans.map((s) => s.attributes[ATTR_TOKENTRACE_RATE_LIMIT_REMAINING])).toEqual([2, 1, 0, 0]);
    expect(spans[3].attributes[ATTR_TOKENTRACE_RATE_LIMIT_SEGMENT]).toBe('user:u-1');
    expect(spans[3].attributes[ATTR_TOKENTRACE_RATE_LIMIT_LIMIT]).toBe(3);
    expect(spans[3].attributes['error.type']).toBe('429');
  });

  it('each user has their own counter; the next window starts again', async () => {
    for (let i = 0; i < 3; i++) await openaiClient({ ...POLICY, 'Helicone-User-Id': 'u-a' }).chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    await expect(openaiClient({ ...POLICY, 'Helicone-User-Id': 'u-a' }).chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await openaiClient({ ...POLICY, 'Helicone-User-Id': 'u-b' }).chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    clock += 60_000;
    await openaiClient({ ...POLICY, 'Helicone-User-Id': 'u-a' }).chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    expect(openai.requests).toHaveLength(5);
  });

  it('warn mode: the 4th call goes out, its span says warned', async () => {
    configure({ mode: 'warn' });
    const client = openaiClient({ ...POLICY, 'Helicone-User-Id': 'u-w' });
    for (let i = 0; i < 4; i++) await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    expect(openai.requests).toHaveLength(4);
    const spans = await spansOf(4);
    expect(spans.map((s) => s.attributes[ATTR_TOKENTRACE_RATE_LIMIT_DECISION])).toEqual(['allowed', 'allowed', 'allowed', 'warned']);
  });
});

describe('per property, the Tokentrace- form and withContext', () => {
  it('s=<property>: one counter per property value', async () => {
    const call = (tenant: string) =>
      openaiClient({ 'Tokentrace-RateLimit-Policy': '2;w=3600;s=tenant', 'Helicone-Property-Tenant': tenant }).chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    await call('acme');
    await call('acme');
    await expect(call('acme')).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await call('globex');
    expect(openai.requests).toHaveLength(3);
    const spans = await spansOf(4);
    expect(spans[2].attributes[ATTR_TOKENTRACE_RATE_LIMIT_SEGMENT]).toBe('tenant:acme');
  });

  it('withContext({ rateLimitPolicies }) applies to every call inside', async () => {
    const client = openaiClient({});
    await withContext({ userId: 'ctx', rateLimitPolicies: ['1;w=60;s=user'] }, async () => {
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
      await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    });
    expect(openai.requests).toHaveLength(1);
  });
});

describe('the 429 in each provider format', () => {
  it('@anthropic-ai/sdk raises RateLimitError (rate_limit_error) for the 2nd call', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-limit', baseURL: anthropic.baseUrl, maxRetries: 0, defaultHeaders: { 'Helicone-RateLimit-Policy': '1;w=60' } });
    const body = { model: 'claude-haiku-4-5', max_tokens: 16, messages: MESSAGES };
    await client.messages.create(body);
    const err = await client.messages.create(body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect((err as { error: { error: { type: string } } }).error.error.type).toBe('rate_limit_error');
    expect(anthropic.requests).toHaveLength(1);
  });

  it('@google/genai raises ApiError 429 (RESOURCE_EXHAUSTED) for the 2nd call', async () => {
    const client = new GoogleGenAI({ apiKey: 'gm-limit', httpOptions: { baseUrl: gemini.baseUrl, headers: { 'Helicone-RateLimit-Policy': '1;w=60' }, retryOptions: { attempts: 1 } } });
    await client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' });
    const err = await client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(429);
    expect((err as ApiError).message).toContain('RESOURCE_EXHAUSTED');
    expect(gemini.requests).toHaveLength(1);
  });

  it('axios (node:http) gets the 429 with its headers, the provider not called', async () => {
    const { default: axios } = await import('axios');
    const post = () =>
      axios.post(`${openai.baseUrl}/chat/completions`, { model: 'gpt-4o-mini', messages: MESSAGES }, {
        headers: { authorization: 'Bearer sk-limit', 'Helicone-RateLimit-Policy': '1;w=60' },
        validateStatus: () => true,
      });
    expect((await post()).status).toBe(200);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('30');
    expect(limited.data.error.code).toBe('rate_limit_exceeded');
    expect(openai.requests).toHaveLength(1);
  });
});

describe('an invalid policy', () => {
  it('is not enforced; the span says why', async () => {
    await openaiClient({ 'Helicone-RateLimit-Policy': '10;w=5' }).chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    const [span] = await spansOf(1);
    expect(span.attributes['tokentrace.rate_limit.error']).toContain('w must be whole seconds >= 60');
    expect(span.attributes[ATTR_TOKENTRACE_RATE_LIMIT_POLICY]).toBeUndefined();
  });
});

describe('with retries', () => {
  it('each attempt is checked and counted: a 503 then a 200 use two of the quota', async () => {
    configure({ policies: ['2;w=60'] });
    harness.instrumentation.setConfig({ ...harness.instrumentation.getConfig(), retry: { sleep: async () => {} } });
    openai.enqueue({ status: 503, error: { message: 'overloaded' } }, { text: 'ok' });
    const client = openaiClient({ 'Helicone-Retry-Enabled': 'true' });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    expect(openai.requests.map((r) => r.response.status)).toEqual([503, 200]);
    const spans = await spansOf(3);
    expect(spans.map((s) => s.attributes[ATTR_TOKENTRACE_RATE_LIMIT_DECISION])).toEqual(['allowed', 'allowed', 'limited']);
    expect(spans.map((s) => s.attributes['http.request.resend_count'])).toEqual([undefined, 1, undefined]);
  });

  it('axios (node:http): the same, each attempt through the gates', async () => {
    configure({ policies: ['2;w=60'] });
    harness.instrumentation.setConfig({ ...harness.instrumentation.getConfig(), retry: { sleep: async () => {} } });
    const { default: axios } = await import('axios');
    openai.enqueue({ status: 503, error: { message: 'overloaded' } }, { text: 'ok' });
    const post = () =>
      axios.post(`${openai.baseUrl}/chat/completions`, { model: 'gpt-4o-mini', messages: MESSAGES }, {
        headers: { authorization: 'Bearer sk-limit', 'Helicone-Retry-Enabled': 'true' },
        validateStatus: () => true,
      });
    const first = await post();
    expect(first.status).toBe(200);
    expect(first.headers['helicone-ratelimit-remaining']).toBe('0');
    expect((await post()).status).toBe(429);
    expect(openai.requests.map((r) => r.response.status)).toEqual([503, 200]);
  });
});
