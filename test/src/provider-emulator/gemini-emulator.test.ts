// Gemini specifics through the real @google/genai SDK (v3) and raw fetch: usageMetadata
// semantics, cumulative usage in stream chunks, function calls, embeddings, ApiError, the
// `key=` query parameter and the JSON-array stream served without alt=sse.
import { ApiError, GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { ProviderEmulator } from './emulator-server.js';
import { startGeminiEmulator } from './gemini-emulator.js';

let emulator: ProviderEmulator;
let ai: GoogleGenAI;

beforeAll(async () => {
  emulator = await startGeminiEmulator();
  ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: emulator.baseUrl } });
});
afterAll(async () => { await emulator.close(); });
beforeEach(() => emulator.reset());

const script = { text: 'Gemini says hello to you all today.', inputTokens: 100, cachedInputTokens: 60, outputTokens: 50, reasoningTokens: 20 };

it('reports promptTokenCount including cache and candidatesTokenCount excluding thoughts', async () => {
  emulator.enqueue(script);
  const response = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' });
  expect(response.text).toBe(script.text);
  expect(response.modelVersion).toBe('gemini-2.5-flash');
  expect(response.responseId).toBeTruthy();
  expect(response.candidates?.[0].finishReason).toBe('STOP');
  expect(response.usageMetadata).toMatchObject({
    promptTokenCount: 100, cachedContentTokenCount: 60, candidatesTokenCount: 30, thoughtsTokenCount: 20, totalTokenCount: 150,
  });
  const { request } = emulator.lastRequest!;
  // @google/genai v3 calls /v1 by default, v2 /v1beta; the emulator serves both.
  expect(request.path).toMatch(/^\/v1(beta)?\/models\/gemini-2.5-flash:generateContent$/);
  expect(request.headers['x-goog-api-key']).toBe('test-key');
});

it('streams over SSE (alt=sse) with cumulative usage ending at the exact counts', async () => {
  emulator.enqueue(script);
  const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Hi' });
  const counts: number[] = [];
  let text = '';
  let last;
  for await (const chunk of stream) {
    text += chunk.text ?? '';
    counts.push(chunk.usageMetadata!.candidatesTokenCount!);
    last = chunk;
  }
  expect(text).toBe(script.text);
  expect(counts.length).toBeGreaterThan(2);
  expect(counts).toEqual([...counts].sort((a, b) => a - b));
  expect(last!.usageMetadata).toMatchObject({ promptTokenCount: 100, candidatesTokenCount: 30, thoughtsTokenCount: 20, totalTokenCount: 150 });
  expect(last!.candidates?.[0].finishReason).toBe('STOP');
  expect(emulator.lastRequest!.request.query.alt).toBe('sse');
  expect(emulator.lastRequest!.response.text).toMatch(/^data: \{.*\}\r\n\r\n/);
});

it('returns a function call', async () => {
  emulator.enqueue({ toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
  const response = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Weather?' });
  expect(response.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
});

it('serves embedContent and batchEmbedContents', async () => {
  const result = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['one', 'two'], config: { outputDimensionality: 16 } });
  expect(result.embeddings).toHaveLength(2);
  expect(result.embeddings?.[0].values).toHaveLength(16);
  expect(emulator.lastRequest!.route).toBe('batchEmbedContents');
  const res = await fetch(`${emulator.url}/v1beta/models/text-embedding-004:embedContent?key=k`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: { parts: [{ text: 'one' }] } }),
  });
  const single = await res.json() as { embedding: { values: number[] } };
  expect(single.embedding.values).toHaveLength(768);
});

it('surfaces HTTP errors as ApiError with the status', async () => {
  emulator.enqueue({ status: 429 });
  const error = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toBe(429);
  expect(JSON.parse(emulator.lastRequest!.response.text)).toEqual({
    error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' },
  });
});

it('surfaces a mid-stream error chunk as ApiError', async () => {
  emulator.enqueue({ ...script, streamErrorEvent: { type: 'UNAVAILABLE', message: 'The model is overloaded.' } });
  const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Hi' });
  const error = await (async () => { for await (const _ of stream) void _; })().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toBe(503);
});

it('accepts the key as a query parameter and streams a JSON array without alt=sse', async () => {
  emulator.enqueue(script);
  const res = await fetch(`${emulator.url}/v1beta/models/gemini-2.0-flash:streamGenerateContent?key=test-key`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
  });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const elements = JSON.parse(await res.text()) as Array<{ candidates: Array<{ content: { parts: Array<{ text: string }> } }> }>;
  expect(elements.length).toBeGreaterThan(2);
  expect(elements.map((e) => e.candidates[0].content.parts[0].text).join('')).toBe(script.text);
  expect(emulator.lastRequest!.response.chunks).toBe(elements.length);
});

it('rejects a request without a key like the API', async () => {
  const res = await fetch(`${emulator.url}/v1beta/models/gemini-2.0-flash:generateContent`, { method: 'POST', body: '{}' });
  expect(res.status).toBe(403);
  expect(await res.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
});
