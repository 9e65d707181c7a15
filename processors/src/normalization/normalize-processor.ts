/**
 * The first processor of the pipeline: fills `span.genAi` on every span, so that spans from
 * OpenLLMetry, OpenInference or the Vercel AI SDK land in the same columns as ours, and so that
 * pricing and session derivation read one shape. Spans without GenAI facts get
 * `{ isModelCall: false, properties: {} }`: the exporters never need to test for absence.
 */
import type { SpanProcessor } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { normalizeSpan } from './normalize-span.js';

export class NormalizeProcessor implements SpanProcessor {
  readonly name = 'normalize';

  process(spans: SpanRecord[]): SpanRecord[] {
    for (const span of spans) span.genAi = normalizeSpan(span);
    return spans;
  }
}

export function createNormalizeProcessor(): NormalizeProcessor {
  return new NormalizeProcessor();
}
