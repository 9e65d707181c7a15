/**
 * Generates the query benchmark's spans, batch by batch (memory stays bounded whatever the span
 * count), as the collector's exporter would write them: SpanRecords as the processors leave them
 * (GenAI fields, cost, session), turned into rows of `spans` by the exporter's own mapping
 * (span-row.ts) and encoded as its insert's body (spanBatchBody, in the exporter's format for the client).
 *
 * Shape (deterministic, seeded): traces of 5–10 spans, a workflow root with an agent under it and
 * model calls (≈75 %) and tool calls under the agent; 20 models over 5 providers priced per
 * token, plus an unknown local model without price (≈3 %); ≈2 % failed calls (no usage, no
 * cost); TTFT on ≈80 % of calls; 1000 users with a skewed share; sessions of 5 traces of one
 * user under 10 session names, each trace one step (`/step-N`); 8 services, 2 environments,
 * 10 prompt ids, two custom properties. Traces start evenly over the time span, in order, as a
 * collector would receive them.
 */
import { spanBatchBody, type SpanBatchBody, type SpanInsertFormat, type SpanRecord } from '@tokentrace/processors';

const MODELS = [
  ['openai', 'gpt-4o', 2.5, 10], ['openai', 'gpt-4o-mini', 0.15, 0.6], ['openai', 'gpt-4.1', 2, 8], ['openai', 'gpt-4.1-mini', 0.4, 1.6], ['openai', 'o3-mini', 1.1, 4.4],
  ['anthropic', 'claude-sonnet-4', 3, 15], ['anthropic', 'claude-3-5-haiku', 0.8, 4], ['anthropic', 'claude-opus-4', 15, 75], ['anthropic', 'claude-3-7-sonnet', 3, 15],
  ['gcp.gemini', 'gemini-2.0-flash', 0.1, 0.4], ['gcp.gemini', 'gemini-2.5-pro', 1.25, 10], ['gcp.gemini', 'gemini-2.5-flash', 0.3, 2.5], ['gcp.gemini', 'gemini-1.5-pro', 1.25, 5],
  ['mistral_ai', 'mistral-large', 2, 6], ['mistral_ai', 'mistral-small', 0.2, 0.6], ['mistral_ai', 'codestral', 0.3, 0.9],
  ['groq', 'llama-3.3-70b', 0.59, 0.79], ['groq', 'llama-3.1-8b', 0.05, 0.08], ['groq', 'mixtral-8x7b', 0.24, 0.24], ['groq', 'gemma2-9b', 0.2, 0.2],
] as const;
const SESSION_NAMES = ['research', 'chat', 'support', 'summarize', 'extract', 'classify', 'translate', 'codegen', 'review', 'search'];
const FEATURES = ['chat', 'search', 'export', 'insights', 'onboarding'];
const TIERS = ['free', 'pro', 'enterprise'];
const DAY_MS = 86_400_000;
const SCOPE = { scopeName: '@tokentrace/instrumentation', scopeVersion: '0.1.0' };
const KIND_INTERNAL = 1;
const KIND_CLIENT = 3;
const STATUS_OK = 1;
const STATUS_ERROR = 2;

export interface BenchDataOptions {
  spans: number;
  /** End of the time span (epoch ms); the span covers `days` days before it. */
  endMs: number;
  days: number;
  project: string;
  /** Number of the first trace (ids and sessions follow from it); default 0. */
  firstTrace?: number;
}

/** What the generated data must sum to, for checking the engine's answers. */
export interface Expected {
  requests: number;
  costUsd: number;
}

/** One batch: its body (the exporter's encoding) and its row count. */
export interface BenchBatch {
  body: SpanBatchBody;
  rows: number;
}

