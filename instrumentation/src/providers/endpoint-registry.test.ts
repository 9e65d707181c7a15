import { describe, expect, it } from 'vitest';
import { EndpointRegistry, type RequestTarget } from './endpoint-registry.js';
import { parseHostPattern } from './host-pattern.js';

function target(url: string, method = 'POST', headers?: RequestTarget['headers']): RequestTarget {
  const u = new URL(url);
  return {
    method,
    protocol: u.protocol as 'http:' | 'https:',
    hostname: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port) || (u.protocol === 'https:' ? 443 : 80),
    path: u.pathname + u.search,
    headers,
  };
}

const pattern = (s: string) => parseHostPattern(s)!;

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
    ['http://localhost:11434/api/chat', 'ollama', 'ollama.chat', 'chat', undefined],
    ['https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/invoke', 'aws.bedrock', 'bedrock.invoke_anthropic', 'chat', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0'],
  ])('%s → %s %s', (url, provider, api, operation, urlModel) => {
    const endpoint = registry.match(target(url));
    expect(endpoint).toMatchObject({ provider, api, operation, detection: 'host' });
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
    // A named host's paths are its own: no shape detection there.
    'https://api.openai.com/v1/messages',
    'https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-text-express-v1/invoke',
  ])('does not match %s', (url) => {
    expect(registry.match(target(url, 'POST', { 'anthropic-version': '2023-06-01' }))).toBeUndefined();
  });

  describe('by shape, on hosts nobody named', () => {
    const anthropicHeaders = { 'anthropic-version': '2023-06-01' };
    it.each([
      ['https://example.com/v1/chat/completions', undefined, 'openai', 'openai.chat_completions', 'chat', undefined],
      ['http://gpu-box:8001/v1/chat/completions', undefined, 'openai', 'openai.chat_completions', 'chat', undefined],
      ['http://localhost:4000/chat/completions', undefined, 'openai', 'openai.chat_completions', 'chat', undefined],
      ['http://localhost:3000/v1/completions', undefined, 'openai', 'openai.completions', 'text_completion', undefined],
      ['http://localhost:3000/v1/embeddings', undefined, 'openai', 'openai.embeddings', 'embeddings', undefined],
      ['http://gw.internal/openai/v1/responses', undefined, 'openai', 'openai.responses', 'chat', undefined],
      ['http://gw.internal/v1/responses', undefined, 'openai', 'openai.responses', 'chat', undefined],
      ['http://gw.internal/azure/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21', undefined, 'azure.ai.openai', 'openai.chat_completions', 'chat', 'prod-4o'],
      ['http://gw.internal/anthropic/v1/messages', anthropicHeaders, 'anthropic', 'anthropic.messages', 'chat', undefined],
      ['http://gw.internal/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', undefined, 'gcp.gemini', 'gemini.generate_content', 'generate_content', 'gemini-2.5-flash'],
      ['http://gw.internal/v1/projects/p/locations/l/publishers/google/models/gemini-2.0-flash:generateContent', undefined, 'gcp.vertex_ai', 'gemini.generate_content', 'generate_content', 'gemini-2.0-flash'],
      ['http://gw.internal/v1beta/models/gemini-embedding-001:batchEmbedContents', undefined, 'gcp.gemini', 'gemini.embed_content', 'embeddings', 'gemini-embedding-001'],
      ['http://gw.internal/bedrock/model/amazon.nova-pro-v1%3A0/converse-stream', undefined, 'aws.bedrock', 'bedrock.converse', 'chat', 'amazon.nova-pro-v1:0'],
      ['http://gw.internal/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke-with-response-stream', undefined, 'aws.bedrock', 'bedrock.invoke_anthropic', 'chat', 'anthropic.claude-3-haiku-20240307-v1:0'],
      ['http://gpu-box:11434/api/generate', undefined, 'ollama', 'ollama.generate', 'text_completion', undefined],
      ['http://gpu-box:8080/api/embed', { 'User-Agent': 'ollama-js/0.6.0 (x64 linux Node.js/v22.0.0)' }, 'ollama', 'ollama.embed', 'embeddings', undefined],
    ] as const)('%s → %s', (url, headers, provider, api, operation, urlModel) => {
      const endpoint = registry.match(target(url, 'POST', headers));
      expect(endpoint).toMatchObject({ provider, api, operation, detection: 'shape', serverAddress: new URL(url).hostname });
      expect(endpoint?.urlModel).toBe(urlModel);
    });

    it.each([
      ['http://chat.internal/v1/messages', undefined], // no anthropic-version: some other messaging API
      ['http://forms.internal/api/responses', undefined], // `responses` not under v1 or openai
      ['http://app.internal:3000/api/chat', undefined], // an app's own chat backend, not Ollama's port or client
      ['http://app.internal/model/amazon.titan-text-express-v1/invoke', undefined], // InvokeModel of a non-Anthropic model
      ['http://app.internal/v1/models', undefined],
      ['http://app.internal/v1/chat', undefined],
      ['http://app.internal/models/x:generate', undefined],
    ] as const)('does not match %s', (url, headers) => {
      expect(registry.match(target(url, 'POST', headers))).toBeUndefined();
    });

    it('reads the header in any shape the HTTP clients pass it', () => {
      const url = 'http://gw.internal/v1/messages';
      expect(registry.match(target(url, 'POST', ['Anthropic-Version', '2023-06-01']))?.api).toBe('anthropic.messages');
      expect(registry.match(target(url, 'POST', [['anthropic-version', '2023-06-01']]))?.api).toBe('anthropic.messages');
      expect(registry.match(target(url, 'POST', { 'Anthropic-Version': '2023-06-01' }))?.api).toBe('anthropic.messages');
    });

    it('is off in hosts mode; the host table and endpoints still apply', () => {
      const hostsOnly = new EndpointRegistry([{ baseUrl: 'http://gpu-box:8000/v1' }], { detection: 'hosts' });
      expect(hostsOnly.match(target('https://example.com/v1/chat/completions'))).toBeUndefined();
      expect(hostsOnly.match(target('http://gpu-box:8000/v1/chat/completions'))?.detection).toBe('host');
      expect(hostsOnly.match(target('https://api.openai.com/v1/chat/completions'))?.provider).toBe('openai');
    });

    it('allow list: shape detection on the listed hosts only', () => {
      const allowing = new EndpointRegistry([], { allowHosts: [pattern('gw.internal'), pattern('*.llm.example'), pattern('127.0.0.1:4000')] });
      expect(allowing.match(target('http://gw.internal/v1/chat/completions'))).toBeDefined();
      expect(allowing.match(target('http://a.llm.example/v1/chat/completions'))).toBeDefined();
      expect(allowing.match(target('http://127.0.0.1:4000/v1/chat/completions'))).toBeDefined();
      expect(allowing.match(target('http://127.0.0.1:4001/v1/chat/completions'))).toBeUndefined();
      expect(allowing.match(target('http://other.internal/v1/chat/completions'))).toBeUndefined();
      expect(allowing.match(target('https://api.openai.com/v1/chat/completions'))).toBeDefined(); // the host table is not limited
    });

    it('deny list: never captured, however recognised', () => {
      const denying = new EndpointRegistry([{ baseUrl: 'http://gpu-box:8000/v1' }], { denyHosts: [pattern('gpu-box'), pattern('api.openai.com'), pattern('[::1]:8080')] });
      expect(denying.match(target('http://gpu-box:8000/v1/chat/completions'))).toBeUndefined();
      expect(denying.match(target('https://api.openai.com/v1/chat/completions'))).toBeUndefined();
      expect(denying.match(target('http://[::1]:8080/v1/chat/completions'))).toBeUndefined();
      expect(denying.match(target('http://[::1]:8081/v1/chat/completions'))).toBeDefined();
      expect(denying.match(target('https://api.anthropic.com/v1/messages'))).toBeDefined();
    });
  });

  it('only matches POST', () => {
    expect(registry.match(target('https://api.openai.com/v1/responses', 'GET'))).toBeUndefined();
  });
});
