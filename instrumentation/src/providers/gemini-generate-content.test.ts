import { describe, expect, it } from 'vitest';
import { geminiGenerateContentCodec as codec } from './gemini-generate-content.js';
import type { LlmEndpoint, ResponseInfo, StreamEvent } from './types.js';

const endpoint: LlmEndpoint = {
  provider: 'gcp.gemini',
  api: 'gemini.generate_content',
  operation: 'generate_content',
  urlModel: 'gemini-2.5-flash',
  serverAddress: 'generativelanguage.googleapis.com',
  serverPort: 443,
};
const streamEndpoint: LlmEndpoint = { ...endpoint, urlStream: true };

const sse = (chunk: unknown): StreamEvent => ({ data: JSON.stringify(chunk) });

function fold(events: StreamEvent[]): ResponseInfo {
  const acc = codec.createStreamAccumulator(streamEndpoint);
  for (const e of events) acc.accept(e);
  return acc.result();
}

const meta = { modelVersion: 'gemini-2.5-flash', responseId: 'mAitaLmkHPPlz7IPvtfUqQ4' };

const thinkingBody = {
  candidates: [
    {
      content: {
        parts: [
          { text: 'The user greets me. ', thought: true },
          { text: 'Reply politely.', thought: true },
          { text: 'Hello! How can I help you today?' },
        ],
        role: 'model',
      },
      finishReason: 'STOP',
      safetyRatings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' }],
    },
  ],
  usageMetadata: {
    promptTokenCount: 1200,
    candidatesTokenCount: 10,
    totalTokenCount: 1310,
    cachedContentTokenCount: 1024,
    thoughtsTokenCount: 100,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: 1200 }],
  },
  ...meta,
};

