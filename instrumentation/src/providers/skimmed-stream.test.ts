/**
 * A skimmed stream (content capture off) gives the span what a full parse gives: ids, model,
 * usage, finish reasons, errors; its output only through wholeResult(), equal to the full
 * result, for each codec that skims. And the OpenAI chat test skips only what is a delta and
 * nothing else.
 */
import { describe, expect, it } from 'vitest';
import { codecFor } from './codec-registry.js';
import { SkimmedStreamAccumulator } from './skimmed-stream.js';
import type { ApiKind, ResponseInfo, StreamEvent } from './types.js';
import { openAiEndpoint } from './openai-endpoint.fixture.js';

const ENDPOINT = openAiEndpoint();
const codec = codecFor('openai.chat_completions');
const chunk = (fields: string) => `{"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini",${fields}}`;
const delta = (content: string, usage = ',"usage":null') =>
  chunk(`"choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"logprobs":null,"finish_reason":null}]${usage}`);
const STREAM: StreamEvent[] = [
  { data: chunk('"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null') },
  { data: delta('Hel') },
  { data: delta('lo "finish_reason":"stop" \\"usage\\":{}') },
  { data: chunk('"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null') },
  { data: chunk('"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}') },
  { data: '[DONE]' },
];

function fold(events: readonly StreamEvent[]) {
  const full = codec.createStreamAccumulator(ENDPOINT);
  const skimmed = new SkimmedStreamAccumulator(codec.createStreamAccumulator(ENDPOINT), () => codec.createStreamAccumulator(ENDPOINT), codec.isOutputOnly!);
  for (const event of events) {
    full.accept(event);
    skimmed.accept(event);
  }
  return { full: full.result(), skimmed };
}

const withoutOutput = (info: ResponseInfo) => ({ ...info, outputText: '', outputMessages: undefined });

describe('SkimmedStreamAccumulator', () => {
  it('gives what a full parse gives, the output only through wholeResult()', () => {
    const { full, skimmed } = fold(STREAM);
    expect(full.outputText).toBe('Hello "finish_reason":"stop" \\"usage\\":{}');
    expect(skimmed.result()).toEqual(withoutOutput(full));
    expect(skimmed.wholeResult()).toEqual(full);
    expect(skimmed.isComplete()).toBe(true);
  });

  it('a stream cut short after deltas: ids and model as a full parse gives them', () => {
    const cut = STREAM.slice(0, 3);
    const { full, skimmed } = fold(cut);
    expect(skimmed.result()).toEqual(withoutOutput(full));
    expect(skimmed.result().model).toBe('gpt-4o-mini');
    expect(skimmed.isComplete()).toBe(false);
  });
});

const json = (event: string, data: unknown): StreamEvent => ({ event, data: JSON.stringify(data) });
const EVENT_NAMED: Array<[ApiKind, StreamEvent[]]> = [
  [
    'anthropic.messages',
    [
      json('message_start', { type: 'message_start', message: { id: 'm', model: 'claude', usage: { input_tokens: 1 } } }),
      json('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      json('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }),
      json('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } }),
      json('content_block_stop', { type: 'content_block_stop', index: 0 }),
      json('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }),
      json('message_stop', { type: 'message_stop' }),
    ],
  ],
  [
    'openai.responses',
    [
      json('response.created', { type: 'response.created', response: { id: 'r', object: 'response', model: 'gpt-4o', status: 'in_progress' } }),
      json('response.output_item.added', { type: 'response.output_item.added', output_index: 0, item: { type: 'message', role: 'assistant', content: [] } }),
      json('response.output_text.delta', { type: 'response.output_text.delta', output_index: 0, delta: 'Hel' }),
      json('response.output_text.delta', { type: 'response.output_text.delta', output_index: 0, delta: 'lo' }),
      json('response.completed', {
        type: 'response.completed',
        response: {
          id: 'r',
          object: 'response',
          model: 'gpt-4o',
          status: 'completed',
          output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello' }] }],
          usage: { input_tokens: 1, output_tokens: 2 },
        },
      }),
    ],
  ],
  [
    'bedrock.converse',
    [
      json('messageStart', { role: 'assistant' }),
      json('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hel' } }),
      json('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'lo' } }),
      json('contentBlockStop', { contentBlockIndex: 0 }),
      json('messageStop', { stopReason: 'end_turn' }),
      json('metadata', { usage: { inputTokens: 1, outputTokens: 2 }, metrics: { latencyMs: 1 } }),
    ],
  ],
];

