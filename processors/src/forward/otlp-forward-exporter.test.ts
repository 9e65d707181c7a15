import { OtlpReceiver } from '@tokentrace/test';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isPermanent } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { OtlpForwardExporter } from './otlp-forward-exporter.js';

const span: SpanRecord = {
  projectId: 'p1',
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  parentSpanId: '00f067aa0ba902b7',
  name: 'chat gpt-4o-mini',
  kind: 3,
  startTimeUnixNano: 1_700_000_000_123_456_789n,
  endTimeUnixNano: 1_700_000_001_000_000_000n,
  statusCode: 2,
  statusMessage: 'Slow down',
  attributes: { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 120, 'gen_ai.request.temperature': 0.2, 'gen_ai.response.finish_reasons': ['stop'], big: 9007199254740993n },
  resourceAttributes: { 'service.name': 'svc' },
  scopeName: '@tokentrace/instrumentation',
  scopeVersion: '0.1.0',
  events: [{ name: 'exception', timeUnixNano: 1_700_000_000_500_000_000n, attributes: { 'exception.message': 'x' } }],
};

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await OtlpReceiver.start();
});
afterAll(() => receiver.close());
beforeEach(() => receiver.reset());

describe('OtlpForwardExporter', () => {
  it('re-exports spans as OTLP/JSON with the enrichment added', async () => {
    const exporter = new OtlpForwardExporter({ endpoint: receiver.url, extraAttributes: () => ({ 'tokentrace.cost.total_usd': 0.0123 }) });
    await exporter.consume([span]);
    const [received] = await receiver.waitForSpans(1);
    expect(received).toMatchObject({
      traceId: span.traceId,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      name: span.name,
      kind: 'client',
      startTimeUnixNano: '1700000000123456789',
      status: { code: 2, message: 'Slow down' },
      resource: { 'service.name': 'svc' },
      scopeName: '@tokentrace/instrumentation',
    });
    expect(received.attributes).toMatchObject({
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.finish_reasons': ['stop'],
      'tokentrace.cost.total_usd': 0.0123,
    });
  });

  it('marks 4xx answers permanent and 503 retryable', async () => {
    const exporter = new OtlpForwardExporter({ endpoint: receiver.url });
    receiver.failNext(503);
    const retryable = await exporter.consume([span]).catch((e: unknown) => e);
    expect(retryable).toBeInstanceOf(Error);
    expect(isPermanent(retryable)).toBe(false);
    receiver.failNext(400);
    expect(isPermanent(await exporter.consume([span]).catch((e: unknown) => e))).toBe(true);
  });
});
