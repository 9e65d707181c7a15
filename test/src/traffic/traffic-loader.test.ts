// loadTraffic over OTLP/JSON: every generated span reaches a real OTLP/HTTP receiver with the
// attributes a collector derives GenAI fields, cost and session from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../otlp-receiver.js';
import { loadTraffic, TrafficGenerator } from './index.js';

describe('loadTraffic to an OTLP endpoint', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('sends every span as OTLP/JSON, in batches', async () => {
    const expected = new TrafficGenerator({ days: 1, requestsPerHour: 40 }).all();
    const result = await loadTraffic({ url: receiver.url }, new TrafficGenerator({ days: 1, requestsPerHour: 40 }), { batchSpans: 500 });
    expect(result.spans).toBe(expected.length);
    expect(receiver.spans).toHaveLength(expected.length);
    expect(receiver.exports.length).toBe(Math.ceil(expected.length / 500));
    const call = receiver.spans.find((s) => s.name.startsWith('chat ') && s.status.code === 1)!;
    const source = expected.find((s) => s.spanId === call.spanId)!;
    expect(call.attributes['gen_ai.usage.input_tokens']).toBe(source.genAi!.inputTokens);
    expect(call.attributes['tokentrace.prompt.id']).toBe(source.genAi!.promptId);
    expect(call.attributes['tokentrace.property.Feature']).toBe(source.genAi!.properties.feature);
    expect(call.attributes['user.id']).toBe(source.genAi!.userId);
    expect(call.resource['service.name']).toBeTypeOf('string');
  });
});
