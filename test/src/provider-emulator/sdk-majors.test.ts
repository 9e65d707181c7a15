// The older SDK majors the instrumentation also supports (openai v4/v6, @anthropic-ai/sdk v0,
// @google/genai v2) must parse the emulators too, streaming included.
import AnthropicV0 from 'anthropic-sdk-v0';
import { GoogleGenAI as GoogleGenAIV2 } from 'genai-sdk-v2';
import OpenAIV4 from 'openai-v4';
import OpenAIV6 from 'openai-v6';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startProviderEmulators, type ProviderEmulators } from './provider-emulators.js';

let emulators: ProviderEmulators;
const script = { text: 'Older majors read this stream too.', inputTokens: 40, cachedInputTokens: 10, outputTokens: 12 };

beforeAll(async () => { emulators = await startProviderEmulators(); });
afterAll(async () => { await emulators.close(); });
beforeEach(() => { emulators.reset(); for (const e of emulators.all) e.setDefaultReply(script); });

it('openai v4 streams chat with usage', async () => {
  const client = new OpenAIV4({ baseURL: emulators.urls.openai, apiKey: 'k', maxRetries: 0 });
  const final = await client.beta.chat.completions
    .stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } })
    .finalChatCompletion();
  expect(final.choices[0].message.content).toBe(script.text);
  expect(final.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 10 } });
});

it('openai v6 streams the Responses API', async () => {
  const client = new OpenAIV6({ baseURL: emulators.urls.openai, apiKey: 'k', maxRetries: 0 });
  const final = await client.responses.stream({ model: 'gpt-4o-mini', input: 'hi' }).finalResponse();
  expect(final.output_text).toBe(script.text);
  expect(final.usage).toMatchObject({ input_tokens: 40, input_tokens_details: { cached_tokens: 10 } });
});

it('@anthropic-ai/sdk v0 streams messages', async () => {
  const client = new AnthropicV0({ baseURL: emulators.urls.anthropic, apiKey: 'k', maxRetries: 0 });
  const final = await client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
  expect(final.content).toEqual([{ type: 'text', text: script.text }]);
  expect(final.usage).toMatchObject({ input_tokens: 30, cache_read_input_tokens: 10, output_tokens: 12 });
});

it('@google/genai v2 streams generateContent', async () => {
  const ai = new GoogleGenAIV2({ apiKey: 'k', httpOptions: { baseUrl: emulators.urls.gemini } });
  let text = '';
  let usage;
  for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.0-flash', contents: 'hi' })) {
    text += chunk.text ?? '';
    usage = chunk.usageMetadata;
  }
  expect(text).toBe(script.text);
  expect(usage).toMatchObject({ promptTokenCount: 40, cachedContentTokenCount: 10, candidatesTokenCount: 12 });
});
