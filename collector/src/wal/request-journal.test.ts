import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReceiverFailure } from '../receivers/receiver-failure.js';
import { RequestJournal, type DeliveryMarks } from './request-journal.js';
import type { RequestRecord } from './request-record.js';
import { WriteAheadLog } from './write-ahead-log.js';

/** Delivery marks moved by hand, like the BatchProcessor's. */
class Marks implements DeliveryMarks {
  received = 0;
  private delivered = 0;
  private waiters: { mark: number; resolve: () => void }[] = [];
  whenDelivered(mark: number): Promise<void> {
    if (mark <= this.delivered) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ mark, resolve }));
  }
  deliver(upTo: number): void {
    this.delivered = upTo;
    for (const w of this.waiters.filter((w) => w.mark <= upTo)) w.resolve();
    this.waiters = this.waiters.filter((w) => w.mark > upTo);
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('RequestJournal', () => {
  it('keeps a request until the batch delivered every span taken before it was logged, then replays what is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-journal-'));
    const wal = new WriteAheadLog({ directory: dir });
    await wal.open();
    const marks = new Marks();
    const journal = new RequestJournal(wal, marks, () => undefined);
    marks.received = 3; // request A's 3 spans were taken
    await journal.record(Buffer.from('body-a'), 'protobuf', 'p1');
    marks.received = 5; // request B's 2 spans
    await journal.record(Buffer.from('{"b":1}'), 'json', 'p2');
    marks.deliver(4); // A's spans are all out, B's not yet
    await flush();
    expect(wal.stats().pendingRecords).toBe(1);
    await wal.close();

    const again = new WriteAheadLog({ directory: dir });
    const { records } = await again.open();
    const seen: RequestRecord[] = [];
    const marks2 = new Marks();
    let throttledOnce = false;
    const result = await new RequestJournal(again, marks2, () => undefined).replay(records, async (r) => {
      if (!throttledOnce) {
        throttledOnce = true; // the pipeline is full: the same record is offered again
        throw new ReceiverFailure('throttled', 'full');
      }
      seen.push({ ...r, body: Buffer.from(r.body) });
      marks2.received += 2;
    }, 0);
    // A shares B's segment, which is kept whole: A comes back too (a duplicate the table removes).
    expect(result).toEqual({ requests: 2, unreadable: 0 });
    expect(seen).toEqual([
      { encoding: 'protobuf', projectId: 'p1', body: Buffer.from('body-a') },
      { encoding: 'json', projectId: 'p2', body: Buffer.from('{"b":1}') },
    ]);
    expect(again.stats().pendingRecords).toBe(2);
    marks2.deliver(2);
    await flush();
    await again.settled();
    expect(again.stats()).toEqual({ pendingRecords: 1, segments: 1 });
    marks2.deliver(4);
    await flush();
    await again.settled();
    expect(again.stats()).toEqual({ pendingRecords: 0, segments: 0 });
    await again.close();
  });
});
