/**
 * The worker thread behind WorkerSpanDecoder: decodes request bodies into SpanRecords and posts
 * them back (structured clone keeps bigint timestamps and nested attribute values as they are).
 * A body that does not decode is answered with the decoder's message, not a crash.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createInlineSpanDecoder } from './span-decoder.js';
import type { SpanLimits } from './span-limits.js';
import { OtlpDecodeError } from './trace-codec.js';
import type { DecodeReply, DecodeRequest } from './worker-span-decoder.js';

const port = parentPort;
if (!port) throw new Error('span-decoder-worker must run as a worker thread');

const decoder = createInlineSpanDecoder(workerData as SpanLimits);

port.on('message', (request: DecodeRequest) => {
  decoder.decode(request.body, request.encoding, request.projectId).then(
    (conversion) => port.postMessage({ id: request.id, conversion } satisfies DecodeReply),
    (err: Error) => port.postMessage({ id: request.id, error: { decode: err instanceof OtlpDecodeError, message: err.message } } satisfies DecodeReply),
  );
});
