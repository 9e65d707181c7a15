/** Small queries over the spans an example exported, shared by the example tests. */
import type { ReceivedSpan } from '@tokentrace/test';

/** The LLM calls: client spans carrying a GenAI operation (agent, workflow and tool spans are internal). */
export function llmCalls(spans: readonly ReceivedSpan[]): ReceivedSpan[] {
  return spans.filter((s) => s.kind === 'client' && s.attributes['gen_ai.operation.name'] !== undefined);
}

export function childrenOf(spans: readonly ReceivedSpan[], parent: ReceivedSpan): ReceivedSpan[] {
  return byStart(spans.filter((s) => s.parentSpanId === parent.spanId));
}

export function byStart(spans: readonly ReceivedSpan[]): ReceivedSpan[] {
  return [...spans].sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
}

/** The names from the root down to `span`, following parentSpanId. */
export function ancestry(spans: readonly ReceivedSpan[], span: ReceivedSpan): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const names = [span.name];
  for (let p = byId.get(span.parentSpanId ?? ''); p; p = byId.get(p.parentSpanId ?? '')) names.unshift(p.name);
  return names;
}

export const startNs = (s: ReceivedSpan): bigint => BigInt(s.startTimeUnixNano);
export const endNs = (s: ReceivedSpan): bigint => BigInt(s.endTimeUnixNano);
