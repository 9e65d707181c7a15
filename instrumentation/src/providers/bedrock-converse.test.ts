import { describe, expect, it } from 'vitest';
import { bedrockConverseCodec as codec, bedrockErrorType } from './bedrock-converse.js';
import type { LlmEndpoint, ResponseInfo, StreamEvent } from './types.js';

const endpoint: LlmEndpoint = {
  provider: 'aws.bedrock',
  api: 'bedrock.converse',
  operation: 'chat',
  urlModel: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
  serverAddress: 'bedrock-runtime.us-east-1.amazonaws.com',
  serverPort: 443,
};
const streamEndpoint: LlmEndpoint = { ...endpoint, urlStream: true };

/** An event as the AWS event-stream decoder hands it over: `:event-type` and the JSON payload (with its `p` padding). */
const ev = (event: string, payload: Record<string, unknown>): StreamEvent => ({ event, data: JSON.stringify({ ...payload, p: 'abcdefghij' }) });

function fold(events: StreamEvent[]): ResponseInfo {
  const acc = codec.createStreamAccumulator(streamEndpoint);
  for (const e of events) acc.accept(e);
  return acc.result();
}

const toolBody = {
  output: {
    message: {
      role: 'assistant',
      content: [
        { reasoningContent: { reasoningText: { text: 'I need the top song for WZPZ.', signature: 'ErcBCkgI' } } },
        { text: "I'll look that up." },
        { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', input: { sign: 'WZPZ' } } },
      ],
    },
  },
  stopReason: 'tool_use',
  usage: { inputTokens: 50, outputTokens: 20, totalTokens: 3570, cacheReadInputTokens: 2000, cacheWriteInputTokens: 1500 },
  metrics: { latencyMs: 1024 },
};

describe('bedrock converse: request', () => {
  it('reads system blocks, content blocks and inference config (model comes from the URL)', () => {
    const body = {
      messages: [
        {
          role: 'user',
          content: [
            { text: 'What is the most popular song on WZPZ?' },
            { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } },
            { document: { format: 'pdf', name: 'report', source: { s3Location: { uri: 's3://bucket/report.pdf' } } } },
          ],
        },
        { role: 'assistant', content: toolBody.output.message.content },
        {
          role: 'user',
          content: [{ toolResult: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', content: [{ json: { song: 'Elemental Hotel', artist: '8 Storey Hike' } }], status: 'success' } }],
        },
      ],
      system: [{ text: 'You are an app that creates playlists for a radio station.' }, { cachePoint: { type: 'default' } }],
      inferenceConfig: { maxTokens: 512, temperature: 0.5, topP: 0.9, stopSequences: ['END'] },
      additionalModelRequestFields: { top_k: 200 },
    };
    expect(codec.parseRequest(body, endpoint)).toEqual({
      stream: false,
      temperature: 0.5,
      maxTokens: 512,
      topP: 0.9,
      topK: 200,
      stopSequences: ['END'],
      systemInstructions: [{ type: 'text', content: 'You are an app that creates playlists for a radio station.' }],
      inputMessages: [
        {
          role: 'user',
          parts: [
            { type: 'text', content: 'What is the most popular song on WZPZ?' },
            { type: 'blob', modality: 'image', mime_type: 'image/png', content: 'iVBORw0KGgo=' },
            { type: 'uri', modality: 'document', mime_type: 'application/pdf', uri: 's3://bucket/report.pdf' },
          ],
        },
        {
          role: 'assistant',
          parts: [
            { type: 'reasoning', content: 'I need the top song for WZPZ.' },
            { type: 'text', content: "I'll look that up." },
            { type: 'tool_call', id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', arguments: { sign: 'WZPZ' } },
          ],
        },
        {
          role: 'user',
          parts: [{ type: 'tool_call_response', id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', response: { song: 'Elemental Hotel', artist: '8 Storey Hike' } }],
        },
      ],
      inputText:
        'You are an app that creates playlists for a radio station.\nWhat is the most popular song on WZPZ?\nI need the top song for WZPZ.\n' +
        'I\'ll look that up.\n{"sign":"WZPZ"}\n{"song":"Elemental Hotel","artist":"8 Storey Hike"}',
    });
  });

  it('reads Nova top_k and text tool results, and marks the stream URL', () => {
    const info = codec.parseRequest(
      {
        messages: [{ role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'a' }, { text: 'b' }] } }] }],
        additionalModelRequestFields: { inferenceConfig: { topK: 20 } },
      },
      streamEndpoint,
    );
    expect(info.stream).toBe(true);
    expect(info.topK).toBe(20);
    expect(info.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'tool_call_response', id: 't1', response: 'a\nb' }] }]);
  });
});

