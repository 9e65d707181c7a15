// Azure OpenAI specifics through the real openai SDK's AzureOpenAI client and the v1 route:
// deployment paths with api-version, the underlying model in responses, Azure's content-filter
// annotations and its error body.
import OpenAI, { APIError, AzureOpenAI } from 'openai';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startAzureOpenAIEmulator } from './azure-openai-emulator.js';
import type { ProviderEmulator } from './emulator-server.js';

let emulator: ProviderEmulator;
let azure: AzureOpenAI;

beforeAll(async () => {
  emulator = await startAzureOpenAIEmulator({ deployments: { 'prod-chat': 'gpt-4o-2024-11-20' } });
  azure = new AzureOpenAI({ endpoint: emulator.baseUrl, apiKey: 'azure-key', apiVersion: '2024-10-21', deployment: 'prod-chat', maxRetries: 0 });
});
afterAll(async () => { await emulator.close(); });
beforeEach(() => emulator.reset());

const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hello' }];

it('serves the deployment route with api-version and reports the underlying model', async () => {
  const completion = await azure.chat.completions.create({ model: 'ignored-by-deployment', messages });
  expect(completion.model).toBe('gpt-4o-2024-11-20');
  const { request, route } = emulator.lastRequest!;
  expect(route).toBe('chat.completions');
  expect(request.path).toBe('/openai/deployments/prod-chat/chat/completions');
  expect(request.query['api-version']).toBe('2024-10-21');
  expect(request.headers['api-key']).toBe('azure-key');
  expect(completion).toHaveProperty('prompt_filter_results');
});

it('opens streams with the anonymous prompt-filter chunk before the model chunks', async () => {
  emulator.enqueue({ text: 'Hi there, how are you?', inputTokens: 3, outputTokens: 6 });
  const stream = await azure.chat.completions.create({ model: 'x', messages, stream: true, stream_options: { include_usage: true } });
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  expect(chunks[0]).toMatchObject({ id: '', model: '', choices: [] });
  expect(chunks[1].model).toBe('gpt-4o-2024-11-20');
  expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Hi there, how are you?');
  expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 6 });
});

it('serves the v1 routes for a plain OpenAI client, with the deployment named in `model`', async () => {
  const v1 = new OpenAI({ baseURL: `${emulator.baseUrl}/openai/v1`, apiKey: 'azure-key', maxRetries: 0 });
  const completion = await v1.chat.completions.create({ model: 'gpt-4o-mini', messages });
  expect(completion.model).toBe('gpt-4o-mini-2024-07-18');
  expect(emulator.lastRequest!.request.path).toBe('/openai/v1/chat/completions');
  const response = await v1.responses.create({ model: 'prod-chat', input: 'Hello' });
  expect(response.model).toBe('gpt-4o-2024-11-20');
  expect(emulator.lastRequest!.request.path).toBe('/openai/v1/responses');
});

it('serves the Responses API and embeddings through AzureOpenAI', async () => {
  emulator.enqueue({ text: 'Azure reply' });
  const response = await azure.responses.create({ model: 'prod-chat', input: 'Hello' });
  expect(response.output_text).toBe('Azure reply');
  expect(emulator.lastRequest!.request.path).toBe('/openai/responses');
  const embeddings = await azure.embeddings.create({ model: 'x', input: 'hello', dimensions: 4 });
  expect(embeddings.data[0].embedding).toHaveLength(4);
  expect(emulator.lastRequest!.request.path).toBe('/openai/deployments/prod-chat/embeddings');
});

it('answers errors in Azure shape, surfaced as the SDK typed errors', async () => {
  emulator.enqueue({ status: 429 });
  const error = await azure.chat.completions.create({ model: 'x', messages }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OpenAI.RateLimitError);
  expect((error as APIError).code).toBe('429');
  expect(JSON.parse(emulator.lastRequest!.response.text).error.message).toMatch(/exceeded call rate limit/);
});
