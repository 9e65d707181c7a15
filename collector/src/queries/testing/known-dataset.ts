/**
 * A small hand-made dataset with known answers, for the query engine's tests and for the tests of
 * what is built on it (HTTP API, CLI, dashboard). Times are relative to `now`, so the default
 * windows (24 h for requests, 7 days for analytics) contain what they should.
 *
 * Project A (`proj-a`):
 * - trace T1 (2 h ago, session `s-research-1` "research", user alice): workflow → agent → a gpt-4o
 *   call, then in parallel a web_search tool (`/research/search-1`), a claude call
 *   (`/research/search-1`), a failed gpt-4o-mini call (rate_limit, no usage, no cost) and its retry
 *   (`/research/search-2`);
 * - trace T2 (1 h ago, same session): workflow (`/research/summarize`) → a gpt-4o call with
 *   captured content, and a call to an unknown local model (tokens, no cost);
 * - bob: 3 gpt-4o-mini chats in session `s-chat-1` (no path), staging, prompt `greeting-v2`;
 * - erin: 100 gemini calls (latency 10..1000 ms, TTFT 5..500 ms), 20 sessions "batch" of 5 calls;
 * - carol: 2 embeddings 3 days ago (in 7 days, not in 24 h); dave: 1 call 10 days ago (in neither).
 *
 * Project B (`proj-b`): the same trace id as T1 and the same session id, user alice again, and
 * large costs, so that any leak across projects shows in A's figures.
 */
import type { SpanRecord } from '@tokentrace/processors';
import { ATTR_GEN_AI_INPUT_MESSAGES, ATTR_GEN_AI_OUTPUT_MESSAGES, ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, ATTR_GEN_AI_TOOL_NAME } from '@tokentrace/semconv';
import { hexId, spanRecord, type SpanSpec } from './known-spans.js';

export const PROJECT_A = 'proj-a';
export const PROJECT_B = 'proj-b';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const KNOWN_IDS = {
  t1: hexId('a1', 1, 32),
  t2: hexId('a2', 2, 32),
  t1Spans: { workflow: hexId('b1', 1, 16), agent: hexId('b1', 2, 16), gpt4o: hexId('b1', 3, 16), tool: hexId('b1', 4, 16), claude: hexId('b1', 5, 16), failed: hexId('b1', 6, 16), retry: hexId('b1', 7, 16) },
  t2Spans: { workflow: hexId('b2', 1, 16), withContent: hexId('b2', 2, 16), unknownModel: hexId('b2', 3, 16) },
  researchSession: 's-research-1',
  chatSession: 's-chat-1',
} as const;

export const KNOWN_CONTENT = {
  system: [{ type: 'text', content: 'You summarize research notes.' }],
  input: [{ role: 'user', parts: [{ type: 'text', content: "Summarize: it's \"quoted\" and \\ back-slashed" }] }],
  output: [{ role: 'assistant', parts: [{ type: 'text', content: 'Summary: three findings.' }], finish_reason: 'stop' }],
};

function priced(inputUsd: number, outputUsd: number, model: string): SpanSpec['cost'] {
  return { inputUsd, outputUsd, cacheReadUsd: 0, cacheWriteUsd: 0, totalUsd: inputUsd + outputUsd, status: 'priced', pricedModel: model };
}

