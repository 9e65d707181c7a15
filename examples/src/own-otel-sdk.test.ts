/**
 * examples/own-otel-sdk: an app with its own OpenTelemetry SDK (loaded first with --import) and
 * tokentrace loaded after it. tokentrace must join the app's tracer provider: its LLM spans are
 * children of the app's own spans and leave through the app's exporter, exactly once, and nothing
 * goes to the endpoint tokentrace's own SDK would have used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '@tokentrace/test';
import { runExample } from '../shared/run-example.js';
import { ancestry, llmCalls } from './span-queries.js';

let tokentraceDefault: OtlpReceiver;
let backend: OtlpReceiver;
beforeAll(async () => {
  [tokentraceDefault, backend] = await Promise.all([startOtlpReceiver(), startOtlpReceiver()]);
});
afterAll(async () => Promise.all([tokentraceDefault.close(), backend.close()]));

describe('examples/own-otel-sdk', () => {
  it("joins the app's own SDK: LLM spans under the app's spans, exported once by the app's exporter", async () => {
    const run = await runExample('own-otel-sdk', {
      otlpEndpoint: tokentraceDefault.url,
      providers: 'emulator',
      env: { OTLP_BACKEND_URL: backend.url },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.unusedReplies).toBe(0);
    expect(run.command).toBe('node --import ./tracing.js --import @tokentrace/instrumentation/register app.js');
    expect(run.stdout).toContain('POST /tickets/T-1002/summary → 200: Globex was billed');

    const spans = backend.spans;
    const calls = llmCalls(spans);
    expect(calls.map((c) => c.name)).toEqual(['chat gpt-4o-mini', 'chat gpt-4o-mini']);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
    for (const call of calls) {
      // server span (the app's HTTP instrumentation) → summarize-ticket (the app's code) → the LLM call
      const chain = ancestry(spans, call);
      expect(chain).toHaveLength(3);
      expect(chain.slice(1)).toEqual(['summarize-ticket', 'chat gpt-4o-mini']);
      const root = spans.find((s) => s.traceId === call.traceId && !s.parentSpanId);
      expect(root).toMatchObject({ name: chain[0], kind: 'server', scopeName: '@opentelemetry/instrumentation-http' });
      expect(call.scopeName).toBe('@tokentrace/instrumentation');
      expect(call.resource['service.name']).toBe('helpdesk-api');
      expect(call.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'tokentrace.property.feature': 'ticket-summary' });
    }
    expect(new Set(calls.map((c) => c.attributes['user.id']))).toEqual(new Set(['acme-corp', 'globex']));
    expect(new Set(calls.map((c) => c.traceId)).size).toBe(2);
    // tokentrace's GenAI metrics are recorded through the app's meter provider, to the app's backend.
    const tokenUsage = backend.dataPoints.filter((p) => p.name === 'gen_ai.client.token.usage');
    expect(tokenUsage.length).toBeGreaterThan(0);
    expect(tokenUsage[0].resource['service.name']).toBe('helpdesk-api');
    // tokentrace started no SDK of its own: nothing (traces, metrics, logs) went to its endpoint.
    expect(tokentraceDefault.exports).toHaveLength(0);
  });
});
