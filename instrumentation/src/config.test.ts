import { describe, expect, it } from 'vitest';
import { ConfigError, parseEndpointList, resolveConfig } from './config.js';

describe('resolveConfig', () => {
  it('defaults: content off, 32 KiB limit, no custom endpoints', () => {
    expect(resolveConfig({}, {})).toMatchObject({
      captureMessageContent: false, maxContentLength: 32768, endpoints: [], estimateMissingUsage: true,
      detection: 'shape', allowHosts: [], denyHosts: [], latestExperimentalSemconv: false, httpSpans: false,
    });
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

  it('detection, allow and deny lists from options or the environment, options winning', () => {
    const env = { TOKENTRACE_DETECTION: 'HOSTS', TOKENTRACE_ALLOW_HOSTS: 'gw.internal, *.llm.example', TOKENTRACE_DENY_HOSTS: '[::1]:8080,metrics:9000' };
    const config = resolveConfig({}, env);
    expect(config.detection).toBe('hosts');
    expect(config.allowHosts).toEqual([{ host: 'gw.internal', wildcard: false, port: undefined }, { host: '.llm.example', wildcard: true, port: undefined }]);
    expect(config.denyHosts).toEqual([{ host: '::1', wildcard: false, port: 8080 }, { host: 'metrics', wildcard: false, port: 9000 }]);
    expect(resolveConfig({ detection: 'shape', allowHosts: [], denyHosts: ['x'] }, env)).toMatchObject({ detection: 'shape', allowHosts: [], denyHosts: [{ host: 'x' }] });
  });

  it('names the detection key that is wrong', () => {
    expect(() => resolveConfig({}, { TOKENTRACE_DETECTION: 'everything' })).toThrow(/invalid TOKENTRACE_DETECTION: expected one of shape, hosts/);
    expect(() => resolveConfig({ detection: 'all' as never }, {})).toThrow(/invalid detection:/);
    expect(() => resolveConfig({ allowHosts: ['ok', 'bad host'] }, {})).toThrow(/invalid allowHosts\[1\]: expected a host name, host:port or \*\.suffix/);
    expect(() => resolveConfig({}, { TOKENTRACE_DENY_HOSTS: 'h:99999' })).toThrow(/invalid TOKENTRACE_DENY_HOSTS/);
    expect(() => resolveConfig({ denyHosts: 'h' as never }, {})).toThrow(/invalid denyHosts/);
  });

  it('OTEL_SEMCONV_STABILITY_OPT_IN: gen_ai_latest_experimental anywhere in the list', () => {
    expect(resolveConfig({}, { OTEL_SEMCONV_STABILITY_OPT_IN: 'http, gen_ai_latest_experimental' }).latestExperimentalSemconv).toBe(true);
    expect(resolveConfig({}, { OTEL_SEMCONV_STABILITY_OPT_IN: 'http,database' }).latestExperimentalSemconv).toBe(false);
  });

  it('httpSpans from the option or TOKENTRACE_HTTP_SPANS, the option winning; a value that is no boolean names the variable', () => {
    expect(resolveConfig({}, { TOKENTRACE_HTTP_SPANS: 'true' }).httpSpans).toBe(true);
    expect(resolveConfig({ httpSpans: false }, { TOKENTRACE_HTTP_SPANS: '1' }).httpSpans).toBe(false);
    expect(resolveConfig({ httpSpans: true }, {}).httpSpans).toBe(true);
    expect(() => resolveConfig({}, { TOKENTRACE_HTTP_SPANS: 'keep' })).toThrow(/invalid TOKENTRACE_HTTP_SPANS: expected true or false/);
  });

  it('completionBatchMs: 0 (the next turn) unless set; out of range names the key', () => {
    expect(resolveConfig({}, {}).completionBatchMs).toBe(0);
    expect(resolveConfig({ completionBatchMs: 50 }, {}).completionBatchMs).toBe(50);
    expect(() => resolveConfig({ completionBatchMs: -1 }, {})).toThrow(/completionBatchMs/);
    expect(() => resolveConfig({ completionBatchMs: Number.NaN }, {})).toThrow(ConfigError);
  });

  it('parses a URL containing = without mistaking it for a provider', () => {
    expect(parseEndpointList('http://h:1/v1?x=y')).toEqual([{ baseUrl: 'http://h:1/v1?x=y' }]);
  });
});