/** The dataset's spans, for `now` (milliseconds since the epoch). */
export function knownSpans(now: number): SpanRecord[] {
  const { t1, t2, t1Spans: s1, t2Spans: s2 } = KNOWN_IDS;
  const research = (path: string) => ({ id: KNOWN_IDS.researchSession, name: 'research', path });
  const a = { project: PROJECT_A, service: 'research-agent', environment: 'production', user: 'alice', properties: { feature: 'research' } };
  const t1Start = now - 2 * HOUR;
  const t2Start = now - 1 * HOUR;
  const specs: SpanSpec[] = [
    { ...a, traceId: t1, spanId: s1.workflow, name: 'invoke_workflow research', startMs: t1Start, durationMs: 10_000, operation: 'invoke_workflow', session: research('/research') },
    { ...a, traceId: t1, spanId: s1.agent, parentSpanId: s1.workflow, name: 'invoke_agent planner', startMs: t1Start + 100, durationMs: 9_500, operation: 'invoke_agent', session: research('/research') },
    { ...a, traceId: t1, spanId: s1.gpt4o, parentSpanId: s1.agent, name: 'chat gpt-4o', startMs: t1Start + 200, durationMs: 1_500, operation: 'chat', provider: 'openai', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06',
      inputTokens: 1000, outputTokens: 200, cacheReadTokens: 100, ttftMs: 300, cost: priced(0.0025, 0.002, 'openai:gpt-4o'), session: research('/research') },
    { ...a, traceId: t1, spanId: s1.tool, parentSpanId: s1.agent, name: 'execute_tool web_search', startMs: t1Start + 2_000, durationMs: 3_000, operation: 'execute_tool', attributes: { [ATTR_GEN_AI_TOOL_NAME]: 'web_search' }, session: research('/research/search-1') },
    { ...a, traceId: t1, spanId: s1.claude, parentSpanId: s1.agent, name: 'chat claude-sonnet-4', startMs: t1Start + 2_000, durationMs: 4_000, operation: 'chat', provider: 'anthropic', requestModel: 'claude-sonnet-4',
      inputTokens: 2000, outputTokens: 500, reasoningTokens: 100, ttftMs: 800, cost: priced(0.006, 0.0075, 'anthropic:claude-sonnet-4'), session: research('/research/search-1') },
    { ...a, traceId: t1, spanId: s1.failed, parentSpanId: s1.agent, name: 'chat gpt-4o-mini', startMs: t1Start + 2_100, durationMs: 200, operation: 'chat', provider: 'openai', requestModel: 'gpt-4o-mini',
      error: { type: 'rate_limit', message: 'Rate limit reached' }, cost: { status: 'no_usage' }, session: research('/research/search-2'),
      events: [{ name: 'exception', timeUnixNano: BigInt(t1Start + 2_300) * 1_000_000n, attributes: { 'exception.type': 'RateLimitError', 'exception.message': 'Rate limit reached' } }] },
    { ...a, traceId: t1, spanId: s1.retry, parentSpanId: s1.agent, name: 'chat gpt-4o-mini', startMs: t1Start + 2_500, durationMs: 1_000, operation: 'chat', provider: 'openai', requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18',
      inputTokens: 500, outputTokens: 100, ttftMs: 200, resendCount: 1, cost: priced(0.000075, 0.00006, 'openai:gpt-4o-mini'), session: research('/research/search-2') },
    { ...a, traceId: t2, spanId: s2.workflow, name: 'invoke_workflow summarize', startMs: t2Start, durationMs: 6_000, operation: 'invoke_workflow', session: research('/research/summarize') },
    { ...a, traceId: t2, spanId: s2.withContent, parentSpanId: s2.workflow, name: 'chat gpt-4o', startMs: t2Start + 100, durationMs: 5_000, operation: 'chat', provider: 'openai', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06',
      inputTokens: 3000, outputTokens: 600, ttftMs: 500, cost: priced(0.0075, 0.006, 'openai:gpt-4o'), session: research('/research/summarize'), promptId: 'summarize-v1',
      attributes: { [ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]: JSON.stringify(KNOWN_CONTENT.system), [ATTR_GEN_AI_INPUT_MESSAGES]: JSON.stringify(KNOWN_CONTENT.input), [ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify(KNOWN_CONTENT.output) } },
    { ...a, traceId: t2, spanId: s2.unknownModel, parentSpanId: s2.workflow, name: 'chat my-local-llama', startMs: t2Start + 5_200, durationMs: 700, operation: 'chat', provider: 'ollama', requestModel: 'my-local-llama',
      inputTokens: 800, outputTokens: 150, cost: { status: 'unknown_model' }, session: research('/research/summarize') },
  ];
  const chat = { project: PROJECT_A, service: 'chat-api', environment: 'staging', user: 'bob', operation: 'chat', provider: 'openai', requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18', promptId: 'greeting-v2', properties: { feature: 'chat' } };
  for (let i = 0; i < 3; i++) {
    specs.push({ ...chat, traceId: hexId('c0', i, 32), spanId: hexId('c0', i, 16), name: 'chat gpt-4o-mini', startMs: now - (3 + i) * HOUR, durationMs: 800 + 200 * i, ttftMs: 100 * (i + 1),
      inputTokens: 100, outputTokens: 50, cost: priced(0.000015, 0.00003, 'openai:gpt-4o-mini'), session: { id: KNOWN_IDS.chatSession, name: 'chat' } });
  }
  for (let i = 0; i < 100; i++) {
    const cost = (i + 1) * 0.00001;
    specs.push({ project: PROJECT_A, service: 'batch', environment: 'production', user: 'erin', properties: { feature: 'batch' }, operation: 'generate_content', provider: 'gcp.gemini', requestModel: 'gemini-2.0-flash',
      traceId: hexId('e0', i, 32), spanId: hexId('e0', i, 16), name: 'generate_content gemini-2.0-flash', startMs: now - 20 * HOUR + i * 360_000, durationMs: 10 * (i + 1), ttftMs: 5 * (i + 1),
      inputTokens: 10, outputTokens: 10, cost: { inputUsd: cost / 2, outputUsd: cost / 2, totalUsd: cost, status: 'priced', pricedModel: 'gcp.gemini:gemini-2.0-flash' }, session: { id: `s-batch-${Math.floor(i / 5)}`, name: 'batch' } });
  }
  const embed = { project: PROJECT_A, service: 'indexer', environment: 'production', user: 'carol', operation: 'embeddings', provider: 'openai', requestModel: 'text-embedding-3-small', properties: { feature: 'indexing' } };
  for (let i = 0; i < 2; i++) {
    specs.push({ ...embed, traceId: hexId('d0', i, 32), spanId: hexId('d0', i, 16), name: 'embeddings text-embedding-3-small', startMs: now - 3 * DAY - i * HOUR, durationMs: 300, inputTokens: 400, cost: { inputUsd: 0.000008, totalUsd: 0.000008, status: 'priced', pricedModel: 'openai:text-embedding-3-small' } });
  }
  specs.push({ project: PROJECT_A, service: 'chat-api', environment: 'production', user: 'dave', operation: 'chat', provider: 'openai', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', traceId: hexId('f0', 1, 32), spanId: hexId('f0', 1, 16),
    name: 'chat gpt-4o', startMs: now - 10 * DAY, durationMs: 2_000, inputTokens: 1000, outputTokens: 1000, cost: priced(0.0025, 0.01, 'openai:gpt-4o') });

  // Project B: same trace and session ids as project A, much larger costs.
  const b = { project: PROJECT_B, service: 'research-agent', environment: 'production', user: 'alice', operation: 'chat', provider: 'openai', requestModel: 'gpt-4o', properties: { feature: 'research' } };
  specs.push({ ...b, traceId: KNOWN_IDS.t1, spanId: hexId('9b', 1, 16), name: 'chat gpt-4o', startMs: t1Start + 50, durationMs: 900, inputTokens: 100_000, outputTokens: 10_000, ttftMs: 90, cost: priced(0.5, 0.5, 'openai:gpt-4o'), session: research('/research') });
  for (let i = 0; i < 2; i++) {
    specs.push({ ...b, user: 'zed', traceId: hexId('9c', i, 32), spanId: hexId('9c', i, 16), name: 'chat gpt-4o', startMs: now - 5 * HOUR - i * 60_000, durationMs: 1_000, inputTokens: 50_000, outputTokens: 5_000, cost: priced(0.25, 0.25, 'openai:gpt-4o') });
  }
  return specs.map(spanRecord);
}

/**
 * What the queries must answer over `knownSpans(now)`, written out by hand (not computed from the
 * spans, so a mistake in one cannot hide a mistake in the other).
 */
export const KNOWN_EXPECTED = {
  a24h: {
    /** T1: 4 calls, T2: 2, bob 3, erin 100. */
    requests: 109,
    errors: 1,
    /** T1's gpt-4o-mini call after the rate limit is its request's first retry. */
    retries: 1,
    costUsd: 0.0045 + 0.0135 + 0.000135 + 0.0135 + 3 * 0.000045 + 0.0505,
    inputTokens: 1000 + 2000 + 500 + 3000 + 800 + 3 * 100 + 100 * 10,
    outputTokens: 200 + 500 + 100 + 600 + 150 + 3 * 50 + 100 * 10,
    cacheReadTokens: 100,
    reasoningTokens: 100,
    byModel: { 'gemini-2.0-flash': { requests: 100, costUsd: 0.0505 }, 'gpt-4o-2024-08-06': { requests: 2, costUsd: 0.018 }, 'claude-sonnet-4': { requests: 1, costUsd: 0.0135 },
      'gpt-4o-mini-2024-07-18': { requests: 4, costUsd: 0.000135 + 3 * 0.000045 }, 'gpt-4o-mini': { requests: 1, costUsd: 0 }, 'my-local-llama': { requests: 1, costUsd: 0 } },
    byUser: { erin: 0.0505, alice: 0.031635, bob: 0.000135 },
    /** erin's 100 calls: latency 10, 20, ..., 1000 ms; TTFT 5, 10, ..., 500 ms (exact interpolated percentiles). */
    erinLatencyMs: { p50: 505, p95: 950.5, p99: 990.1 },
    erinTtftMs: { p50: 252.5, p95: 475.25, p99: 495.05 },
  },
  a7d: { requests: 111, costUsd: 0.0045 + 0.0135 + 0.000135 + 0.0135 + 3 * 0.000045 + 0.0505 + 2 * 0.000008 },
  b24h: { requests: 3, costUsd: 2 },
  t1: { spans: 7, modelCalls: 4, errors: 1, costUsd: 0.0045 + 0.0135 + 0.000135, inputTokens: 3500, outputTokens: 800 },
  researchSession: { spans: 10, traceCount: 2, modelCalls: 6, costUsd: 0.031635, paths: ['/research', '/research/search-1', '/research/search-2', '/research/summarize'] },
  /** Session costs by name over 7 days: research 1 session, chat 1, batch 20 (session k costs 0.00001 × (25k + 15)). */
  sessionNames: { research: { sessions: 1, avgCostUsd: 0.031635 }, chat: { sessions: 1, avgCostUsd: 0.000135 }, batch: { sessions: 20, avgCostUsd: 0.0505 / 20, maxCostUsd: 0.0049 } },
} as const;
