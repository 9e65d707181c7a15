/**
 * Model calls for alert tests, built by the known dataset's span factory (the records the
 * processors leave) and stored through the real exporter: one call per spec, with its cost,
 * tokens, latency, user, model and properties.
 */
import type { SpanRecord } from '@tokentrace/processors';
import { spanRecord } from '../../queries/testing/known-spans.js';

export interface CallSpec {
  project: string;
  startMs: number;
  costUsd?: number;
  user?: string;
  model?: string;
  error?: boolean;
  durationMs?: number;
  inputTokens?: number;
  outputTokens?: number;
  properties?: Record<string, string>;
}

let sequence = 0;

export function modelCall(c: CallSpec): SpanRecord {
  const n = ++sequence;
  const hex = n.toString(16).padStart(16, '0');
  return spanRecord({
    project: c.project,
    traceId: `a1e7${hex}${'0'.repeat(12)}`,
    spanId: hex,
    name: `chat ${c.model ?? 'gpt-4o-mini'}`,
    startMs: c.startMs,
    durationMs: c.durationMs ?? 100,
    service: 'alerts-test',
    environment: 'production',
    operation: 'chat',
    provider: 'openai',
    requestModel: c.model ?? 'gpt-4o-mini',
    responseModel: c.model ?? 'gpt-4o-mini',
    user: c.user,
    properties: c.properties,
    inputTokens: c.inputTokens ?? 100,
    outputTokens: c.outputTokens ?? 20,
    error: c.error ? { type: '500', message: 'server error' } : undefined,
    cost: { status: 'priced', totalUsd: c.costUsd ?? 0.01, inputUsd: (c.costUsd ?? 0.01) / 2, outputUsd: (c.costUsd ?? 0.01) / 2, pricedModel: `openai:${c.model ?? 'gpt-4o-mini'}` },
  });
}

/** `count` calls spread evenly over [fromMs, toMs). */
export function modelCalls(count: number, fromMs: number, toMs: number, spec: Omit<CallSpec, 'startMs'>): SpanRecord[] {
  return Array.from({ length: count }, (_, i) => modelCall({ ...spec, startMs: fromMs + Math.floor(((toMs - fromMs) * i) / count) }));
}
