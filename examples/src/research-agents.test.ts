/**
 * examples/research-agents against the provider emulators: one workflow span holding a planner,
 * three searchers running in parallel on three providers (each with a tool call), a streamed
 * summariser and a streamed synthesiser; one session, one session path per step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '@tokentrace/test';
import { runExample } from '../shared/run-example.js';
import { ancestry, childrenOf, endNs, llmCalls, startNs } from './span-queries.js';

let receiver: OtlpReceiver;
beforeAll(async () => { receiver = await startOtlpReceiver(); });
afterAll(async () => receiver.close());

const SEARCHERS = [
  { agent: 'invoke_agent searcher-openai', provider: 'openai', path: '/research/search-1', toolFinish: 'tool_calls' },
  { agent: 'invoke_agent searcher-anthropic', provider: 'anthropic', path: '/research/search-2', toolFinish: 'tool_use' },
  // Gemini has no tool-call finish reason: a function call ends with STOP.
  { agent: 'invoke_agent searcher-gemini', provider: 'gcp.gemini', path: '/research/search-3', toolFinish: 'STOP' },
];

describe('examples/research-agents', () => {
  it('shows planner → parallel searchers → summariser → synthesiser as one deep tree in one session', async () => {
    const run = await runExample('research-agents', { otlpEndpoint: receiver.url, providers: 'emulator' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.unusedReplies).toBe(0);
    const sessionId = /\[research\] session (research-\w+)/.exec(run.stdout)?.[1];
    expect(sessionId).toBeDefined();
    const spans = receiver.spans;
    expect(spans.filter((s) => s.status.code === 2).map((s) => `${s.name}: ${s.status.message}`)).toEqual([]);

    const roots = spans.filter((s) => !s.parentSpanId);
    expect(roots.map((s) => s.name)).toEqual(['invoke_workflow research-brief']);
    const agents = childrenOf(spans, roots[0]);
    expect(agents.map((s) => s.name).slice(0, 1)).toEqual(['invoke_agent planner']);
    expect(agents.map((s) => s.name).slice(1, 4).sort()).toEqual(SEARCHERS.map((s) => s.agent).sort());
    expect(agents.map((s) => s.name).slice(4)).toEqual(['invoke_agent summariser', 'invoke_agent synthesiser']);
    const [planner, , , , summariser, synthesiser] = agents;
    const searchers = agents.slice(1, 4);

    // Steps run in order, and the three searchers overlap in time. (The SDK anchors each span's
    // clock to the millisecond, so two spans' times compare within 1 ms.)
    const ms = 1_000_000n;
    const before = (a: bigint, b: bigint) => a <= b + ms;
    expect(searchers.every((s) => before(endNs(planner), startNs(s)) && before(endNs(s), startNs(summariser)))).toBe(true);
    const lastStart = searchers.map(startNs).reduce((a, b) => (a > b ? a : b));
    expect(searchers.every((s) => endNs(s) > lastStart + ms)).toBe(true);
    expect(before(endNs(summariser), startNs(synthesiser))).toBe(true);

    // Each searcher: the model asks for the tool, the tool runs, the model answers.
    for (const expected of SEARCHERS) {
      const agent = searchers.find((s) => s.name === expected.agent)!;
      const steps = childrenOf(spans, agent);
      expect(steps.map((s) => s.attributes['gen_ai.operation.name'])).toEqual(expect.arrayContaining(['execute_tool']));
      const [ask, tool, answer] = steps;
      expect(tool.name).toBe('execute_tool search_library');
      for (const call of [ask, answer]) expect(call.attributes).toMatchObject({ 'gen_ai.provider.name': expected.provider, 'tokentrace.session.path': expected.path });
      expect(ask.attributes['gen_ai.response.finish_reasons']).toEqual([expected.toolFinish]);
      expect(answer.attributes['gen_ai.response.finish_reasons']).not.toEqual(['tool_calls']);
    }

    // Four levels: workflow → agent → LLM call → its HTTP request.
    const http = spans.find((s) => s.attributes['http.request.method'] === 'POST' && s.kind === 'client' && s.attributes['gen_ai.operation.name'] === undefined)!;
    expect(ancestry(spans, http)).toHaveLength(4);
    expect(ancestry(spans, http)[0]).toBe('invoke_workflow research-brief');

    const calls = llmCalls(spans);
    expect(calls).toHaveLength(1 + 3 * 2 + 1 + 1);
    expect(new Set(calls.map((c) => c.attributes['gen_ai.provider.name']))).toEqual(new Set(['openai', 'anthropic', 'gcp.gemini']));
    for (const call of calls) {
      expect(call.attributes).toMatchObject({ 'gen_ai.conversation.id': sessionId, 'tokentrace.session.name': 'research-brief', 'user.id': 'analyst-0042' });
    }
    const pathOf = (agent: ReceivedSpan) => childrenOf(spans, agent).filter((s) => s.kind === 'client').map((c) => c.attributes['tokentrace.session.path']);
    expect(pathOf(planner)).toEqual(['/plan']);
    expect(pathOf(summariser)).toEqual(['/summarise']);
    expect(pathOf(synthesiser)).toEqual(['/synthesise']);

    // Streamed calls carry their time to first chunk (the emulators delay the first chunk 100 and 150 ms).
    const [summary] = childrenOf(spans, summariser);
    const [brief] = childrenOf(spans, synthesiser);
    expect(summary.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThanOrEqual(0.09);
    expect(brief.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.usage.output_tokens': expect.any(Number) });
    expect(brief.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThanOrEqual(0.14);
  });
});