describe.each(EVENT_NAMED)('%s skimmed by event name', (api, events) => {
  it('gives what a full parse gives, the output only through wholeResult()', () => {
    const c = codecFor(api);
    const ep = { ...ENDPOINT, api };
    const full = c.createStreamAccumulator(ep);
    const skimmed = new SkimmedStreamAccumulator(c.createStreamAccumulator(ep), () => c.createStreamAccumulator(ep), c.isOutputOnly!);
    for (const event of events) {
      full.accept(event);
      skimmed.accept(event);
    }
    const info = full.result();
    expect(info.outputText).toBe('Hello');
    expect(skimmed.result()).toEqual(withoutOutput(info));
    expect(skimmed.wholeResult()).toEqual(info);
    expect(skimmed.isComplete()).toBe(true);
  });

  it('cut short before its last event: what a full parse gives too', () => {
    const c = codecFor(api);
    const ep = { ...ENDPOINT, api };
    const full = c.createStreamAccumulator(ep);
    const skimmed = new SkimmedStreamAccumulator(c.createStreamAccumulator(ep), () => c.createStreamAccumulator(ep), c.isOutputOnly!);
    for (const event of events.slice(0, -1)) {
      full.accept(event);
      skimmed.accept(event);
    }
    expect(skimmed.result()).toEqual(withoutOutput(full.result()));
    expect(skimmed.wholeResult()).toEqual(full.result());
  });
});

describe('openai chat isOutputOnly', () => {
  const isOutputOnly = (data: string) => codec.isOutputOnly!({ data });
  it('skips a delta, with or without the usage field, with or without obfuscation padding', () => {
    expect(isOutputOnly(delta('a'))).toBe(true);
    expect(isOutputOnly(delta('a', ''))).toBe(true);
    expect(isOutputOnly(delta('a', ',"usage":null,"obfuscation":"x1Yz"'))).toBe(true);
    expect(isOutputOnly(delta('a', ',"obfuscation":"x1Yz"'))).toBe(true);
  });
  it('parses anything else', () => {
    expect(isOutputOnly(STREAM[3].data)).toBe(false); // finish reason
    expect(isOutputOnly(STREAM[4].data)).toBe(false); // usage
    expect(isOutputOnly('[DONE]')).toBe(false);
    // Several choices, one of them finished.
    expect(isOutputOnly(chunk('"choices":[{"index":0,"delta":{},"finish_reason":"stop"},{"index":1,"delta":{"content":"a"},"finish_reason":null}],"usage":null'))).toBe(false);
    // Usage elsewhere (Groq's x_groq), an error, spaces after the colons.
    expect(isOutputOnly(`{"x_groq":{"usage":{"prompt_tokens":1}},${delta('a').slice(1)}`)).toBe(false);
    expect(isOutputOnly(`{"error":{"message":"boom"},${delta('a').slice(1)}`)).toBe(false);
    expect(isOutputOnly('{"id": "c1", "choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": null}]}')).toBe(false);
    expect(isOutputOnly(delta('a', ',"usage":null,"obfuscation":"x\\"y"'))).toBe(false); // a quote in the padding
    expect(isOutputOnly(delta('a', ',"usage":{"total_tokens":1},"obfuscation":"xy"'))).toBe(false);
  });
});
