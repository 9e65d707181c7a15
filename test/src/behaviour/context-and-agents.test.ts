/**
 * The context API and the agent API of @tokentrace/instrumentation, seen from the spans:
 * `withContext` values reach every LLM call made inside (however deep and async), inner values
 * win, tracking headers win over the context; `withWorkflow` / `withAgent` / `withTool` give the
 * exact span tree of an agent run, parallel branches included, with tool arguments and results
 * only when content capture is on and a tool's exception recorded and rethrown unchanged.
 */
import http from 'node:http';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { withAgent, withContext, withTool, withWorkflow } from '@tokentrace/instrumentation';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { childrenOf, genAiSpans } from '../harness/span-assertions.js';
import { startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';

const harness = setupTracing({});
let emulator: ProviderEmulator;

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
});
afterAll(async () => {
  await emulator.close();
  await harness.shutdown();
});
beforeEach(() => {
  harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'openai' }] });
  harness.reset();
  emulator.reset();
});

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A chat call with raw fetch; the model names the call so its span can be found. */
async function chat(model: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${emulator.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-agents', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: `call ${model}` }] }),
  });
  const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
  return body.choices[0].message.content;
}

/** The same over node:http. */
function chatOverHttp(model: string, headers: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${emulator.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-agents', ...headers },
    }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ model, messages: [{ role: 'user', content: `call ${model}` }] }));
  });
}

function chatSpan(spans: readonly ReadableSpan[], model: string): ReadableSpan {
  const found = spans.filter((s) => s.name === `chat ${model}`);
  expect(found, `one span named "chat ${model}"`).toHaveLength(1);
  return found[0];
}

/** The tracking attributes of a span, and only those. */
function tracking(span: ReadableSpan): Record<string, unknown> {
  return Object.fromEntries(Object.entries(span.attributes).filter(([k]) =>
    k === 'user.id' || k === 'gen_ai.conversation.id' || k.startsWith('tokentrace.session.') || k === 'tokentrace.prompt.id' || k.startsWith('tokentrace.property.')));
}

function parentOf(span: ReadableSpan, spans: readonly ReadableSpan[]): ReadableSpan | undefined {
  return spans.find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId);
}

