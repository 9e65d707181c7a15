import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeTraceRequest, toSpanRecords } from '@tokentrace/collector';
import { createNormalizeProcessor, createPricingProcessor, createSessionProcessor, encodeSpansOnArrival, spanRowBinaryBody } from '@tokentrace/processors';
import { makeGenAiSpans } from './genai-span-factory.js';
const spans = makeGenAiSpans(20000);
const bodies: Uint8Array[] = [];
for (let i = 0; i < spans.length; i += 1000) bodies.push(ProtobufTraceSerializer.serializeRequest(spans.slice(i, i + 1000))!);
const processors = [createNormalizeProcessor(), createPricingProcessor(), createSessionProcessor()];
const t = { decode: 0, records: 0, procs: [0, 0, 0], encode: 0 };
for (let rep = 0; rep < 8; rep++) {
  for (const body of bodies) {
    let a = performance.now();
    const req = decodeTraceRequest(body, 'protobuf');
    let b = performance.now(); t.decode += b - a; a = b;
    let records = toSpanRecords(req, 'bench').spans;
    b = performance.now(); t.records += b - a; a = b;
    processors.forEach((p, i) => { records = p.process(records) as typeof records; b = performance.now(); t.procs[i] += b - a; a = b; });
    encodeSpansOnArrival(records);
    b = performance.now(); t.encode += b - a;
  }
}
const n = 8 * 20000 / 1000;
console.log(`µs/span decode ${(t.decode / n).toFixed(2)} records ${(t.records / n).toFixed(2)} normalize ${(t.procs[0] / n).toFixed(2)} pricing ${(t.procs[1] / n).toFixed(2)} session ${(t.procs[2] / n).toFixed(2)} encode ${(t.encode / n).toFixed(2)}`);
{
  const reqs = bodies.slice(0, 10).map((body) => {
    let records = toSpanRecords(decodeTraceRequest(body, 'protobuf'), 'bench').spans;
    for (const p of processors) records = p.process(records) as typeof records;
    return encodeSpansOnArrival(records);
  });
  const batch = reqs.flat();
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const body = spanRowBinaryBody(batch, 123);
    console.log(`batch body ${batch.length} spans ${body.length} bytes: ${((performance.now() - t0) * 1000 / batch.length).toFixed(3)} µs/span`);
  }
}
