import { describe, expect, it } from 'vitest';
import { ConfigError, parseEndpointList, resolveConfig } from './config.js';

describe('resolveConfig', () => {
  it('defaults: content off, 32 KiB limit, no custom endpoints', () => {
    expect(resolveConfig({}, {})).toMatchObject({ captureMessageContent: false, maxContentLength: 32768, endpoints: [], estimateMissingUsage: true });
  });

  it('reads the environment, options winning', () => {
    const env = {
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
      TOKENTRACE_OPENAI_COMPATIBLE_URLS: 'vllm=http://gpu:8000/v1, http://localhost:1234/v1',
    };
    const config = resolveConfig({ endpoints: [{ baseUrl: 'http://x:1', format: 'anthropic' }] }, env);
    expect(config.captureMessageContent).toBe(true);
    expect(config.endpoints).toEqual([
      { provider: 'vllm', baseUrl: 'http://gpu:8000/v1' },
      { baseUrl: 'http://localhost:1234/v1' },
      { baseUrl: 'http://x:1', format: 'anthropic' },
    ]);
    expect(resolveConfig({ captureMessageContent: false }, env).captureMessageContent).toBe(false);
  });

  it('infers the wire format of TOKENTRACE_ENDPOINTS entries from the provider name', () => {
    const config = resolveConfig({}, { TOKENTRACE_ENDPOINTS: 'anthropic=http://127.0.0.1:1,gcp.gemini=http://127.0.0.1:2,aws.bedrock=http://127.0.0.1:3,azure.ai.openai=http://127.0.0.1:4,vllm=http://127.0.0.1:5' });
    expect(config.endpoints.map((e) => e.format)).toEqual(['anthropic', 'gemini', 'bedrock', 'azure-openai', 'openai']);
  });

  it('names the offending key', () => {
    expect(() => resolveConfig({}, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'yes' })).toThrow(/OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT/);
    expect(() => resolveConfig({ endpoints: [{ baseUrl: 'not a url' }] }, {})).toThrow(ConfigError);
    expect(() => resolveConfig({ maxContentLength: 3 }, {})).toThrow(/maxContentLength/);
  });

  it('parses a URL containing = without mistaking it for a provider', () => {
    expect(parseEndpointList('http://h:1/v1?x=y')).toEqual([{ baseUrl: 'http://h:1/v1?x=y' }]);
  });
});
