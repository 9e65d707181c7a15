/**
 * Makes realistic GenAI spans with a real SDK tracer: agent runs of one workflow span, LLM
 * CLIENT spans with the conventions' attributes (several models and providers, cached tokens,
 * users, sessions, properties) and an HTTP child each. Used by the collector benchmark.
 */
import { SpanKind, context, trace, type Tracer } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_WORKFLOW_NAME,
  ATTR_TOKENTRACE_SESSION_ID,
  ATTR_TOKENTRACE_SESSION_PATH,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_USER_ID,
  propertyAttribute,
} from '@tokentrace/semconv';

const MODELS = [
  ['openai', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18'],
  ['openai', 'gpt-4o', 'gpt-4o-2024-08-06'],
  ['anthropic', 'claude-haiku-4-5', 'claude-haiku-4-5-20251001'],
  ['gcp.gemini', 'gemini-2.5-flash', 'gemini-2.5-flash'],
] as const;

/** `count` spans, in runs of 1 workflow + 4 × (LLM span + HTTP span). */
export function makeGenAiSpans(count: number): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-app', 'deployment.environment.name': 'bench' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    spanLimits: { attributeCountLimit: 128 },
  });
  const tracer = provider.getTracer('@tokentrace/instrumentation', '0.1.0');
  let i = 0;
  while (exporter.getFinishedSpans().length < count) agentRun(tracer, i++);
  return exporter.getFinishedSpans().slice(0, count);
}

function agentRun(tracer: Tracer, run: number): void {
  const workflow = tracer.startSpan('invoke_workflow research', { attributes: { [ATTR_GEN_AI_OPERATION_NAME]: 'invoke_workflow', [ATTR_GEN_AI_WORKFLOW_NAME]: 'research' } });
  const parent = trace.setSpan(context.active(), workflow);
  for (let step = 0; step < 4; step++) {
    const [provider, model, responseModel] = MODELS[(run + step) % MODELS.length];
    const input = 500 + ((run * 37 + step * 101) % 3000);
    const llm = tracer.startSpan(`chat ${model}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
        [ATTR_GEN_AI_PROVIDER_NAME]: provider,
        [ATTR_GEN_AI_REQUEST_MODEL]: model,
        [ATTR_GEN_AI_RESPONSE_MODEL]: responseModel,
        [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: input,
        [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: Math.floor(input / 4),
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 50 + (run % 400),
        [ATTR_USER_ID]: `user-${run % 500}`,
        [ATTR_TOKENTRACE_SESSION_ID]: `session-${Math.floor(run / 3)}`,
        [ATTR_GEN_AI_CONVERSATION_ID]: `session-${Math.floor(run / 3)}`,
        [ATTR_TOKENTRACE_SESSION_PATH]: `/research/step-${step}`,
        [propertyAttribute('feature')]: ['chat', 'search', 'summary'][run % 3],
        [ATTR_SERVER_ADDRESS]: 'api.example.com',
        [ATTR_SERVER_PORT]: 443,
      },
    }, parent);
    const http = tracer.startSpan('POST', { kind: SpanKind.CLIENT, attributes: { [ATTR_HTTP_REQUEST_METHOD]: 'POST', [ATTR_URL_FULL]: 'https://api.example.com/v1/chat/completions', [ATTR_HTTP_RESPONSE_STATUS_CODE]: 200 } }, trace.setSpan(parent, llm));
    http.end();
    llm.end();
  }
  workflow.end();
}
