/**
 * npm run bench:wal — what the collector's write-ahead log (issue 11) costs per request, next to
 * what the collector spends on the same request anyway: OTLP/HTTP protobuf requests of 1000 GenAI
 * spans (the SDK serializer's bytes), each decoded into SpanRecords, and appended to a log in a
 * temporary directory with `sync: 'none'` (page cache: survives the process being killed) and
 * `sync: 'always'` (fdatasync: survives power loss), one append at a time (one sender) and 4 at a
 * time (group commit). Prints medians in microseconds per request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { encodeRequestRecord, inlineSpanDecoder, WriteAheadLog, type WalSync } from '@tokentrace/collector';
import { makeGenAiSpans } from './genai-span-factory.js';
import { median } from './stats.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100);
const SPANS_PER_REQUEST = 1000;

function requests(): Uint8Array[] {
  const spans = makeGenAiSpans(REQUESTS * SPANS_PER_REQUEST);
  const out: Uint8Array[] = [];
  for (let i = 0; i < spans.length; i += SPANS_PER_REQUEST) out.push(ProtobufTraceSerializer.serializeRequest(spans.slice(i, i + SPANS_PER_REQUEST))!);
  return out;
}

async function appendCost(bodies: Uint8Array[], sync: WalSync, concurrency: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tt-bench-wal-'));
  const wal = new WriteAheadLog({ directory: dir, sync });
  await wal.open();
  const times: number[] = [];
  let next = 0;
  const sender = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const t0 = performance.now();
      const ticket = await wal.append(encodeRequestRecord({ body, encoding: 'protobuf', projectId: 'bench' }));
      times.push((performance.now() - t0) * 1000);
      wal.done(ticket);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  await wal.close();
  rmSync(dir, { recursive: true, force: true });
  return median(times);
}

async function main(): Promise<void> {
  const bodies = requests();
  const bytes = median(bodies.map((b) => b.byteLength));
  const decode: number[] = [];
  for (const body of bodies) {
    const t0 = performance.now();
    await inlineSpanDecoder.decode(body, 'protobuf', 'bench'); // what the collector's receivers run
    decode.push((performance.now() - t0) * 1000);
  }
  console.log(`requests=${bodies.length} spans_per_request=${SPANS_PER_REQUEST} body_bytes_median=${bytes}`);
  console.log(`decode_us_per_request=${median(decode).toFixed(0)}`);
  for (const sync of ['none', 'always'] as const) {
    for (const concurrency of [1, 4]) {
      await appendCost(bodies, sync, 1); // warm-up
      console.log(`wal_append_us_per_request sync=${sync} concurrency=${concurrency} ${(await appendCost(bodies, sync, concurrency)).toFixed(0)}`);
    }
  }
}

await main();
