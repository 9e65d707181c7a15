import { describe, expect, it } from 'vitest';
import { EndpointRegistry, type RequestTarget } from './endpoint-registry.js';

function target(url: string, method = 'POST'): RequestTarget {
  const u = new URL(url);
  return {
    method,
    protocol: u.protocol as 'http:' | 'https:',
    hostname: u.hostname,
    port: Number(u.port) || (u.protocol === 'https:' ? 443 : 80),
    path: u.pathname + u.search,
  };
}

describe('EndpointRegistry', () => {
  const registry = new EndpointRegistry([
    { baseUrl: 'http://gpu-box:8000/v1', provider: 'vllm' },
    { baseUrl: 'http://127.0.0.1:9999', format: 'anthropic' },
  ]);

  it.each([
    ['https://api.openai.com/v1/chat/completions', 'openai', 'openai.chat_completions', 'chat', undefined],
    ['https://api.openai.com/v1/responses', 'openai', 'openai.responses', 'chat', undefined],
    ['https://api.openai.com/v1/embeddings', 'openai', 'openai.embeddings', 'embeddings', undefined],
    ['https://api.openai.com/v1/completions', 'openai', 'openai.completions', 'text_completion', undefined],
    ['https://myres.openai.azure.com/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21', 'azure.ai.openai', 'openai.chat_completions', 'chat', 'prod-4o'],
    ['https://myres.openai.azure.com/openai/v1/responses', 'azure.ai.openai', 'openai.responses', 'chat', undefined],
    ['https://api.anthropic.com/v1/messages', 'anthropic', 'anthropic.messages', 'chat', undefined],
    ['https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent', 'gcp.gemini', 'gemini.generate_content', 'generate_content', 'gemini-2.5-flash'],
    ['https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash:streamGenerateContent?alt=sse', 'gcp.vertex_ai', 'gemini.generate_content', 'generate_content', 'gemini-2.0-flash'],
    ['https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:embedContent', 'gcp.gemini', 'gemini.embed_content', 'embeddings', 'text-embedding-004'],
    ['https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse', 'aws.bedrock', 'bedrock.converse', 'chat', 'anthropic.claude-3-5-sonnet-20240620-v1:0'],
    ['https://api.groq.com/openai/v1/chat/completions', 'groq', 'openai.chat_completions', 'chat', undefined],
    ['https://api.deepseek.com/chat/completions', 'deepseek', 'openai.chat_completions', 'chat', undefined],
    ['https://openrouter.ai/api/v1/chat/completions', 'openrouter', 'openai.chat_completions', 'chat', undefined],
    ['https://api.mistral.ai/v1/embeddings', 'mistral_ai', 'openai.embeddings', 'embeddings', undefined],
    ['https://api.x.ai/v1/chat/completions', 'x_ai', 'openai.chat_completions', 'chat', undefined],
    ['https://api.perplexity.ai/chat/completions', 'perplexity', 'openai.chat_completions', 'chat', undefined],
    ['https://api.together.xyz/v1/chat/completions', 'together_ai', 'openai.chat_completions', 'chat', undefined],
    ['http://localhost:11434/v1/chat/completions', 'ollama', 'openai.chat_completions', 'chat', undefined],
    ['http://gpu-box:8000/v1/chat/completions', 'vllm', 'openai.chat_completions', 'chat', undefined],
    ['http://127.0.0.1:9999/v1/messages', 'anthropic', 'anthropic.messages', 'chat', undefined],
  ])('%s → %s %s', (url, provider, api, operation, urlModel) => {
    const endpoint = registry.match(target(url));
    expect(endpoint).toMatchObject({ provider, api, operation });
    expect(endpoint?.urlModel).toBe(urlModel);
    expect(endpoint?.serverAddress).toBe(new URL(url).hostname);
  });

  it('flags stream URLs', () => {
    expect(registry.match(target('https://generativelanguage.googleapis.com/v1beta/models/g:streamGenerateContent?alt=sse'))?.urlStream).toBe(true);
    expect(registry.match(target('https://bedrock-runtime.eu-west-1.amazonaws.com/model/m/converse-stream'))?.urlStream).toBe(true);
  });

  it.each([
    'https://api.openai.com/v1/models',
    'https://api.anthropic.com/v1/messages/count_tokens',
    'https://example.com/v1/chat/completions',
    'https://s3.us-east-1.amazonaws.com/model/x/converse',
    'http://gpu-box:8001/v1/chat/completions',
    'http://localhost:3000/v1/chat/completions',
  ])('does not match %s', (url) => {
    expect(registry.match(target(url))).toBeUndefined();
  });

  it('only matches POST', () => {
    expect(registry.match(target('https://api.openai.com/v1/responses', 'GET'))).toBeUndefined();
  });
});
