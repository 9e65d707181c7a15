/**
 * Opt-in message content (README: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT /
 * `captureMessageContent`): nothing by default; when on, gen_ai.input.messages,
 * gen_ai.output.messages and gen_ai.system_instructions as the exact JSON of the conventions'
 * message and part shapes; `maxContentLength` shortening that stays valid JSON and is flagged;
 * the `redactContent` hook; a hook that throws is recorded and never reaches the app.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TokentraceInstrumentationConfig } from '@tokentrace/instrumentation';
import { setupTracing } from '../harness/in-process-tracing.js';
import { everythingRecorded, genAiSpans } from '../harness/span-assertions.js';
import { startAnthropicEmulator, startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';

const INPUT = 'gen_ai.input.messages';
const OUTPUT = 'gen_ai.output.messages';
const SYSTEM = 'gen_ai.system_instructions';
const TRUNCATED = 'tokentrace.content.truncated';
const CAPTURE_ERROR = 'tokentrace.capture.error';

const harness = setupTracing({});
let openaiEmulator: ProviderEmulator;
let anthropicEmulator: ProviderEmulator;
let openai: OpenAI;
let anthropic: Anthropic;

function configure(extra: TokentraceInstrumentationConfig): void {
  harness.instrumentation.setConfig({
    endpoints: [
      { baseUrl: openaiEmulator.url, provider: 'openai' },
      { baseUrl: anthropicEmulator.url, format: 'anthropic' },
    ],
    ...extra,
  });
}

beforeAll(async () => {
  openaiEmulator = await startOpenAIEmulator();
  anthropicEmulator = await startAnthropicEmulator();
  openai = new OpenAI({ apiKey: 'sk-content-test', baseURL: openaiEmulator.baseUrl, maxRetries: 0 });
  // This SDK major traces its own calls by default (and tokentrace then stays out of the way, see
  // duplicates-and-metrics.test.ts); switched off here so the spans are tokentrace's.
  anthropic = new Anthropic({ apiKey: 'sk-ant-content-test', baseURL: anthropicEmulator.baseUrl, maxRetries: 0, openTelemetry: false });
});
afterAll(async () => {
  await openaiEmulator.close();
  await anthropicEmulator.close();
  await harness.shutdown();
});
beforeEach(() => {
  configure({});
  harness.reset();
  openaiEmulator.reset();
  anthropicEmulator.reset();
});

async function onlySpan(): Promise<ReadableSpan> {
  const spans = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
  expect(spans).toHaveLength(1);
  expect(spans[0].instrumentationScope.name).toBe('@tokentrace/instrumentation');
  return spans[0];
}

const weatherHistory: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You are a weather bot.' },
  { role: 'user', content: 'Weather in Paris?' },
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
  { role: 'tool', tool_call_id: 'call_abc123', content: '18°C and sunny' },
];

describe('off by default', () => {
  it('records no message content, and none of it appears anywhere', async () => {
    openaiEmulator.enqueue({ text: 'It is 18°C and sunny in Paris.', inputTokens: 40, outputTokens: 9 });
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: weatherHistory });
    expect(completion.choices[0].message.content).toBe('It is 18°C and sunny in Paris.');
    const span = await onlySpan();
    expect(span.attributes[INPUT]).toBeUndefined();
    expect(span.attributes[OUTPUT]).toBeUndefined();
    expect(span.attributes[SYSTEM]).toBeUndefined();
    const recorded = everythingRecorded(harness.spans());
    for (const secret of ['weather bot', 'Weather in Paris', '18°C', 'get_weather']) expect(recorded).not.toContain(secret);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(9); // the span itself is complete
  });

  it('captureMessageContent: false stays off', async () => {
    configure({ captureMessageContent: false });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
    const span = await onlySpan();
    expect(span.attributes[INPUT]).toBeUndefined();
    expect(span.attributes[OUTPUT]).toBeUndefined();
  });
});

describe('captureMessageContent: true', () => {
  beforeEach(() => configure({ captureMessageContent: true }));

  it('OpenAI chat: the history, tool call and tool result in the conventions part shape; the reply with its finish reason', async () => {
    openaiEmulator.enqueue({ text: 'It is 18°C and sunny in Paris.', inputTokens: 40, outputTokens: 9 });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: weatherHistory });
    const span = await onlySpan();
    expectJson(span.attributes[INPUT], [
      { role: 'system', parts: [{ type: 'text', content: 'You are a weather bot.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', name: 'get_weather', id: 'call_abc123', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_abc123', response: '18°C and sunny' }] },
    ]);
    expectJson(span.attributes[OUTPUT], [
      { role: 'assistant', parts: [{ type: 'text', content: 'It is 18°C and sunny in Paris.' }], finish_reason: 'stop' },
    ]);
    // Chat Completions keeps instructions in the history: no separate system_instructions.
    expect(span.attributes[SYSTEM]).toBeUndefined();
    expect(span.attributes[TRUNCATED]).toBeUndefined();
    expect(span.attributes[CAPTURE_ERROR]).toBeUndefined();
  });

  it('OpenAI chat: a streamed reply gives the same output JSON as the JSON reply', async () => {
    openaiEmulator.enqueue({ text: 'It is 18°C and sunny in Paris.', inputTokens: 40, outputTokens: 9 });
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: weatherHistory, stream: true, stream_options: { include_usage: true } });
    for await (const _ of stream) void _;
    const span = await onlySpan();
    expectJson(span.attributes[OUTPUT], [
      { role: 'assistant', parts: [{ type: 'text', content: 'It is 18°C and sunny in Paris.' }], finish_reason: 'stop' },
    ]);
  });

  it('OpenAI chat: a tool call in the reply', async () => {
    openaiEmulator.enqueue({ toolCall: { id: 'call_xyz789', name: 'get_weather', arguments: { city: 'Lyon', unit: 'celsius' } }, inputTokens: 20, outputTokens: 12 });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'And Lyon?' }] });
    const span = await onlySpan();
    expectJson(span.attributes[OUTPUT], [
      { role: 'assistant', parts: [{ type: 'tool_call', name: 'get_weather', id: 'call_xyz789', arguments: { city: 'Lyon', unit: 'celsius' } }], finish_reason: 'tool_call' },
    ]);
  });

  const anthropicTools: Anthropic.Tool[] = [{ name: 'get_weather', description: 'Current weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];

  it('Anthropic: the system prompt as system_instructions, a tool call in the reply', async () => {
    anthropicEmulator.enqueue({ toolCall: { id: 'toolu_01AbCdEf', name: 'get_weather', arguments: { city: 'Paris' } }, inputTokens: 50, outputTokens: 15 });
    const message = await anthropic.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 256,
      system: 'You are a weather bot. Use tools.',
      tools: anthropicTools,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    expect(message.stop_reason).toBe('tool_use');
    const span = await onlySpan();
    expectJson(span.attributes[SYSTEM], [{ type: 'text', content: 'You are a weather bot. Use tools.' }]);
    expectJson(span.attributes[INPUT], [{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }]);
    expectJson(span.attributes[OUTPUT], [
      { role: 'assistant', parts: [{ type: 'tool_call', name: 'get_weather', id: 'toolu_01AbCdEf', arguments: { city: 'Paris' } }], finish_reason: 'tool_call' },
    ]);
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_use']);
  });

  it('Anthropic: the tool round trip in the input, system as text blocks, a streamed reply', async () => {
    anthropicEmulator.enqueue({ text: 'Sunny, 18°C.', inputTokens: 70, outputTokens: 6 });
    const stream = anthropic.messages.stream({
      model: 'claude-sonnet-5-5',
      max_tokens: 256,
      system: [{ type: 'text', text: 'You are a weather bot.' }, { type: 'text', text: 'Answer in five words.' }],
      tools: anthropicTools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01AbCdEf', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01AbCdEf', content: '18°C, sunny' }] },
      ],
    });
    expect((await stream.finalMessage()).content).toEqual([{ type: 'text', text: 'Sunny, 18°C.' }]);
    const span = await onlySpan();
    expectJson(span.attributes[SYSTEM], [
      { type: 'text', content: 'You are a weather bot.' },
      { type: 'text', content: 'Answer in five words.' },
    ]);
    expectJson(span.attributes[INPUT], [
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', name: 'get_weather', id: 'toolu_01AbCdEf', arguments: { city: 'Paris' } }] },
      { role: 'user', parts: [{ type: 'tool_call_response', id: 'toolu_01AbCdEf', response: '18°C, sunny' }] },
    ]);
    expectJson(span.attributes[OUTPUT], [
      { role: 'assistant', parts: [{ type: 'text', content: 'Sunny, 18°C.' }], finish_reason: 'stop' },
    ]);
  });
});

describe('maxContentLength', () => {
  it('shortens the longest strings so the attribute fits, stays valid JSON of the same shape, and says so', async () => {
    const maxContentLength = 200;
    configure({ captureMessageContent: true, maxContentLength });
    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(30);
    openaiEmulator.enqueue({ text: 'Short answer.', inputTokens: 300, outputTokens: 3 });
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'Summarise.' }, { role: 'user', content: long }],
    });
    expect(completion.choices[0].message.content).toBe('Short answer.');
    expect(openaiEmulator.lastRequest!.request.json).toMatchObject({ messages: [{}, { content: long }] }); // the app's request is untouched

    const span = await onlySpan();
    expect(span.attributes[TRUNCATED]).toBe(true);
    const input = span.attributes[INPUT] as string;
    expect(input.length).toBeLessThanOrEqual(maxContentLength);
    const parsed = JSON.parse(input) as Array<{ role: string; parts: Array<{ type: string; content: string }> }>;
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toEqual({ role: 'system', parts: [{ type: 'text', content: 'Summarise.' }] });
    expect(parsed[1].role).toBe('user');
    expect(parsed[1].parts).toHaveLength(1);
    expect(parsed[1].parts[0].type).toBe('text');
    expect(parsed[1].parts[0].content.endsWith('…[truncated]')).toBe(true);
    expect(long.startsWith(parsed[1].parts[0].content.slice(0, -'…[truncated]'.length))).toBe(true);
    // The short output fits and is recorded whole.
    expectJson(span.attributes[OUTPUT], [{ role: 'assistant', parts: [{ type: 'text', content: 'Short answer.' }], finish_reason: 'stop' }]);
  });

  it('many short messages (no long string to shorten): still at most maxContentLength, still valid JSON', async () => {
    const maxContentLength = 200;
    configure({ captureMessageContent: true, maxContentLength });
    const messages = Array.from({ length: 60 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` } as const));
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const span = await onlySpan();
    expect(span.attributes[TRUNCATED]).toBe(true);
    const input = span.attributes[INPUT] as string;
    expect(() => JSON.parse(input)).not.toThrow();
    expect(input.length).toBeLessThanOrEqual(maxContentLength);
  });

  it('content that fits is not flagged', async () => {
    configure({ captureMessageContent: true, maxContentLength: 4096 });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'tiny' }] });
    const span = await onlySpan();
    expect(span.attributes[TRUNCATED]).toBeUndefined();
    expectJson(span.attributes[INPUT], [{ role: 'user', parts: [{ type: 'text', content: 'tiny' }] }]);
  });
});

/** The attribute is a string holding exactly this JSON value (key order aside). */
function expectJson(attribute: unknown, expected: unknown): void {
  expect(typeof attribute).toBe('string');
  expect(JSON.parse(attribute as string)).toStrictEqual(expected);
}

