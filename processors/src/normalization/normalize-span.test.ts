import { describe, expect, it } from 'vitest';
import type { Attributes, SpanRecord } from '../pipeline/span-record.js';
import { NormalizeProcessor } from './normalize-processor.js';
import { normalizeSpan } from './normalize-span.js';

function span(name: string, attributes: Attributes, statusCode: 0 | 1 | 2 = 0): SpanRecord {
  return {
    projectId: 'default',
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    name,
    kind: 3,
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_001_000_000_000n,
    statusCode,
    statusMessage: '',
    attributes,
    resourceAttributes: {},
    scopeName: 'test',
    scopeVersion: '0',
    events: [],
  };
}

describe('normalizeSpan: our spans (GenAI conventions v1.41)', () => {
  it('reads every field tokentrace instrumentation emits', () => {
    const fields = normalizeSpan(
      span('chat gpt-4o', {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.output_tokens': 300,
        'gen_ai.usage.cache_read.input_tokens': 1024,
        'gen_ai.usage.cache_creation.input_tokens': 0,
        'gen_ai.usage.reasoning.output_tokens': 128,
        'gen_ai.response.time_to_first_chunk': 0.42,
        'user.id': 'user-7',
        'tokentrace.session.id': 'sess-1',
        'gen_ai.conversation.id': 'sess-1',
        'tokentrace.session.name': 'Research',
        'tokentrace.session.path': '/analyze/extract',
        'tokentrace.prompt.id': 'summarize-v3',
        'tokentrace.property.Feature': 'chat',
        'tokentrace.property.Tier': 'pro',
      }),
    );
    expect(fields).toEqual({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o-2024-08-06',
      inputTokens: 1200,
      outputTokens: 300,
      cacheReadInputTokens: 1024,
      cacheCreationInputTokens: 0,
      reasoningOutputTokens: 128,
      timeToFirstChunk: 0.42,
      userId: 'user-7',
      sessionId: 'sess-1',
      sessionName: 'Research',
      sessionPath: '/analyze/extract',
      promptId: 'summarize-v3',
      properties: { Feature: 'chat', Tier: 'pro' },
      isModelCall: true,
    });
  });

  it('marks agent, workflow and tool operations as not model calls', () => {
    for (const operation of ['invoke_agent', 'invoke_workflow', 'execute_tool']) {
      const fields = normalizeSpan(span(operation, { 'gen_ai.operation.name': operation, 'gen_ai.usage.input_tokens': 10, 'gen_ai.request.model': 'gpt-4o' }));
      expect(fields.isModelCall).toBe(false);
      expect(fields.operation).toBe(operation);
    }
  });

  it('gives a span without GenAI facts the empty shape', () => {
    expect(normalizeSpan(span('GET /health', { 'http.request.method': 'GET' }))).toEqual({ isModelCall: false, properties: {} });
  });

  it('takes error.type, or _OTHER for a failed GenAI span without one', () => {
    expect(normalizeSpan(span('chat', { 'gen_ai.operation.name': 'chat', 'error.type': '429' }, 2)).errorType).toBe('429');
    expect(normalizeSpan(span('chat', { 'gen_ai.operation.name': 'chat' }, 2)).errorType).toBe('_OTHER');
    expect(normalizeSpan(span('GET /', {}, 2)).errorType).toBeUndefined();
  });

  it('takes the resend count from http.request.resend_count, or the pre-1.21 http.resend_count; none on a first attempt', () => {
    const chat = { 'gen_ai.operation.name': 'chat' };
    expect(normalizeSpan(span('chat', { ...chat, 'http.request.resend_count': 2 })).resendCount).toBe(2);
    expect(normalizeSpan(span('chat', { ...chat, 'http.resend_count': 3n })).resendCount).toBe(3);
    expect(normalizeSpan(span('chat', { ...chat, 'http.request.resend_count': 0 }))).not.toHaveProperty('resendCount');
    expect(normalizeSpan(span('chat', { ...chat, 'http.request.resend_count': 'x' }))).not.toHaveProperty('resendCount');
    expect(normalizeSpan(span('chat', { ...chat, 'http.request.resend_count': 1.5 }))).not.toHaveProperty('resendCount');
  });

  it('coerces 64-bit and string counts, ignoring values that are not numbers', () => {
    const fields = normalizeSpan(span('chat', { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 5000n, 'gen_ai.usage.output_tokens': '17', 'gen_ai.usage.reasoning.output_tokens': 'n/a' }));
    expect([fields.inputTokens, fields.outputTokens, fields.reasoningOutputTokens]).toEqual([5000, 17, undefined]);
  });
});