describe('withContext', () => {
  it('reaches nested async calls; inner values win; headers win over the context; nothing leaks outside', async () => {
    await withContext({ userId: 'u-1', sessionId: 's-1', sessionName: 'research run', sessionPath: '/research', properties: { Feature: 'chat', Tier: 'free' } }, async () => {
      await chat('ctx-outer');
      await withContext({ userId: 'u-2', sessionPath: '/research/search', promptId: 'p-9', properties: { Tier: 'pro', Step: 'search' } }, async () => {
        await delay(5);
        await new Promise<void>((resolve, reject) => setTimeout(() => chat('ctx-inner').then(() => resolve(), reject), 1));
      });
      await chat('ctx-header', { 'Helicone-User-Id': 'u-header', 'Helicone-Property-Feature': 'from-header', 'Tokentrace-Session-Path': '/research/override' });
      await chatOverHttp('ctx-header-http', { 'Helicone-Session-Id': 's-header', 'Helicone-Property-Tier': 'enterprise' });
    });
    await chat('ctx-none');

    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 5);
    expect(tracking(chatSpan(spans, 'ctx-outer'))).toEqual({
      'user.id': 'u-1',
      'gen_ai.conversation.id': 's-1',
      'tokentrace.session.id': 's-1',
      'tokentrace.session.name': 'research run',
      'tokentrace.session.path': '/research',
      'tokentrace.property.feature': 'chat',
      'tokentrace.property.tier': 'free',
    });
    expect(tracking(chatSpan(spans, 'ctx-inner'))).toEqual({
      'user.id': 'u-2',
      'gen_ai.conversation.id': 's-1',
      'tokentrace.session.id': 's-1',
      'tokentrace.session.name': 'research run',
      'tokentrace.session.path': '/research/search',
      'tokentrace.prompt.id': 'p-9',
      'tokentrace.property.feature': 'chat',
      'tokentrace.property.tier': 'pro',
      'tokentrace.property.step': 'search',
    });
    expect(tracking(chatSpan(spans, 'ctx-header'))).toEqual({
      'user.id': 'u-header',
      'gen_ai.conversation.id': 's-1',
      'tokentrace.session.id': 's-1',
      'tokentrace.session.name': 'research run',
      'tokentrace.session.path': '/research/override',
      'tokentrace.property.feature': 'from-header',
      'tokentrace.property.tier': 'free',
    });
    expect(tracking(chatSpan(spans, 'ctx-header-http'))).toEqual({
      'user.id': 'u-1',
      'gen_ai.conversation.id': 's-header',
      'tokentrace.session.id': 's-header',
      'tokentrace.session.name': 'research run',
      'tokentrace.session.path': '/research',
      'tokentrace.property.feature': 'chat',
      'tokentrace.property.tier': 'enterprise',
    });
    expect(tracking(chatSpan(spans, 'ctx-none'))).toEqual({});
    // The tracking headers never left the process.
    for (const exchange of emulator.requests) {
      expect(Object.keys(exchange.request.headers).filter((h) => h.startsWith('helicone-') || h.startsWith('tokentrace-'))).toEqual([]);
    }
  });

  it('parallel contexts do not cross', async () => {
    await Promise.all(['a', 'b', 'c'].map((user, i) =>
      withContext({ userId: `user-${user}`, properties: { Branch: user } }, async () => {
        await delay(30 - i * 10);
        await chat(`par-${user}`);
      })));
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 3);
    for (const user of ['a', 'b', 'c']) {
      expect(tracking(chatSpan(spans, `par-${user}`))).toEqual({ 'user.id': `user-${user}`, 'tokentrace.property.branch': user });
    }
  });

  it('returns what the function returns, and is visible on agent spans too', async () => {
    const result = await withContext({ userId: 'u-agent', sessionId: 's-agent' }, () => withAgent('helper', () => chat('ctx-agent')));
    expect(result).toBe('This reply comes from the tokentrace provider emulator, a local stand-in for the real API.');
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 2);
    const agent = spans.find((s) => s.name === 'invoke_agent helper')!;
    expect(tracking(agent)).toEqual({ 'user.id': 'u-agent', 'gen_ai.conversation.id': 's-agent', 'tokentrace.session.id': 's-agent' });
    expect(tracking(chatSpan(spans, 'ctx-agent'))).toEqual(tracking(agent));
  });
});

const TOPICS = ['alpha', 'beta', 'gamma'] as const;

/** The research run of the README: a workflow, a planner agent, then three searcher agents in parallel. */
async function researchRun(): Promise<void> {
  await withWorkflow('research', async () => {
    await withAgent({ name: 'planner', model: 'gpt-4o', provider: 'openai' }, () => chat('gpt-4o'));
    await Promise.all(TOPICS.map((topic, i) =>
      withAgent({ name: 'searcher', id: `searcher-${topic}` }, async () => {
        // Staggered so that one branch's tool runs while another branch calls the model.
        await withTool({ name: 'search', callId: `call-${topic}`, arguments: { query: topic } }, async () => {
          await delay(40 - i * 15);
          return { hits: [`${topic}-1`, `${topic}-2`] };
        });
        emulator.enqueue({ firstChunkDelayMs: 10 + i * 10 });
        await chat(`summarise-${topic}`);
      })));
  });
}

