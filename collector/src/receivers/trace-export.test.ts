import { BackpressureError, type SpanConsumer, type SpanRecord } from '@tokentrace/processors';
import { describe, expect, it } from 'vitest';
import { rawSpan, requestWith, toProtobuf } from './testing/otlp-bodies.js';
import { exportTraces } from './trace-export.js';
import type { TraceJournal } from './types.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

describe('exportTraces with a journal (issue 11: answered only once written ahead)', () => {
  it('logs the body as received after the pipeline took its spans, before resolving', async () => {
    const events: string[] = [];
    const consumer: SpanConsumer = { consume: async (spans: SpanRecord[]) => void events.push(`consume ${spans.length}`) };
    const journal: TraceJournal = { record: async (body, encoding, projectId) => void events.push(`record ${body.byteLength} ${encoding} ${projectId}`) };
    const body = toProtobuf(requestWith([rawSpan(TRACE, 'b7ad6b7169203331', 'a'), rawSpan(TRACE, 'b7ad6b7169203332', 'b')]));
    const result = await exportTraces(consumer, body, 'protobuf', 'proj', undefined, journal);
    expect(result.acceptedSpans).toBe(2);
    expect(events).toEqual(['consume 2', `record ${body.byteLength} protobuf proj`]);
  });

  it('answers 503 when the journal cannot write, 429 when the pipeline is full (nothing logged), and logs nothing for a request with no valid span', async () => {
    const recorded: Uint8Array[] = [];
    const journal: TraceJournal = { record: async (body) => void recorded.push(body) };
    const body = toProtobuf(requestWith([rawSpan(TRACE, 'b7ad6b7169203331', 'a')]));
    const ok: SpanConsumer = { consume: async () => undefined };
    const failing: TraceJournal = { record: async () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })) };
    await expect(exportTraces(ok, body, 'protobuf', 'p', undefined, failing)).rejects.toMatchObject({ kind: 'unavailable' });
    const full: SpanConsumer = { consume: async () => Promise.reject(new BackpressureError('full', 1)) };
    await expect(exportTraces(full, body, 'protobuf', 'p', undefined, journal)).rejects.toMatchObject({ kind: 'throttled' });
    const invalid = toProtobuf(requestWith([rawSpan(TRACE, '00', 'bad id')]));
    expect((await exportTraces(ok, invalid, 'protobuf', 'p', undefined, journal)).rejectedSpans).toBe(1);
    expect(recorded).toEqual([]);
  });
});