/** Mulberry32: small, fast, seeded. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export class BenchData {
  readonly traces: number;
  /** Model calls and cost with a start in [endMs - days, endMs), by window length in days. */
  readonly expected = new Map<number, Expected>();
  /** A few trace and session ids spread over the span, for the lookup queries. */
  readonly sampleTraces: string[] = [];
  readonly sampleSessions: string[] = [];
  private nextTrace: number;
  private readonly lastTrace: number;
  private readonly stepMs: number;
  private readonly startMs: number;
  private readonly rand = random(42);
  /** Resource attributes per (service, environment): shared objects, as one OTLP ResourceSpans gives. */
  private readonly resources = new Map<string, SpanRecord['resourceAttributes']>();

  constructor(private readonly options: BenchDataOptions, windowsDays: number[]) {
    this.traces = Math.ceil(options.spans / 7.5);
    this.nextTrace = options.firstTrace ?? 0;
    this.lastTrace = this.nextTrace + this.traces;
    this.startMs = options.endMs - options.days * DAY_MS;
    this.stepMs = (options.days * DAY_MS) / this.traces;
    for (const days of windowsDays) this.expected.set(days, { requests: 0, costUsd: 0 });
  }

  get done(): boolean {
    return this.nextTrace >= this.lastTrace;
  }

  /** The next batch of about `spans` spans as SpanRecords. */
  records(spans: number): SpanRecord[] {
    const out: SpanRecord[] = [];
    while (out.length < spans && !this.done) this.trace(this.nextTrace++, out);
    return out;
  }

  /** The next batch of about `spans` spans, encoded as the exporter encodes a batch (`version` as its row version). */
  batch(spans: number, version: number, format: SpanInsertFormat): BenchBatch {
    const records = this.records(spans);
    return { body: spanBatchBody(records, version, format), rows: records.length };
  }

  private resource(service: string, environment: string): SpanRecord['resourceAttributes'] {
    const key = `${service}/${environment}`;
    let attributes = this.resources.get(key);
    if (!attributes) this.resources.set(key, (attributes = { 'service.name': service, 'deployment.environment.name': environment }));
    return attributes;
  }

  private trace(t: number, out: SpanRecord[]): void {
    const r = this.rand;
    const { project, endMs } = this.options;
    const traceStart = this.startMs + (t - (this.options.firstTrace ?? 0)) * this.stepMs;
    const session = Math.floor(t / 5);
    const sessionRand = random(session * 7919 + 1);
    const user = Math.floor(1000 * sessionRand() ** 1.6);
    const sessionName = SESSION_NAMES[Math.floor(sessionRand() * SESSION_NAMES.length)];
    const sessionId = `sess-${hex(session, 8)}`;
    const path = `/step-${(t % 5) + 1}`;
    const service = `svc-${user % 8}`;
    const environment = user % 10 === 0 ? 'staging' : 'production';
    const properties = { feature: FEATURES[user % FEATURES.length], tier: TIERS[user % TIERS.length] };
    const traceId = hex(t, 16) + hex(Math.floor(r() * 2 ** 32), 8) + hex(Math.floor(r() * 2 ** 32), 8);
    const spanCount = 5 + Math.floor(r() * 6);
    const spanId = (i: number) => hex(t, 12) + hex(i, 4);
    const resourceAttributes = this.resource(service, environment);
    const sessionFields = { id: sessionId, name: sessionName, path, parentPath: '/', depth: 1 };
    const userId = `user-${user}`;
    const span = (name: string, kind: 1 | 3, parent: string, i: number, startMs: number, durationMs: number): SpanRecord => {
      const startNs = BigInt(Math.floor(startMs)) * 1_000_000n + BigInt(i);
      return {
        projectId: project,
        traceId,
        spanId: spanId(i),
        parentSpanId: parent,
        name,
        kind,
        startTimeUnixNano: startNs,
        endTimeUnixNano: startNs + BigInt(Math.round(durationMs * 1e6)),
        statusCode: STATUS_OK,
        statusMessage: '',
        attributes: {},
        resourceAttributes,
        ...SCOPE,
        events: [],
        session: sessionFields,
      };
    };
    const notModelCall = (operation: string) => ({ genAi: { operation, userId, properties, isModelCall: false }, cost: { status: 'not_a_model_call' as const } });
    // Root workflow and agent cover the whole trace.
    out.push({
      ...span(`invoke_workflow ${sessionName}`, KIND_INTERNAL, '', 0, traceStart, 12_000),
      attributes: { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': sessionName },
      ...notModelCall('invoke_workflow'),
    });
    out.push({
      ...span('invoke_agent planner', KIND_INTERNAL, spanId(0), 1, traceStart + 5, 11_900),
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' },
      ...notModelCall('invoke_agent'),
    });
    for (let i = 2; i < spanCount; i++) {
      const startMs = traceStart + 10 + (i - 2) * 1500 + r() * 500;
      if (r() < 0.25) {
        out.push({
          ...span('execute_tool web_search', KIND_INTERNAL, spanId(1), i, startMs, 50 + r() * 1500),
          attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'web_search' },
          ...notModelCall('execute_tool'),
        });
        continue;
      }
      const unknown = r() < 0.03;
      const failed = r() < 0.02;
      const m = MODELS[Math.floor(r() ** 1.3 * MODELS.length)];
      const [provider, model] = unknown ? ['ollama', 'local-llama'] : [m[0], m[1]];
      const input = 200 + Math.floor(r() * 3800);
      const output = 20 + Math.floor(r() * 980);
      const cacheRead = r() < 0.3 ? Math.floor(input * r() * 0.8) : 0;
      const reasoning = model.startsWith('o3') ? Math.floor(output * 0.5) : 0;
      const ttft = r() < 0.8 ? 0.1 + r() * 1.5 : undefined;
      const durationMs = 300 + r() ** 2 * 8000;
      let costIn: number | undefined;
      let costOut: number | undefined;
      if (!failed && !unknown) {
        costIn = (input * m[2]) / 1e6;
        costOut = (output * m[3]) / 1e6;
      }
      const cost = costIn === undefined ? undefined : costIn + costOut!;
      const responseModel = unknown || failed ? undefined : `${model}-2025`;
      out.push({
        ...span(`chat ${model}`, KIND_CLIENT, spanId(1), i, startMs, durationMs),
        statusCode: failed ? STATUS_ERROR : STATUS_OK,
        statusMessage: failed ? 'Rate limit reached' : '',
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': provider,
          'gen_ai.request.model': model,
          'gen_ai.usage.input_tokens': input,
          'gen_ai.usage.output_tokens': output,
          'tokentrace.property.feature': properties.feature,
        },
        genAi: {
          provider,
          operation: 'chat',
          requestModel: model,
          responseModel,
          ...(failed ? {} : { inputTokens: input, outputTokens: output, cacheReadInputTokens: cacheRead, cacheCreationInputTokens: 0, reasoningOutputTokens: reasoning, timeToFirstChunk: ttft }),
          userId,
          promptId: `prompt-${user % 10}`,
          errorType: failed ? 'rate_limit' : undefined,
          properties,
          isModelCall: true,
        },
        cost:
          cost === undefined
            ? { status: failed ? 'no_usage' : 'unknown_model' }
            : { inputUsd: costIn, outputUsd: costOut, cacheReadUsd: 0, cacheWriteUsd: 0, totalUsd: cost, status: 'priced', pricedModel: `${provider}:${model}` },
      });
      for (const [days, e] of this.expected) {
        if (startMs >= endMs - days * DAY_MS && startMs < endMs) {
          e.requests++;
          e.costUsd += cost ?? 0;
        }
      }
    }
    const every = Math.max(20, Math.floor(this.traces / 7));
    if (t % every === 3 && this.sampleTraces.length < 7) this.sampleTraces.push(traceId);
    if (t % every === 10 && this.sampleSessions.length < 7) this.sampleSessions.push(sessionId);
  }
}
