import { appendFileSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSegment, WriteAheadLog, type WalTicket } from './write-ahead-log.js';

const text = (b: Buffer) => b.toString('utf8');
const rec = (s: string) => [Buffer.from(s)];

async function opened(dir: string, segmentBytes = 1024 * 1024) {
  const wal = new WriteAheadLog({ directory: dir, segmentBytes });
  return { wal, recovery: await wal.open() };
}

describe('WriteAheadLog', () => {
  it('reads back, in order, the records an earlier process did not mark done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-wal-'));
    const { wal, recovery } = await opened(dir);
    expect(recovery).toEqual({ records: [], tornBytes: 0 });
    const tickets = await Promise.all(['a', 'b', 'c', 'd'].map((s) => wal.append(rec(s))));
    wal.done(tickets[1]!);
    await wal.close(); // b done, but its segment holds a, c, d: it stays whole

    const again = await opened(dir);
    expect(again.recovery.records.map((r) => text(r.payload))).toEqual(['a', 'b', 'c', 'd']);
    // Replayed b again: done with the others.
    for (const r of again.recovery.records) again.wal.done(r.ticket);
    await again.wal.settled();
    expect(readdirSync(dir)).toEqual([]);
    await again.wal.close();
    expect((await opened(dir)).recovery.records).toEqual([]);
  });

  it('deletes a segment only once every record in it is done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-wal-'));
    const { wal } = await opened(dir, 20); // a record is 8 + 8 bytes: one per segment
    const t1 = await wal.append(rec('first-11'));
    const t2 = await wal.append(rec('second-2'));
    const t3 = await wal.append(rec('third-33'));
    expect([t1.segment, t2.segment, t3.segment]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toHaveLength(3);
    wal.done(t2);
    await wal.settled();
    expect(readdirSync(dir).map((n) => Number(n.slice(0, 20)))).toEqual([1, 3]);
    wal.done(t3); // the current segment, idle and done: gone too
    await wal.settled();
    expect(readdirSync(dir).map((n) => Number(n.slice(0, 20)))).toEqual([1]);
    await wal.close();
    expect((await opened(dir)).recovery.records.map((r) => text(r.payload))).toEqual(['first-11']);
  });

  it('keeps a segment while one of several records in it is pending', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-wal-'));
    const { wal } = await opened(dir);
    const tickets: WalTicket[] = [];
    for (const s of ['x', 'y', 'z']) tickets.push(await wal.append(rec(s)));
    expect(new Set(tickets.map((t) => t.segment)).size).toBe(1);
    wal.done(tickets[0]!);
    wal.done(tickets[2]!);
    await wal.settled();
    expect(readdirSync(dir)).toHaveLength(1);
    expect(wal.stats()).toEqual({ pendingRecords: 1, segments: 1 });
    expect(() => {
      wal.done(tickets[1]!);
      wal.done(tickets[1]!);
    }).toThrow(/marked done twice/);
    await wal.settled();
    expect(readdirSync(dir)).toEqual([]);
    await wal.close();
  });

  it('ignores a torn last record (a write the crash cut short) and one whose checksum fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-wal-'));
    const { wal } = await opened(dir);
    for (const s of ['one', 'two', 'three']) await wal.append(rec(s));
    await wal.close();
    const [name] = readdirSync(dir);
    const file = join(dir, name!);
    const whole = readFileSync(file).length;
    truncateSync(file, whole - 2); // "three" cut short
    let again = await opened(dir);
    expect(again.recovery.records.map((r) => text(r.payload))).toEqual(['one', 'two']);
    expect(again.recovery.tornBytes).toBe(8 + 5 - 2);
    // New records go to a new segment, never after the torn tail.
    const t = await again.wal.append(rec('four'));
    expect(t.segment).toBe(2);
    await again.wal.close();
    again = await opened(dir);
    expect(again.recovery.records.map((r) => text(r.payload))).toEqual(['one', 'two', 'four']);
    await again.wal.close();

    // A header whose payload is corrupted stops the reading of that segment.
    const data = Buffer.concat([readFileSync(file).subarray(0, 11)]); // "one" whole (8 + 3)
    const bad = Buffer.alloc(8 + 3);
    bad.writeUInt32LE(3, 0);
    bad.writeUInt32LE(12345, 4);
    bad.write('abc', 8);
    writeFileSync(file, data);
    appendFileSync(file, bad);
    expect(parseSegment(readFileSync(file)).payloads.map(text)).toEqual(['one']);
    expect(parseSegment(readFileSync(file)).tornBytes).toBe(11);
  });

  it('takes concurrent appends with sync always, and refuses appends once closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-wal-'));
    const wal = new WriteAheadLog({ directory: dir, sync: 'always' });
    await wal.open();
    const tickets = await Promise.all(Array.from({ length: 50 }, (_, i) => wal.append(rec(`r${i}`))));
    expect(new Set(tickets.map((t) => t.segment))).toEqual(new Set([1]));
    await wal.close();
    const again = await opened(dir);
    expect(again.recovery.records).toHaveLength(50);
    expect(text(again.recovery.records[49]!.payload)).toBe('r49');
    await again.wal.close();
    await expect(wal.append(rec('late'))).rejects.toThrow(/closed/);
    expect(() => new WriteAheadLog({ directory: dir, sync: 'sometimes' as 'none' })).toThrow(/invalid sync/);
  });
});