describe('withWorkflow / withAgent / withTool', () => {
  it('an agent run gives the exact tree; parallel branches do not cross', async () => {
    await researchRun();
    // workflow + planner + chat + 3 × (agent + tool + chat) = 12 GenAI spans, no generic HTTP
    // client span (httpSpans off), and the emulator's 4 SERVER spans (same process): each the
    // child of its chat span, whose trace context the request carried.
    const serverSpans = (s: readonly ReadableSpan[]) => s.filter((x) => x.kind === SpanKind.SERVER);
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 12 && serverSpans(s).length === 4);
    expect(spans.filter((x) => x.kind === SpanKind.CLIENT && x.attributes['gen_ai.operation.name'] === undefined)).toEqual([]);
    const traceIds = new Set(spans.map((s) => s.spanContext().traceId));
    expect(traceIds.size).toBe(1);

    const workflow = spans.find((s) => s.name === 'invoke_workflow research')!;
    expect(workflow.parentSpanContext).toBeUndefined();
    expect(workflow.kind).toBe(SpanKind.INTERNAL);
    expect(workflow.attributes).toEqual({ 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'research' });
    expect(workflow.status.code).toBe(0);

    const agents = childrenOf(spans, workflow);
    expect(agents.map((s) => s.name).sort()).toEqual(['invoke_agent planner', 'invoke_agent searcher', 'invoke_agent searcher', 'invoke_agent searcher']);

    const planner = agents.find((s) => s.name === 'invoke_agent planner')!;
    expect(planner.attributes).toEqual({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'planner',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.provider.name': 'openai',
    });
    const plannerChat = chatSpan(spans, 'gpt-4o');
    expect(childrenOf(spans, planner)).toEqual([plannerChat]);
    expect(plannerChat.kind).toBe(SpanKind.CLIENT);
    expect(plannerChat.attributes['gen_ai.operation.name']).toBe('chat');
    expect(childrenOf(spans, plannerChat).map((x) => x.kind)).toEqual([SpanKind.SERVER]);

    for (const topic of TOPICS) {
      const agent = agents.find((s) => s.attributes['gen_ai.agent.id'] === `searcher-${topic}`)!;
      expect(agent.attributes).toEqual({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'searcher', 'gen_ai.agent.id': `searcher-${topic}` });
      const children = childrenOf(spans, agent);
      expect(children.map((s) => s.name).sort()).toEqual([`chat summarise-${topic}`, 'execute_tool search']);
      const tool = children.find((s) => s.name === 'execute_tool search')!;
      expect(tool.kind).toBe(SpanKind.INTERNAL);
      expect(tool.attributes).toEqual({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'search',
        'gen_ai.tool.type': 'function',
        'gen_ai.tool.call.id': `call-${topic}`,
      });
      expect(childrenOf(spans, tool)).toEqual([]);
      const call = chatSpan(spans, `summarise-${topic}`);
      expect(parentOf(call, spans)).toBe(agent);
      expect(childrenOf(spans, call).map((x) => x.kind)).toEqual([SpanKind.SERVER]);
      // Children start inside their parent's lifetime (their end: see the clock test below).
      for (const child of children) expect(hrToNs(child.startTime)).toBeGreaterThanOrEqual(hrToNs(agent.startTime));
    }
    // No tool arguments or results without content capture.
    expect(spans.some((s) => s.attributes['gen_ai.tool.call.arguments'] !== undefined || s.attributes['gen_ai.tool.call.result'] !== undefined)).toBe(false);
  });

  it('span times stay on one clock when the wall clock has drifted from the monotonic clock', async () => {
    // Date.now() and performance.timeOrigin + performance.now() part ways in a long-running
    // process (NTP corrections, sleep); the SDK anchors each span on Date.now() at its start and
    // measures on performance.now() from there, so a span's end must be given on that clock too.
    const realNow = Date.now.bind(Date);
    const drifted = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 60_000);
    try {
      emulator.enqueue({ firstChunkDelayMs: 60 });
      await withAgent('drift', () => chat('drift-model'));
    } finally {
      drifted.mockRestore();
    }
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 2);
    const agent = spans.find((s) => s.name === 'invoke_agent drift')!;
    const call = chatSpan(spans, 'drift-model');
    const durationMs = Number(hrToNs(call.endTime) - hrToNs(call.startTime)) / 1e6;
    expect(durationMs).toBeGreaterThanOrEqual(60);
    expect(durationMs).toBeLessThan(2000);
    // Each SDK span anchors its clock on Date.now() (1 ms granularity) when it starts, so spans can
    // disagree by up to a millisecond; what must not happen is the 60 s of drift showing through.
    const ANCHOR_TOLERANCE_NS = 2_000_000n;
    expect(hrToNs(call.startTime) + ANCHOR_TOLERANCE_NS).toBeGreaterThanOrEqual(hrToNs(agent.startTime));
    expect(hrToNs(call.endTime)).toBeLessThanOrEqual(hrToNs(agent.endTime) + ANCHOR_TOLERANCE_NS);
  });

  it('with content capture on, tool arguments and results are recorded as JSON', async () => {
    harness.instrumentation.setConfig({ endpoints: [{ baseUrl: emulator.url, provider: 'openai' }], captureMessageContent: true });
    await researchRun();
    const spans = await harness.waitForSpans((s) => genAiSpans(s).length === 12);
    const tools = spans.filter((s) => s.name === 'execute_tool search');
    expect(tools).toHaveLength(3);
    for (const topic of TOPICS) {
      const tool = tools.find((s) => s.attributes['gen_ai.tool.call.id'] === `call-${topic}`)!;
      expect(tool.attributes['gen_ai.tool.call.arguments']).toBe(JSON.stringify({ query: topic }));
      expect(tool.attributes['gen_ai.tool.call.result']).toBe(JSON.stringify({ hits: [`${topic}-1`, `${topic}-2`] }));
    }
  });

  it('an exception in a tool: ERROR status and error.type on the tool and agent spans, the same error rethrown', async () => {
    class SearchTimeout extends Error {
      override name = 'SearchTimeout';
    }
    const boom = new SearchTimeout('search backend timed out');
    const caught = await withAgent('searcher', () =>
      withTool({ name: 'search', callId: 'call-fail' }, async () => {
        await delay(1);
        throw boom;
      })).then(() => undefined, (e: unknown) => e);
    expect(caught).toBe(boom);

    const spans = await harness.waitForSpans((s) => s.length === 2);
    const tool = spans.find((s) => s.name === 'execute_tool search')!;
    const agent = spans.find((s) => s.name === 'invoke_agent searcher')!;
    expect(parentOf(tool, spans)).toBe(agent);
    for (const span of [tool, agent]) {
      expect(span.status).toEqual({ code: 2, message: 'search backend timed out' });
      expect(span.attributes['error.type']).toBe('SearchTimeout');
    }
    const exception = tool.events.find((e) => e.name === 'exception')!;
    expect(exception.attributes).toMatchObject({ 'exception.type': 'SearchTimeout', 'exception.message': 'search backend timed out' });
  });

  it('a synchronous throw is rethrown synchronously, unchanged; a synchronous result is returned as is', () => {
    const boom = new TypeError('bad argument');
    expect(() => withTool('parse', () => {
      throw boom;
    })).toThrow(boom);
    const value = { parsed: true };
    expect(withTool('parse', () => value)).toBe(value);
    const spans = harness.spans();
    expect(spans.map((s) => [s.name, s.status.code, s.attributes['error.type']])).toEqual([
      ['execute_tool parse', 2, 'TypeError'],
      ['execute_tool parse', 0, undefined],
    ]);
  });

  it('hands back the very promise the function returned', async () => {
    const promise = Promise.resolve(42);
    expect(withTool('lookup', () => promise)).toBe(promise);
    expect(withAgent('lookup-agent', () => promise)).toBe(promise);
    expect(withWorkflow('lookup-flow', () => promise)).toBe(promise);
    await harness.waitForSpans((s) => s.length === 3);
  });
});

function hrToNs([seconds, nanos]: [number, number]): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
}
