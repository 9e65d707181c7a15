import { describe, expect, it } from 'vitest';
import { DataError, isDataError, isPermanent, PermanentError, type SpanConsumer } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { IsolatingConsumer, IsolationStoppedError, type IsolationResult } from './isolating-consumer.js';
import { SpansRefusedError } from './spans-refused-error.js';

function spans(count: number): SpanRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    projectId: 'p', traceId: 'a'.repeat(32), spanId: i.toString(16).padStart(16, '0'), parentSpanId: '', name: `s${i}`, kind: 1,
    startTimeUnixNano: 1n, endTimeUnixNano: 2n, statusCode: 0, statusMessage: '', attributes: {}, resourceAttributes: {}, scopeName: '', scopeVersion: '', events: [],
  }));
}

/** A store that refuses, like ClickHouse, any insert holding a bad span, naming the first one; it can fail otherwise on a given call. */
class Store implements SpanConsumer {
  readonly stored: string[] = [];
  calls = 0;
  failOnCall?: { call: number; error: unknown };
  constructor(readonly bad: Set<string>) {}
  async consume(batch: SpanRecord[]): Promise<void> {
    this.calls++;
    if (this.failOnCall?.call === this.calls) throw this.failOnCall.error;
    const first = batch.find((s) => this.bad.has(s.name));
    if (first) throw new DataError(`Code: 25, cannot parse row of ${first.name}`);
    this.stored.push(...batch.map((s) => s.name));
  }
}

async function refusal(consumer: IsolatingConsumer, batch: SpanRecord[]): Promise<SpansRefusedError> {
  const err = await consumer.consume(batch).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SpansRefusedError);
  return err as SpansRefusedError;
}

describe('IsolatingConsumer', () => {
  it('passes a batch the store takes straight through, in one delivery', async () => {
    const store = new Store(new Set());
    await new IsolatingConsumer(store).consume(spans(10));
    expect(store.calls).toBe(1);
    expect(store.stored).toHaveLength(10);
  });

  it('1 bad span in 1000: 999 stored in order, the one refused with the reason of its own delivery', async () => {
    const store = new Store(new Set(['s537']));
    const results: IsolationResult[] = [];
    const batch = spans(1000);
    const err = await refusal(new IsolatingConsumer(store, { onIsolated: (r) => results.push(r) }), batch);
    expect(err.refused.map((r) => r.span)).toEqual([batch[537]]);
    expect(err.refused[0].reason).toBe('Code: 25, cannot parse row of s537');
    expect(err.total).toBe(1000);
    expect(err.code).toBe('TOKENTRACE_SPANS_REFUSED');
    expect(isDataError(err) && isPermanent(err)).toBe(true);
    expect(store.stored).toEqual(batch.filter((_, i) => i !== 537).map((s) => s.name));
    // About 1.5·log2(1000) deliveries, nowhere near one per span.
    expect(store.calls).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1000)) + 1);
    expect(results).toEqual([{ spans: 1000, refused: 1, deliveries: store.calls }]);
  });

  it('several bad spans spread over the batch: each found, everything else stored in order', async () => {
    const badIndexes = [0, 1, 250, 251, 600, 999];
    const store = new Store(new Set(badIndexes.map((i) => `s${i}`)));
    const batch = spans(1000);
    const err = await refusal(new IsolatingConsumer(store), batch);
    expect(err.refused.map((r) => r.span.name)).toEqual(badIndexes.map((i) => `s${i}`));
    expect(err.refused.map((r) => r.reason)).toEqual(badIndexes.map((i) => `Code: 25, cannot parse row of s${i}`));
    expect(store.stored).toEqual(batch.filter((_, i) => !badIndexes.includes(i)).map((s) => s.name));
    expect(err.message).toMatch(/^6 of 1000 spans refused as bad data \(first: Code: 25, cannot parse row of s0\)$/);
  });

  it('all spans bad: all refused, nothing stored, at most 2n − 1 deliveries', async () => {
    const batch = spans(37);
    const store = new Store(new Set(batch.map((s) => s.name)));
    const err = await refusal(new IsolatingConsumer(store), batch);
    expect(err.refused.map((r) => r.span)).toEqual(batch);
    expect(store.stored).toEqual([]);
    expect(store.calls).toBeLessThanOrEqual(2 * 37 - 1);
  });

  it('a single span refused: a refused list of one', async () => {
    const store = new Store(new Set(['s0']));
    const err = await refusal(new IsolatingConsumer(store), spans(1));
    expect(err.refused).toHaveLength(1);
    expect(store.calls).toBe(1);
  });

  it('passes on a transient error met during the search as it is (the spool keeps the whole batch)', async () => {
    const store = new Store(new Set(['s900']));
    const outage = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    store.failOnCall = { call: 3, error: outage }; // 1: whole batch refused, 2: left half stored, 3: ClickHouse gone
    const err = await new IsolatingConsumer(store).consume(spans(1000)).catch((e: unknown) => e);
    expect(err).toBe(outage);
    expect(store.stored).toHaveLength(500); // stored before the outage: inserted again on replay, de-duplicated by the table
  });

  it('passes on a PermanentError that is not about data without searching', async () => {
    const store = new Store(new Set());
    const denied = new PermanentError('ACCESS_DENIED');
    store.failOnCall = { call: 1, error: denied };
    await expect(new IsolatingConsumer(store).consume(spans(10))).rejects.toBe(denied);
    expect(store.calls).toBe(1);
  });

  it('a batch refused whole whose parts are all taken is stored and resolves', async () => {
    const store = new Store(new Set());
    store.failOnCall = { call: 1, error: new DataError('too many partitions for one insert') };
    await new IsolatingConsumer(store).consume(spans(8));
    expect(store.stored).toEqual(spans(8).map((s) => s.name));
  });

  it('keeps the spans a nested search already found, and does not search their part again', async () => {
    const inner = new Store(new Set(['s3', 's6']));
    const outer = new IsolatingConsumer(new IsolatingConsumer(inner));
    const err = await refusal(outer, spans(8));
    expect(err.refused.map((r) => r.span.name)).toEqual(['s3', 's6']);
    expect(err.total).toBe(8);
    expect(inner.stored).toEqual(['s0', 's1', 's2', 's4', 's5', 's7']);
  });

  it('stops searching at shutdown with a retryable error, and shuts the store down', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let shutdowns = 0;
    const store = new Store(new Set(['s1']));
    const slow: SpanConsumer & { shutdown(): Promise<void> } = {
      consume: async (batch) => {
        if (store.calls === 1) await gate; // the second delivery (the left half) waits for shutdown
        return store.consume(batch);
      },
      shutdown: async () => void shutdowns++,
    };
    const isolating = new IsolatingConsumer(slow);
    const pending = isolating.consume(spans(4)).catch((e: unknown) => e);
    await isolating.shutdown();
    release();
    const err = await pending;
    expect(err).toBeInstanceOf(IsolationStoppedError);
    expect(isPermanent(err)).toBe(false);
    expect(shutdowns).toBe(1);
  });
});