describe('gemini generateContent: request', () => {
  it('reads camelCase contents, system instruction and generation config (model comes from the URL)', () => {
    const body = {
      contents: [
        {
          role: 'user',
          parts: [
            { text: "What's in this image?" },
            { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQSkZJRg==' } },
            { fileData: { mimeType: 'application/pdf', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc-123' } },
          ],
        },
        { role: 'model', parts: [{ functionCall: { name: 'find_theaters', args: { location: 'Mountain View, CA' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'find_theaters', response: { movie: 'Barbie' } } }] },
      ],
      systemInstruction: { parts: [{ text: 'You are a cat.' }, { text: 'Your name is Neko.' }] },
      generationConfig: {
        temperature: 1.0,
        topP: 0.95,
        topK: 40,
        maxOutputTokens: 8192,
        candidateCount: 2,
        stopSequences: ['Title'],
        seed: 7,
        presencePenalty: 0.5,
        frequencyPenalty: 0.2,
        responseMimeType: 'application/json',
      },
    };
    expect(codec.parseRequest(body, endpoint)).toEqual({
      stream: false,
      temperature: 1.0,
      maxTokens: 8192,
      topP: 0.95,
      topK: 40,
      frequencyPenalty: 0.2,
      presencePenalty: 0.5,
      stopSequences: ['Title'],
      seed: 7,
      choiceCount: 2,
      outputType: 'json',
      systemInstructions: [
        { type: 'text', content: 'You are a cat.' },
        { type: 'text', content: 'Your name is Neko.' },
      ],
      inputMessages: [
        {
          role: 'user',
          parts: [
            { type: 'text', content: "What's in this image?" },
            { type: 'blob', modality: 'image', mime_type: 'image/jpeg', content: '/9j/4AAQSkZJRg==' },
            { type: 'uri', modality: 'document', mime_type: 'application/pdf', uri: 'https://generativelanguage.googleapis.com/v1beta/files/abc-123' },
          ],
        },
        { role: 'assistant', parts: [{ type: 'tool_call', name: 'find_theaters', arguments: { location: 'Mountain View, CA' } }] },
        { role: 'user', parts: [{ type: 'tool_call_response', response: { movie: 'Barbie' } }] },
      ],
      inputText: 'You are a cat.\nYour name is Neko.\nWhat\'s in this image?\n{"location":"Mountain View, CA"}\n{"movie":"Barbie"}',
    });
  });

  it('reads the snake_case spelling of the REST samples and marks URL streams', () => {
    const body = {
      system_instruction: { parts: [{ text: 'You are a cat.' }] },
      contents: [{ parts: [{ text: 'Hello there' }, { inline_data: { mime_type: 'audio/mp3', data: 'SUQz' } }] }],
      generation_config: { max_output_tokens: 100, stop_sequences: ['x'], top_k: 3, response_mime_type: 'text/plain' },
    };
    expect(codec.parseRequest(body, streamEndpoint)).toEqual({
      stream: true,
      maxTokens: 100,
      topK: 3,
      stopSequences: ['x'],
      outputType: 'text',
      systemInstructions: [{ type: 'text', content: 'You are a cat.' }],
      inputMessages: [
        {
          role: 'user',
          parts: [
            { type: 'text', content: 'Hello there' },
            { type: 'blob', modality: 'audio', mime_type: 'audio/mp3', content: 'SUQz' },
          ],
        },
      ],
      inputText: 'You are a cat.\nHello there',
    });
  });

  it('reads image output requests and a string system instruction', () => {
    const info = codec.parseRequest({ contents: [], systemInstruction: 'Draw.', generationConfig: { responseModalities: ['TEXT', 'IMAGE'] } }, endpoint);
    expect(info.outputType).toBe('image');
    expect(info.systemInstructions).toEqual([{ type: 'text', content: 'Draw.' }]);
  });
});

describe('gemini generateContent: response', () => {
  it('counts thoughts as output and reads thought parts as reasoning', () => {
    expect(codec.parseResponse(thinkingBody, endpoint)).toEqual({
      id: 'mAitaLmkHPPlz7IPvtfUqQ4',
      model: 'gemini-2.5-flash',
      finishReasons: ['STOP'],
      usage: { inputTokens: 1200, outputTokens: 110, cacheReadInputTokens: 1024, reasoningOutputTokens: 100 },
      outputMessages: [
        {
          role: 'assistant',
          parts: [
            { type: 'reasoning', content: 'The user greets me. ' },
            { type: 'reasoning', content: 'Reply politely.' },
            { type: 'text', content: 'Hello! How can I help you today?' },
          ],
          finish_reason: 'stop',
        },
      ],
      outputText: 'The user greets me. \nReply politely.\nHello! How can I help you today?',
    });
  });

  it('adds tool-use prompt tokens to input and reports function calls ending in STOP as tool_call', () => {
    const info = codec.parseResponse(
      {
        candidates: [{ content: { role: 'model', parts: [{ functionCall: { id: 'fc-1', name: 'get_weather', args: { city: 'Paris' } } }] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 50, toolUsePromptTokenCount: 25, candidatesTokenCount: 8, totalTokenCount: 83 },
        ...meta,
      },
      endpoint,
    );
    expect(info.usage).toEqual({ inputTokens: 75, outputTokens: 8 });
    expect(info.finishReasons).toEqual(['STOP']);
    expect(info.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'fc-1', name: 'get_weather', arguments: { city: 'Paris' } }], finish_reason: 'tool_call' }]);
  });

  it('normalizes safety and length finish reasons per candidate', () => {
    const info = codec.parseResponse(
      {
        candidates: [
          { content: { role: 'model', parts: [{ text: 'A' }] }, finishReason: 'MAX_TOKENS' },
          { index: 1, finishReason: 'SAFETY' },
          { index: 2, content: { role: 'model', parts: [{ text: 'x' }] }, finishReason: 'MALFORMED_FUNCTION_CALL' },
        ],
      },
      endpoint,
    );
    expect(info.finishReasons).toEqual(['MAX_TOKENS', 'SAFETY', 'MALFORMED_FUNCTION_CALL']);
    expect(info.outputMessages!.map((m) => m.finish_reason)).toEqual(['length', 'content_filter', 'error']);
  });

  it('reads the error body', () => {
    expect(codec.parseResponse({ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } }, endpoint)).toEqual({
      finishReasons: [],
      outputText: '',
      error: { type: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).' },
    });
    expect(codec.parseResponse({ error: { code: 500, message: 'Internal' } }, endpoint).error).toEqual({ type: '500', message: 'Internal' });
  });
});

describe('gemini generateContent: stream', () => {
  const chunks = [
    { candidates: [{ content: { parts: [{ text: 'The user greets me. ', thought: true }], role: 'model' }, index: 0 }], usageMetadata: { promptTokenCount: 1200, totalTokenCount: 1200, cachedContentTokenCount: 1024, thoughtsTokenCount: 60 }, ...meta },
    { candidates: [{ content: { parts: [{ text: 'Reply politely.', thought: true }], role: 'model' } }], usageMetadata: { promptTokenCount: 1200, totalTokenCount: 1300, cachedContentTokenCount: 1024, thoughtsTokenCount: 100 }, ...meta },
    { candidates: [{ content: { parts: [{ text: 'Hello! How' }], role: 'model' } }], usageMetadata: { promptTokenCount: 1200, candidatesTokenCount: 2, totalTokenCount: 1302, cachedContentTokenCount: 1024, thoughtsTokenCount: 100 }, ...meta },
    { candidates: [{ content: { parts: [{ text: ' can I help you today?' }], role: 'model' }, finishReason: 'STOP' }], usageMetadata: thinkingBody.usageMetadata, ...meta },
  ];

  it('folds SSE chunks into the non-stream result (thought runs kept apart from text)', () => {
    const info = fold(chunks.map(sse));
    expect(info.usage).toEqual({ inputTokens: 1200, outputTokens: 110, cacheReadInputTokens: 1024, reasoningOutputTokens: 100 });
    expect(info.outputMessages![0].parts).toEqual([
      { type: 'reasoning', content: 'The user greets me. Reply politely.' },
      { type: 'text', content: 'Hello! How can I help you today?' },
    ]);
    const merged = { ...thinkingBody, candidates: [{ ...thinkingBody.candidates[0], content: { role: 'model', parts: [{ text: 'The user greets me. Reply politely.', thought: true }, { text: 'Hello! How can I help you today?' }] } }] };
    expect(info).toEqual(codec.parseResponse(merged, endpoint));
  });

  it('folds a JSON-array stream, one element per event or the whole array in one', () => {
    const expected = fold(chunks.map(sse));
    expect(fold([{ data: JSON.stringify(chunks) }])).toEqual(expected);
  });

  it('keeps function calls whole and skips the empty closing text part', () => {
    const info = fold([
      sse({ candidates: [{ content: { role: 'model', parts: [{ text: 'Checking.' }] } }], ...meta }),
      sse({ candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CiQB' }] } }], ...meta }),
      sse({ candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 9, totalTokenCount: 29 }, ...meta }),
    ]);
    expect(info.outputMessages).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Checking.' },
          { type: 'tool_call', name: 'get_weather', arguments: { city: 'Paris' } },
        ],
        finish_reason: 'tool_call',
      },
    ]);
    expect(info.usage).toEqual({ inputTokens: 20, outputTokens: 9 });
  });

  it('reports an error chunk', () => {
    const info = fold([sse(chunks[0]), sse({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } })]);
    expect(info.error).toEqual({ type: 'UNAVAILABLE', message: 'The model is overloaded.' });
    expect(info.outputMessages![0].finish_reason).toBe('error');
  });
});

