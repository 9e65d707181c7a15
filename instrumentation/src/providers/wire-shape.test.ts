import { describe, expect, it } from 'vitest';
import { isWireRequest, providerForModel } from './wire-shape.js';

describe('providerForModel (OpenAI-compatible calls to unknown hosts)', () => {
  it.each([
    ['gpt-4o-mini', 'openai'],
    ['text-embedding-3-small', 'openai'],
    ['claude-3-5-sonnet-latest', 'anthropic'],
    ['anthropic/claude-3-5-sonnet', 'anthropic'],
    ['gemini-2.5-flash', 'gcp.gemini'],
    ['openrouter-unknown/gemini-2.0-flash', 'gcp.gemini'],
    ['mistralai/Mistral-7B-Instruct-v0.3', 'mistral_ai'],
    ['deepseek-chat', 'deepseek'],
    ['x-ai/grok-3', 'x_ai'],
    ['ollama/llama3.1', 'ollama'],
    ['meta-llama/Llama-3.1-8B-Instruct', 'openai'], // nothing names a provider: the wire format's
    [undefined, 'openai'],
  ])('%s → %s', (model, provider) => {
    expect(providerForModel(model)).toBe(provider);
  });
});

describe('isWireRequest: a lookalike path with some other API behind it is not an LLM call', () => {
  it.each([
    ['openai.chat_completions', { model: 'gpt-4o', messages: [] }, undefined, true],
    ['openai.chat_completions', { messages: [] }, 'prod-4o', true], // Azure deployment names the model
    ['openai.chat_completions', { text: 'hello' }, undefined, false],
    ['openai.chat_completions', 'not an object', undefined, false],
    ['openai.completions', { model: 'm', prompt: 'x' }, undefined, true],
    ['openai.embeddings', { model: 'm', input: ['a'] }, undefined, true],
    ['openai.embeddings', { document: 'a' }, undefined, false],
    ['openai.responses', { model: 'gpt-4o', input: 'hi' }, undefined, true],
    ['openai.responses', { survey: 7, answers: [] }, undefined, false],
    ['anthropic.messages', { model: 'claude', messages: [], max_tokens: 1 }, undefined, true],
    ['gemini.generate_content', { contents: [] }, 'g', true],
    ['gemini.embed_content', { requests: [] }, 'g', true],
    ['bedrock.converse', { messages: [] }, 'm', true],
    ['bedrock.invoke_anthropic', { anthropic_version: 'bedrock-2023-05-31', messages: [] }, 'm', true],
    ['bedrock.invoke_anthropic', { inputText: 'titan' }, 'm', false],
    ['ollama.chat', { model: 'llama3', messages: [] }, undefined, true],
    ['ollama.chat', { message: 'hi' }, undefined, false],
    ['ollama.generate', { model: 'llama3', prompt: 'hi' }, undefined, true],
    ['ollama.embed', { model: 'm', input: 'x' }, undefined, true],
  ] as const)('%s %j → %s', (api, body, urlModel, expected) => {
    expect(isWireRequest(api, body, urlModel)).toBe(expected);
  });
});