describe('bedrock converse: response', () => {
  it('adds cache reads and writes to input tokens', () => {
    expect(codec.parseResponse(toolBody, endpoint)).toEqual({
      finishReasons: ['tool_use'],
      usage: { inputTokens: 3550, outputTokens: 20, cacheReadInputTokens: 2000, cacheCreationInputTokens: 1500 },
      outputMessages: [
        {
          role: 'assistant',
          parts: [
            { type: 'reasoning', content: 'I need the top song for WZPZ.' },
            { type: 'text', content: "I'll look that up." },
            { type: 'tool_call', id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', arguments: { sign: 'WZPZ' } },
          ],
          finish_reason: 'tool_call',
        },
      ],
      outputText: 'I need the top song for WZPZ.\nI\'ll look that up.\n{"sign":"WZPZ"}',
    });
  });

  it('normalizes stop reasons', () => {
    const reasonOf = (stopReason: string) => codec.parseResponse({ ...toolBody, stopReason }, endpoint).outputMessages![0].finish_reason;
    expect(['end_turn', 'stop_sequence', 'max_tokens', 'guardrail_intervened', 'content_filtered', 'malformed_tool_use'].map(reasonOf)).toEqual([
      'stop',
      'stop',
      'length',
      'content_filter',
      'content_filter',
      'error',
    ]);
  });

  it('reads error bodies, whose type is only in the header unless __type is present', () => {
    expect(codec.parseResponse({ message: 'The security token included in the request is invalid.' }, endpoint)).toEqual({
      finishReasons: [],
      outputText: '',
      error: { type: 'error', message: 'The security token included in the request is invalid.' },
    });
    expect(codec.parseResponse({ __type: 'com.amazon.coral.validate#ValidationException', Message: 'Malformed input request' }, endpoint).error).toEqual({
      type: 'ValidationException',
      message: 'Malformed input request',
    });
    expect(bedrockErrorType('ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/')).toBe('ThrottlingException');
    expect(bedrockErrorType('ModelNotReadyException')).toBe('ModelNotReadyException');
  });
});

describe('bedrock converse: stream', () => {
  it('folds reasoning, text and tool-use deltas into the non-stream result', () => {
    const events = [
      ev('messageStart', { role: 'assistant' }),
      ev('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'I need the top song ' } } }),
      ev('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'for WZPZ.' } } }),
      ev('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'ErcBCkgI' } } }),
      ev('contentBlockStop', { contentBlockIndex: 0 }),
      ev('contentBlockDelta', { contentBlockIndex: 1, delta: { text: "I'll look" } }),
      ev('contentBlockDelta', { contentBlockIndex: 1, delta: { text: ' that up.' } }),
      ev('contentBlockStop', { contentBlockIndex: 1 }),
      ev('contentBlockStart', { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song' } } }),
      ev('contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '{"sign": ' } } }),
      ev('contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '"WZPZ"}' } } }),
      ev('contentBlockStop', { contentBlockIndex: 2 }),
      ev('messageStop', { stopReason: 'tool_use' }),
      ev('metadata', { usage: toolBody.usage, metrics: { latencyMs: 1024 } }),
    ];
    expect(fold(events)).toEqual(codec.parseResponse(toolBody, endpoint));
  });

  it('accepts payloads wrapped in their member name', () => {
    const info = fold([
      { data: JSON.stringify({ messageStart: { role: 'assistant' } }) },
      { event: 'contentBlockDelta', data: JSON.stringify({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hi' } } }) },
      { data: JSON.stringify({ messageStop: { stopReason: 'end_turn' } }) },
      { data: JSON.stringify({ metadata: { usage: { inputTokens: 4, outputTokens: 1, totalTokens: 5 } } }) },
    ]);
    expect(info).toEqual({
      finishReasons: ['end_turn'],
      usage: { inputTokens: 4, outputTokens: 1 },
      outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'Hi' }], finish_reason: 'stop' }],
      outputText: 'Hi',
    });
  });

  it('reports a stream exception with the type spelled as in the header', () => {
    const info = fold([
      ev('messageStart', { role: 'assistant' }),
      ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Par' } }),
      { event: 'throttlingException', exception: true, data: JSON.stringify({ message: 'Too many requests, please wait before trying again.' }) },
    ]);
    expect(info.error).toEqual({ type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' });
    expect(info.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Par' }], finish_reason: 'error' }]);
  });
});

describe('bedrock converse: odd input', () => {
  it('never throws and returns what it can', () => {
    for (const body of [undefined, null, 1, 'x', [], {}, { messages: [null, { content: [null, { image: 'x' }, { toolUse: 1 }, { toolResult: {} }] }], system: 'x' }]) {
      expect(() => codec.parseRequest(body, endpoint)).not.toThrow();
      expect(() => codec.parseResponse(body, endpoint)).not.toThrow();
    }
    expect(codec.parseResponse({ output: { message: { content: 'x' } }, stopReason: 3, usage: { inputTokens: 'many' } }, endpoint)).toEqual({
      finishReasons: [],
      outputMessages: [{ role: 'assistant', parts: [], finish_reason: 'error' }],
      outputText: '',
    });
    const acc = codec.createStreamAccumulator(streamEndpoint);
    for (const e of [{ data: '' }, { event: 'contentBlockDelta', data: 'null' }, { event: 'contentBlockDelta', data: '{"delta":7}' }, { event: 'metadata', data: '[]' }, { event: 'x', exception: true, data: 'oops' }]) {
      expect(() => acc.accept(e)).not.toThrow();
    }
    expect(acc.result().error).toEqual({ type: 'X' });
  });
});