describe('gemini generateContent: odd input', () => {
  it('never throws and returns what it can', () => {
    for (const body of [undefined, null, 1, 'x', [], {}, { contents: 'x', generationConfig: [] }, { contents: [null, { parts: [null, { inlineData: 'x' }, { functionCall: 1 }] }] }]) {
      expect(() => codec.parseRequest(body, endpoint)).not.toThrow();
      expect(() => codec.parseResponse(body, endpoint)).not.toThrow();
    }
    expect(codec.parseRequest({ contents: { role: 'user', parts: [{ text: 'single content' }] } }, endpoint).inputText).toBe('single content');
    expect(codec.parseResponse({ candidates: [null, { content: 'x', finishReason: 1 }], usageMetadata: { promptTokenCount: 'x' } }, endpoint)).toEqual({
      finishReasons: [],
      outputMessages: [{ role: 'assistant', parts: [], finish_reason: 'error' }],
      outputText: '',
    });
    const acc = codec.createStreamAccumulator(streamEndpoint);
    for (const data of ['', 'null', '[null, 1]', '{"candidates":[{"content":{"parts":"x"}}]}', '{"candidates":{"0":1}}']) {
      expect(() => acc.accept({ data })).not.toThrow();
    }
    expect(() => acc.result()).not.toThrow();
  });
});