/** Replaces e-mail addresses in every string of a JSON value. */
function redactEmails(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[email]');
  if (Array.isArray(value)) return value.map(redactEmails);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactEmails(v)]));
  return value;
}

describe('redactContent', () => {
  it('is applied to each content attribute, with its kind', async () => {
    const kinds: string[] = [];
    configure({
      captureMessageContent: true,
      redactContent: (content, kind) => {
        kinds.push(kind);
        return redactEmails(content);
      },
    });
    anthropicEmulator.enqueue({ text: 'I will write to ceo@example.com and cc jane.doe+ai@corp.example.org.', inputTokens: 30, outputTokens: 20 });
    const message = await anthropic.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 100,
      system: 'Support bot for help@example.com.',
      messages: [{ role: 'user', content: 'My address is alice@example.com, email the CEO.' }],
    });
    // The app gets the real text; only the recorded copy is redacted.
    expect(message.content).toEqual([{ type: 'text', text: 'I will write to ceo@example.com and cc jane.doe+ai@corp.example.org.' }]);
    expect(anthropicEmulator.lastRequest!.request.json).toMatchObject({ system: 'Support bot for help@example.com.' });
    const span = await onlySpan();
    expectJson(span.attributes[SYSTEM], [{ type: 'text', content: 'Support bot for [email].' }]);
    expectJson(span.attributes[INPUT], [{ role: 'user', parts: [{ type: 'text', content: 'My address is [email], email the CEO.' }] }]);
    expectJson(span.attributes[OUTPUT], [
      { role: 'assistant', parts: [{ type: 'text', content: 'I will write to [email] and cc [email].' }], finish_reason: 'stop' },
    ]);
    expect([...kinds].sort()).toEqual(['input', 'output', 'system']);
    expect(everythingRecorded(harness.spans())).not.toMatch(/@example\.com|@corp\.example\.org/);
  });

  it('returning undefined drops that attribute only', async () => {
    configure({ captureMessageContent: true, redactContent: (content, kind) => (kind === 'output' ? undefined : content) });
    openaiEmulator.enqueue({ text: 'private answer' });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'public question' }] });
    const span = await onlySpan();
    expect(span.attributes[OUTPUT]).toBeUndefined();
    expectJson(span.attributes[INPUT], [{ role: 'user', parts: [{ type: 'text', content: 'public question' }] }]);
    expect(everythingRecorded(harness.spans())).not.toContain('private answer');
  });

  it('a hook that throws: recorded as tokentrace.capture.error, no content, and the call is unaffected', async () => {
    configure({
      captureMessageContent: true,
      redactContent: () => {
        throw new Error('redactor exploded');
      },
    });
    openaiEmulator.enqueue({ text: 'Unaffected answer.', inputTokens: 11, outputTokens: 3 });
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'secret question' }] });
    expect(completion.choices[0].message.content).toBe('Unaffected answer.');
    const span = await onlySpan();
    expect(span.attributes[CAPTURE_ERROR]).toBe('content capture: redactor exploded');
    expect(span.attributes[INPUT]).toBeUndefined();
    expect(span.attributes[OUTPUT]).toBeUndefined();
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 11, 'gen_ai.usage.output_tokens': 3, 'gen_ai.response.finish_reasons': ['stop'] });
    expect(span.status.code).toBe(0); // the call itself succeeded
    expect(everythingRecorded(harness.spans())).not.toContain('secret question');
  });
});
