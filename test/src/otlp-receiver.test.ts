// The OTLP receiver fed with hand-built OTLP/JSON export requests (hex ids, AnyValue attributes,
// int64 as strings), gzip, protobuf (recorded raw), scripted failures and waiting.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.js';

let receiver: OtlpReceiver;

beforeAll(async () => { receiver = await startOtlpReceiver(); });
afterAll(async () => { await receiver.close(); });
beforeEach(() => receiver.reset());

const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'demo-app' } }] };

function traceRequest(name: string, parentSpanId = ''): unknown {
  return {
    resourceSpans: [{
      resource,
      scopeSpans: [{
        scope: { name: '@tokentrace/instrumentation', version: '0.1.0' },
        spans: [{
          traceId: '5b8efff798038103d269b633813fc60c',
          spanId: 'eee19b7ec3c1b174',
          parentSpanId,
          name,
          kind: 3,
          startTimeUnixNano: '1544712660000000000',
          endTimeUnixNano: '1544712661000000000',
          attributes: [
            { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
            { key: 'gen_ai.usage.input_tokens', value: { intValue: '120' } },
            { key: 'gen_ai.request.temperature', value: { doubleValue: 0.2 } },
            { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [{ stringValue: 'stop' }] } } },
            { key: 'tokentrace.streamed', value: { boolValue: true } },
          ],
          events: [{ name: 'gen_ai.content.prompt', timeUnixNano: '1544712660500000000', attributes: [] }],
          status: { code: 2, message: 'rate limited' },
        }],
      }],
    }],
  };
}

const metricsRequest = {
  resourceMetrics: [{
    resource,
    scopeMetrics: [{
      scope: { name: '@tokentrace/instrumentation' },
      metrics: [
        {
          name: 'gen_ai.client.token.usage', unit: '{token}', description: 'tokens used',
          histogram: {
            aggregationTemporality: 2,
            dataPoints: [{
              attributes: [{ key: 'gen_ai.token.type', value: { stringValue: 'input' } }],
              startTimeUnixNano: '1', timeUnixNano: '2', count: '2', sum: 150, min: 30, max: 120,
              bucketCounts: ['0', '1', '1'], explicitBounds: [1, 64],
            }],
          },
        },
        { name: 'tokentrace.requests', unit: '{request}', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ asInt: '3', timeUnixNano: '2' }] } },
        { name: 'tokentrace.queue.size', unit: '1', gauge: { dataPoints: [{ asDouble: 0.5, timeUnixNano: '2' }] } },
      ],
    }],
  }],
};

function post(path: string, body: string | Uint8Array, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Response> {
  return fetch(`${receiver.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
}

it('flattens OTLP/JSON spans and answers 200 {}', async () => {
  const res = await post('/v1/traces', JSON.stringify(traceRequest('chat gpt-4o-mini')));
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('{}');
  const [span] = await receiver.waitForSpans(1);
  expect(span).toEqual({
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    parentSpanId: undefined,
    name: 'chat gpt-4o-mini',
    kind: 'client',
    startTimeUnixNano: '1544712660000000000',
    endTimeUnixNano: '1544712661000000000',
    status: { code: 2, message: 'rate limited' },
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.finish_reasons': ['stop'],
      'tokentrace.streamed': true,
    },
    events: [{ name: 'gen_ai.content.prompt', timeUnixNano: '1544712660500000000', attributes: {} }],
    resource: { 'service.name': 'demo-app' },
    scopeName: '@tokentrace/instrumentation',
    scopeVersion: '0.1.0',
  });
});

it('waits for a span matching a predicate, and accepts gzip bodies', async () => {
  const waiting = receiver.waitForSpans((s) => s.name === 'late', 2_000);
  await post('/v1/traces', JSON.stringify(traceRequest('early')));
  await post('/v1/traces', gzipSync(JSON.stringify(traceRequest('late', '00f067aa0ba902b7'))),
    { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  const [late] = await waiting;
  expect(late.parentSpanId).toBe('00f067aa0ba902b7');
  expect(receiver.spans.map((s) => s.name)).toEqual(['early', 'late']);
  await expect(receiver.waitForSpans((s) => s.name === 'never', 50)).rejects.toThrow(/got 2: \[early, late\]/);
});

it('flattens histogram, sum and gauge data points', async () => {
  await post('/v1/metrics', JSON.stringify(metricsRequest));
  const points = await receiver.waitForDataPoints(3);
  expect(points[0]).toMatchObject({
    name: 'gen_ai.client.token.usage', unit: '{token}', type: 'histogram', aggregationTemporality: 'cumulative',
    attributes: { 'gen_ai.token.type': 'input' }, resource: { 'service.name': 'demo-app' },
    count: 2, sum: 150, min: 30, max: 120, bucketCounts: [0, 1, 1], explicitBounds: [1, 64],
  });
  expect(points[1]).toMatchObject({ name: 'tokentrace.requests', type: 'sum', value: 3, isMonotonic: true, aggregationTemporality: 'delta' });
  expect(points[2]).toMatchObject({ name: 'tokentrace.queue.size', type: 'gauge', value: 0.5 });
});

it('records protobuf bodies raw (not decoded) and answers an empty protobuf message', async () => {
  const res = await post('/v1/traces', Buffer.from([0x0a, 0x00]), { 'content-type': 'application/x-protobuf' });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/x-protobuf');
  expect((await res.arrayBuffer()).byteLength).toBe(0);
  expect(receiver.exports[0]).toMatchObject({ signal: 'traces', contentType: 'application/x-protobuf', decoded: false });
  expect([...receiver.exports[0].body]).toEqual([0x0a, 0x00]);
  expect(receiver.spans).toEqual([]);
});

it('answers scripted failures and rejects what it cannot read', async () => {
  receiver.failNext(503);
  expect((await post('/v1/traces', JSON.stringify(traceRequest('dropped')))).status).toBe(503);
  expect(receiver.spans).toEqual([]);
  expect((await post('/v1/traces', JSON.stringify(traceRequest('kept')))).status).toBe(200);
  expect((await post('/v1/traces', 'not json')).status).toBe(400);
  expect((await post('/v1/traces', '{}', { 'content-type': 'text/plain' })).status).toBe(415);
  expect((await post('/v1/nothing', '{}')).status).toBe(404);
  expect(receiver.env()).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
});
