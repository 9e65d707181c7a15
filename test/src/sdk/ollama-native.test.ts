/**
 * Ollama's native API (/api/chat, /api/generate, /api/embed) over raw fetch, against the Ollama
 * emulator on a random loopback port: recognised with no configuration when the client says it is
 * an Ollama client (`User-Agent: ollama-js/…`, as the ollama package sends), or with an `ollama`
 * endpoint configured; NDJSON streams folded into usage and finish reason; embeddings inputs
 * recorded with content capture on, through the redaction hook and the size limit.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ContentKind } from '@tokentrace/instrumentation';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans } from '../harness/span-assertions.js';
import { startOllamaEmulator, type ProviderEmulator } from '../provider-emulator/index.js';

const harness = setupTracing({});
let ollama: ProviderEmulator;
const OLLAMA_CLIENT = { 'content-type': 'application/json', 'user-agent': 'ollama-js/0.6.0 (x64 linux Node.js/v22.0.0)' };

beforeAll(async () => {
  ollama = await startOllamaEmulator();
});
afterAll(async () => {
  await ollama.close();
  await harness.shutdown();
});
beforeEach(() => {
  harness.reset();
  ollama.reset();
});
afterEach(() => harness.instrumentation.setConfig({}));

function post(path: string, body: object, headers: Record<string, string> = OLLAMA_CLIENT): Promise<Response> {
  return fetch(ollama.url + path, { method: 'POST', headers, body: JSON.stringify(body) });
}

describe('no configuration, an Ollama client', () => {
  it('/api/chat streamed (the default): NDJSON lines folded into text, usage, done_reason', async () => {
    ollama.enqueue({ text: 'The sky is blue because of Rayleigh scattering.', inputTokens: 26, outputTokens: 11 });
    const res = await post('/api/chat', { model: 'llama3.1', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Why is the sky blue?' }], options: { temperature: 0.2, num_predict: 64 } });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.message.content).join('')).toBe('The sky is blue because of Rayleigh scattering.');

    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.name).toBe('chat llama3.1');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.request.model': 'llama3.1',
      'gen_ai.request.stream': true,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.response.model': 'llama3.1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 26,
      'gen_ai.usage.output_tokens': 11,
      'server.address': '127.0.0.1',
      'server.port': ollama.port,
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(span.status.code).toBe(0);
  });

  it('/api/generate not streamed: a text_completion span', async () => {
    ollama.enqueue({ text: 'Forty-two.', inputTokens: 9, outputTokens: 4, finishReason: 'length' });
    const res = await post('/api/generate', { model: 'qwen2.5:0.5b', prompt: 'The answer?', stream: false });
    expect((await res.json()).response).toBe('Forty-two.');
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.name).toBe('text_completion qwen2.5:0.5b');
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'ollama', 'gen_ai.request.stream': false, 'gen_ai.response.finish_reasons': ['length'],
      'gen_ai.usage.input_tokens': 9, 'gen_ai.usage.output_tokens': 4,
    });
  });

  it('/api/embed with content capture: the inputs recorded, redacted and shortened like other content', async () => {
    const kinds: ContentKind[] = [];
    harness.instrumentation.setConfig({
      captureMessageContent: true,
      maxContentLength: 64,
      redactContent: (content, kind) => {
        kinds.push(kind);
        return (content as string[]).map((text) => text.replace(/\d{4}-\d{4}/g, '[card]'));
      },
    });
    ollama.enqueue({ inputTokens: 14, embeddingDimensions: 4 });
    const inputs = ['card 1234-5678 on file', 'a second text that is long enough to need shortening, surely'];
    const res = await post('/api/embed', { model: 'nomic-embed-text', input: inputs });
    expect((await res.json()).embeddings).toHaveLength(2);
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.embeddings.dimension.count': 4, 'gen_ai.usage.input_tokens': 14 });
    expect(kinds).toEqual(['embeddings']);
    const recorded = span.attributes['tokentrace.embeddings.input'] as string;
    expect(recorded.length).toBeLessThanOrEqual(64);
    expect(span.attributes['tokentrace.content.truncated']).toBe(true);
    const parsed = JSON.parse(recorded) as string[];
    expect(parsed[0]).toBe('card [card] on file');
    expect(parsed[1]).toMatch(/^a second text.*…\[truncated\]$/);
  });

  it('/api/embed without content capture: no inputs recorded', async () => {
    await post('/api/embed', { model: 'nomic-embed-text', input: 'secret text' });
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.attributes['tokentrace.embeddings.input']).toBeUndefined();
    expect(JSON.stringify(span.attributes)).not.toContain('secret text');
  });
});

describe('a client that does not say it is Ollama, on another port than 11434', () => {
  const plain = { 'content-type': 'application/json' };

  it('is not recognised by shape (an app backend has /api/chat too); the app gets its answer', async () => {
    const res = await post('/api/chat', { model: 'llama3.1', messages: [{ role: 'user', content: 'hi' }], stream: false }, plain);
    expect((await res.json()).done).toBe(true);
    // A recognised call after it: its span ends later than the first one's would have.
    await post('/api/generate', { model: 'llama3.1', prompt: 'marker', stream: false });
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length >= 1);
    expect(genAiSpans(spans).map((s) => s.name)).toEqual(['text_completion llama3.1']);
  });

  it('is recognised with an ollama endpoint configured', async () => {
    harness.instrumentation.setConfig({ endpoints: [{ baseUrl: ollama.url, provider: 'ollama', format: 'ollama' }] });
    await (await post('/api/chat', { model: 'llama3.1', messages: [{ role: 'user', content: 'hi' }], stream: false }, plain)).json();
    const [span] = genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 1));
    expect(span.attributes).toMatchObject({ 'gen_ai.provider.name': 'ollama', 'gen_ai.operation.name': 'chat' });
  });
});