describe('normalizeSpan: older GenAI names', () => {
  it('maps gen_ai.system and prompt/completion tokens; a span with model and usage is a model call', () => {
    const fields = normalizeSpan(span('openai.chat', { 'gen_ai.system': 'OpenAI', 'gen_ai.request.model': 'gpt-3.5-turbo', 'gen_ai.usage.prompt_tokens': 11, 'gen_ai.usage.completion_tokens': 7 }));
    expect(fields).toEqual({ provider: 'openai', requestModel: 'gpt-3.5-turbo', inputTokens: 11, outputTokens: 7, properties: {}, isModelCall: true });
  });

  it('adds cache tokens back when input tokens evidently exclude them (Anthropic API counting)', () => {
    const fields = normalizeSpan(
      span('anthropic.chat', { 'gen_ai.system': 'anthropic', 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.cache_read_input_tokens': 4000, 'gen_ai.usage.cache_creation_input_tokens': 500 }),
    );
    expect([fields.inputTokens, fields.cacheReadInputTokens, fields.cacheCreationInputTokens]).toEqual([4512, 4000, 500]);
  });
});

describe('normalizeSpan: latest experimental GenAI names (gen_ai_latest_experimental)', () => {
  it('reads cache writes as gen_ai.usage.cache_write.input_tokens', () => {
    const fields = normalizeSpan(
      span('chat claude', { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.cache_read.input_tokens': 600, 'gen_ai.usage.cache_write.input_tokens': 300 }),
    );
    expect([fields.inputTokens, fields.cacheReadInputTokens, fields.cacheCreationInputTokens]).toEqual([1000, 600, 300]);
  });
});

describe('normalizeSpan: OpenLLMetry', () => {
  it('reads an LLM span with association properties', () => {
    const fields = normalizeSpan(
      span('anthropic.chat', {
        'gen_ai.system': 'Anthropic',
        'llm.request.type': 'chat',
        'gen_ai.request.model': 'claude-3-5-sonnet-20240620',
        'gen_ai.response.model': 'claude-3-5-sonnet-20240620',
        'gen_ai.usage.prompt_tokens': 5000,
        'gen_ai.usage.completion_tokens': 200,
        'gen_ai.usage.cache_read_input_tokens': 4000,
        'llm.usage.total_tokens': 5200,
        'traceloop.workflow.name': 'joke_generator',
        'traceloop.association.properties.user_id': 'u-1',
        'traceloop.association.properties.session_id': 's-9',
        'traceloop.association.properties.tenant': 'acme',
      }),
    );
    expect(fields).toEqual({
      provider: 'anthropic',
      operation: 'chat',
      requestModel: 'claude-3-5-sonnet-20240620',
      responseModel: 'claude-3-5-sonnet-20240620',
      inputTokens: 5000,
      outputTokens: 200,
      cacheReadInputTokens: 4000,
      userId: 'u-1',
      sessionId: 's-9',
      properties: { user_id: 'u-1', session_id: 's-9', tenant: 'acme' },
      isModelCall: true,
    });
  });

  it('never treats workflow, task, agent or tool entity spans as model calls', () => {
    const expected = { workflow: 'invoke_workflow', task: undefined, agent: 'invoke_agent', tool: 'execute_tool' };
    for (const [kind, operation] of Object.entries(expected)) {
      const fields = normalizeSpan(span(`x.${kind}`, { 'traceloop.span.kind': kind, 'traceloop.entity.name': 'x', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 9 }));
      expect(fields.isModelCall).toBe(false);
      expect(fields.operation).toBe(operation);
    }
  });

  it('maps llm.request.type completion and embedding; derives output from the total', () => {
    const completion = normalizeSpan(span('openai.completion', { 'llm.request.type': 'completion', 'gen_ai.usage.prompt_tokens': 30, 'llm.usage.total_tokens': 45 }));
    expect([completion.operation, completion.isModelCall, completion.outputTokens]).toEqual(['text_completion', true, 15]);
    expect(normalizeSpan(span('openai.embeddings', { 'llm.request.type': 'embedding' })).operation).toBe('embeddings');
    expect(normalizeSpan(span('cohere.rerank', { 'llm.request.type': 'rerank' })).isModelCall).toBe(false);
  });
});

describe('normalizeSpan: OpenInference', () => {
  it('reads an LLM span: hosting provider before model vendor, token details, session, user, metadata', () => {
    const fields = normalizeSpan(
      span('ChatBedrock', {
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
        'llm.provider': 'aws',
        'llm.system': 'anthropic',
        'llm.token_count.prompt': 3000,
        'llm.token_count.completion': 900,
        'llm.token_count.total': 3900,
        'llm.token_count.prompt_details.cache_read': 2048,
        'llm.token_count.prompt_details.cache_write': 512,
        'llm.token_count.completion_details.reasoning': 300,
        'session.id': 'conv-3',
        'user.id': 'alice',
        metadata: '{"experiment":"b","attempt":2}',
      }),
    );
    expect(fields).toEqual({
      provider: 'aws.bedrock',
      operation: 'chat',
      requestModel: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      inputTokens: 3000,
      outputTokens: 900,
      cacheReadInputTokens: 2048,
      cacheCreationInputTokens: 512,
      reasoningOutputTokens: 300,
      userId: 'alice',
      sessionId: 'conv-3',
      properties: { experiment: 'b', attempt: '2' },
      isModelCall: true,
    });
  });

  it('prices only LLM and EMBEDDING kinds, and ignores broken metadata', () => {
    const usage = { 'llm.model_name': 'gpt-4o', 'llm.token_count.prompt': 10, 'llm.token_count.completion': 5 };
    const kinds = { LLM: true, EMBEDDING: true, AGENT: false, TOOL: false, CHAIN: false, RETRIEVER: false };
    for (const [kind, modelCall] of Object.entries(kinds)) {
      expect(normalizeSpan(span(kind, { ...usage, 'openinference.span.kind': kind, metadata: '{oops' })).isModelCall).toBe(modelCall);
    }
    expect(normalizeSpan(span('agent', { 'openinference.span.kind': 'AGENT' })).operation).toBe('invoke_agent');
  });

  it('reads the embedding model name', () => {
    expect(normalizeSpan(span('embed', { 'openinference.span.kind': 'EMBEDDING', 'embedding.model_name': 'text-embedding-3-small' })).requestModel).toBe('text-embedding-3-small');
  });
});

describe('normalizeSpan: Vercel AI SDK', () => {
  const outer = span('ai.generateText', {
    'ai.operationId': 'ai.generateText',
    'operation.name': 'ai.generateText summarize',
    'ai.model.id': 'gpt-4o-mini',
    'ai.model.provider': 'openai.chat',
    'ai.usage.promptTokens': 100,
    'ai.usage.completionTokens': 20,
    'ai.telemetry.functionId': 'summarize',
    'ai.telemetry.metadata.userId': 'bob',
    'ai.telemetry.metadata.sessionId': 'chat-77',
    'ai.telemetry.metadata.plan': 'free',
  });
  const inner = span('ai.generateText.doGenerate', {
    'ai.operationId': 'ai.generateText.doGenerate',
    'ai.model.id': 'gpt-4o-mini',
    'ai.model.provider': 'openai.chat',
    'ai.usage.promptTokens': 100,
    'ai.usage.completionTokens': 20,
    'ai.response.model': 'gpt-4o-mini-2024-07-18',
    'ai.telemetry.metadata.userId': 'bob',
    'gen_ai.system': 'openai.chat',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.usage.input_tokens': 100,
    'gen_ai.usage.output_tokens': 20,
  });

  it('prices the doGenerate span and not the ai.generateText span that wraps it', () => {
    const [o, i] = new NormalizeProcessor().process([outer, inner]).map((s) => s.genAi);
    expect(o).toMatchObject({ isModelCall: false, provider: 'openai', requestModel: 'gpt-4o-mini', inputTokens: 100, userId: 'bob', sessionId: 'chat-77', properties: { userId: 'bob', sessionId: 'chat-77', plan: 'free' } });
    expect(o?.operation).toBeUndefined();
    expect(i).toMatchObject({ isModelCall: true, operation: 'chat', provider: 'openai', responseModel: 'gpt-4o-mini-2024-07-18', inputTokens: 100, outputTokens: 20 });
  });

  it('reads AI SDK 5 usage, stream time to first chunk, embeddings and tool calls', () => {
    const stream = normalizeSpan(
      span('ai.streamText.doStream', { 'ai.operationId': 'ai.streamText.doStream', 'ai.model.provider': 'anthropic.messages', 'ai.usage.inputTokens': 50, 'ai.usage.outputTokens': 60, 'ai.usage.reasoningTokens': 40, 'ai.usage.cachedInputTokens': 30, 'ai.response.msToFirstChunk': 250 }),
    );
    expect(stream).toMatchObject({ isModelCall: true, provider: 'anthropic', inputTokens: 50, outputTokens: 60, reasoningOutputTokens: 40, cacheReadInputTokens: 30, timeToFirstChunk: 0.25 });
    const embed = normalizeSpan(span('ai.embed.doEmbed', { 'ai.operationId': 'ai.embed.doEmbed', 'ai.usage.tokens': 8 }));
    expect([embed.operation, embed.isModelCall, embed.inputTokens]).toEqual(['embeddings', true, 8]);
    expect(normalizeSpan(span('ai.embed', { 'ai.operationId': 'ai.embed', 'ai.usage.tokens': 8 })).isModelCall).toBe(false);
    expect(normalizeSpan(span('ai.toolCall', { 'ai.operationId': 'ai.toolCall' })).operation).toBe('execute_tool');
  });

  it('classifies by span name when the operation id attribute is missing', () => {
    expect(normalizeSpan(span('ai.streamText', { 'ai.model.id': 'gpt-4o', 'ai.usage.promptTokens': 1 })).isModelCall).toBe(false);
    expect(normalizeSpan(span('ai.streamText.doStream', { 'ai.model.id': 'gpt-4o' })).isModelCall).toBe(true);
  });
});

describe('properties', () => {
  it('lets tokentrace.property.* win over foreign properties and never touches the prototype', () => {
    const fields = normalizeSpan(
      span('chat', { 'traceloop.association.properties.feature': 'theirs', 'tokentrace.property.feature': 'ours', 'tokentrace.property.__proto__': 'x', metadata: '{"__proto__":{"polluted":"1"},"n":null}' }),
    );
    expect(fields.properties).toEqual({ feature: 'ours' });
    expect(Object.getPrototypeOf(fields.properties)).toBe(Object.prototype);
  });
});
