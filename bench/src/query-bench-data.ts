/**
 * Generates the query benchmark's spans as rows of the `spans` table (TabSeparated, in
 * SPAN_COLUMNS order), batch by batch, so memory stays bounded whatever the span count.
 *
 * Shape (deterministic, seeded): traces of 5–10 spans, a workflow root with an agent under it and
 * model calls (≈75 %) and tool calls under the agent; 20 models over 5 providers priced per
 * token, plus an unknown local model without price (≈3 %); ≈2 % failed calls (no usage, no
 * cost); TTFT on ≈80 % of calls; 1000 users with a skewed share; sessions of 5 traces of one
 * user under 10 session names, each trace one step (`/step-N`); 8 services, 2 environments,
 * 10 prompt ids, two custom properties. Traces start evenly over the time span, in order, as a
 * collector would receive them.
 */
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
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function dateTime(ms: number): { date: string; time: string } {
  const d = new Date(ms);
  const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  return { date, time: `${date} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}` };
}

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

  /** The next batch of about `spans` rows as TabSeparated text, and how many rows it holds. */
  batch(spans: number, version: number): { text: string; rows: number } {
    const lines: string[] = [];
    while (lines.length < spans && !this.done) this.trace(this.nextTrace++, version, lines);
    return { text: lines.join(''), rows: lines.length };
  }

  private trace(t: number, version: number, out: string[]): void {
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
    const feature = FEATURES[user % FEATURES.length];
    const tier = TIERS[user % TIERS.length];
    const traceId = hex(t, 16) + hex(Math.floor(r() * 2 ** 32), 8) + hex(Math.floor(r() * 2 ** 32), 8);
    const spanCount = 5 + Math.floor(r() * 6);
    const spanId = (i: number) => hex(t, 12) + hex(i, 4);
    const common = (name: string, kind: string, parent: string, i: number, startMs: number, durationMs: number) => {
      const { date, time } = dateTime(startMs);
      const startNs = BigInt(Math.floor(startMs)) * 1_000_000n + BigInt(i);
      return [project, date, time, startNs.toString(), String(Math.round(durationMs * 1e6)), traceId, spanId(i), parent, service, environment, name, kind];
    };
    const sessionCols = [sessionId, sessionName, path, '/', '1'];
    const tail = (attributes: string) => [attributes.replace(/\\/g, '\\\\'), `{"service.name":"${service}","deployment.environment.name":"${environment}"}`, '[]', String(version)];
    const props = `['feature','tier']\t['${feature}','${tier}']`;
    // Root workflow and agent cover the whole trace.
    out.push([...common(`invoke_workflow ${sessionName}`, 'internal', '', 0, traceStart, 12_000), 'ok', '', '@tokentrace/instrumentation', '0.1.0', '0', '', 'invoke_workflow', '', '',
      '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', 'not_a_model_call', '', '\\N', `user-${user}`, ...sessionCols, '', '', props,
      ...tail(`{"gen_ai.operation.name":"invoke_workflow","gen_ai.workflow.name":"${sessionName}"}`)].join('\t') + '\n');
    out.push([...common('invoke_agent planner', 'internal', spanId(0), 1, traceStart + 5, 11_900), 'ok', '', '@tokentrace/instrumentation', '0.1.0', '0', '', 'invoke_agent', '', '',
      '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', 'not_a_model_call', '', '\\N', `user-${user}`, ...sessionCols, '', '', props,
      ...tail('{"gen_ai.operation.name":"invoke_agent","gen_ai.agent.name":"planner"}')].join('\t') + '\n');
    for (let i = 2; i < spanCount; i++) {
      const startMs = traceStart + 10 + (i - 2) * 1500 + r() * 500;
      if (r() < 0.25) {
        out.push([...common('execute_tool web_search', 'internal', spanId(1), i, startMs, 50 + r() * 1500), 'ok', '', '@tokentrace/instrumentation', '0.1.0', '0', '', 'execute_tool', '', '',
          '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', 'not_a_model_call', '', '\\N', `user-${user}`, ...sessionCols, '', '', props,
          ...tail('{"gen_ai.operation.name":"execute_tool","gen_ai.tool.name":"web_search"}')].join('\t') + '\n');
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
      const n = (v: number | undefined) => (v === undefined ? '\\N' : String(v));
      const responseModel = unknown || failed ? '' : `${model}-2025`;
      out.push([...common(`chat ${model}`, 'client', spanId(1), i, startMs, durationMs), failed ? 'error' : 'ok', failed ? 'Rate limit reached' : '', '@tokentrace/instrumentation', '0.1.0', '1',
        provider, 'chat', model, responseModel,
        n(failed ? undefined : input), n(failed ? undefined : output), n(failed ? undefined : cacheRead), n(failed ? undefined : 0), n(failed ? undefined : reasoning),
        n(costIn), n(costOut), n(cost === undefined ? undefined : 0), n(cost === undefined ? undefined : 0), n(cost),
        failed ? 'no_usage' : unknown ? 'unknown_model' : 'priced', cost === undefined ? '' : `${provider}:${model}`, n(failed ? undefined : ttft),
        `user-${user}`, ...sessionCols, `prompt-${user % 10}`, failed ? 'rate_limit' : '', props,
        ...tail(`{"gen_ai.operation.name":"chat","gen_ai.provider.name":"${provider}","gen_ai.request.model":"${model}","gen_ai.usage.input_tokens":${input},"gen_ai.usage.output_tokens":${output},"tokentrace.property.feature":"${feature}"}`)].join('\t') + '\n');
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
