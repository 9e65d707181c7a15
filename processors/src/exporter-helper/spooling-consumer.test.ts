import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackpressureError, DataError, PermanentError, type SpanConsumer } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { decodeBatch } from './batch-codec.js';
import { IsolatingConsumer } from './isolating-consumer.js';
import { silentLogger, type HelperLogger } from './logger.js';
import { SpoolingConsumer, type SpoolConfig } from './spooling-consumer.js';

function batch(...names: string[]): SpanRecord[] {
  return names.map((name, i) => ({
    projectId: 'p', traceId: 'a'.repeat(32), spanId: i.toString(16).padStart(16, '0'), parentSpanId: '', name, kind: 1,
    startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i), endTimeUnixNano: 1_700_000_001_000_000_000n, statusCode: 0, statusMessage: '',
    attributes: { big: 2n ** 63n - 1n }, resourceAttributes: {}, scopeName: '', scopeVersion: '', events: [],
  }));
}

/** A downstream exporter that can be taken down, made to refuse some spans (as a PermanentError, or a DataError naming the span), or made to hang. */
class Downstream implements SpanConsumer {
  up = true;
  hang = false;
  refuse = new Set<string>();
  refuseAsData = false;
  received: string[][] = [];
  calls = 0;
  private release?: () => void;
  async consume(spans: SpanRecord[]): Promise<void> {
    this.calls++;
    if (this.hang) await new Promise<void>((r) => (this.release = r));
    if (!this.up) throw new Error('connect ECONNREFUSED');
    const bad = spans.find((s) => this.refuse.has(s.name));
    if (bad && this.refuseAsData) throw new DataError(`Code: 25, bad escape in ${bad.name}`);
    if (bad) throw new PermanentError('bad data');
    expect(spans[0].attributes.big).toBe(2n ** 63n - 1n); // survived the disk
    this.received.push(spans.map((s) => s.name));
  }
  unhang(): void {
    this.hang = false;
    this.release?.();
  }
}

async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SpoolingConsumer', () => {
  let dir: string;
  const fastReplay = { initialIntervalMs: 10, multiplier: 1, randomizationFactor: 0, maxIntervalMs: 10 };
  const make = (next: SpanConsumer, config: Partial<SpoolConfig> = {}, counts = { spooled: 0, replayed: 0, rejected: 0, backpressure: 0 }) =>
    new SpoolingConsumer(next, { directory: dir, replay: fastReplay, ...config }, {
      logger: silentLogger,
      onSpooled: (n) => (counts.spooled += n),
      onReplayed: (n) => (counts.replayed += n),
      onRejected: (n) => (counts.rejected += n),
      onBackpressure: () => counts.backpressure++,
    });

  /** Leaves `batches` in the spool directory, as a process that could not reach its exporter would. */
  async function spoolWhileDown(...batches: string[][]): Promise<void> {
    const down = new Downstream();
    down.up = false;
    const first = make(down);
    for (const names of batches) await first.consume(batch(...names));
    await first.shutdown();
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokentrace-spooling-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes batches straight through while the exporter is healthy', async () => {
    const next = new Downstream();
    const spooling = make(next);
    await spooling.consume(batch('a'));
    expect(next.received).toEqual([['a']]);
    expect((await readdir(dir)).filter((f) => f.endsWith('.batch'))).toEqual([]);
    await spooling.shutdown();
  });

  it('spools while the exporter is down and replays in order when it is back', async () => {
    const next = new Downstream();
    const counts = { spooled: 0, replayed: 0, rejected: 0, backpressure: 0 };
    const spooling = make(next, { replay: { initialIntervalMs: 50, multiplier: 1, randomizationFactor: 0, maxIntervalMs: 50 } }, counts);
    next.up = false;
    await spooling.consume(batch('b1', 'b1x'));
    const callsWhileDown = next.calls;
    await spooling.consume(batch('b2'));
    await spooling.consume(batch('b3'));
    expect(spooling.stats()).toMatchObject({ spooledBatches: 3, healthy: false });
    expect(counts.spooled).toBe(4);
    expect(next.calls - callsWhileDown).toBeLessThanOrEqual(2); // later batches did not wait on the exporter
    next.up = true;
    await until(() => spooling.stats().spooledBatches === 0);
    expect(next.received).toEqual([['b1', 'b1x', 'b2', 'b3']]); // the backlog in order, in one delivery
    expect(counts.replayed).toBe(4);
    expect(spooling.stats().healthy).toBe(true);
    await spooling.shutdown();
  });

  it('replays what an earlier process left behind', async () => {
    const down = new Downstream();
    down.up = false;
    const first = make(down);
    await first.consume(batch('r1'));
    await first.consume(batch('r2'));
    await first.shutdown();
    expect(down.received).toEqual([]);

    const next = new Downstream();
    const second = make(next);
    await second.start();
    await until(() => second.stats().spooledBatches === 0);
    expect(next.received.flat()).toEqual(['r1', 'r2']);
    await second.shutdown();
  });

  it('replays one batch per delivery when replayMaxBytes is 0', async () => {
    const next = new Downstream();
    next.up = false;
    const spooling = make(next, { replayMaxBytes: 0 });
    for (const name of ['o1', 'o2', 'o3']) await spooling.consume(batch(name));
    next.up = true;
    await until(() => spooling.stats().spooledBatches === 0);
    expect(next.received).toEqual([['o1'], ['o2'], ['o3']]);
    await spooling.shutdown();
  });

  it('pushes back with BackpressureError when the spool is full, and loses nothing it accepted', async () => {
    const next = new Downstream();
    next.up = false;
    const counts = { spooled: 0, replayed: 0, rejected: 0, backpressure: 0 };
    const spooling = make(next, { maxBytes: 1_500, retryAfterSeconds: 3 }, counts);
    const accepted: string[] = [];
    let refused: unknown;
    for (let i = 0; i < 10 && !refused; i++) {
      try {
        await spooling.consume(batch(`f${i}`));
        accepted.push(`f${i}`);
      } catch (err) {
        refused = err;
      }
    }
    expect(refused).toBeInstanceOf(BackpressureError);
    expect((refused as BackpressureError).retryAfterSeconds).toBe(3);
    expect(counts.backpressure).toBe(1);
    expect(accepted.length).toBeGreaterThan(0);
    next.up = true;
    await until(() => spooling.stats().spooledBatches === 0);
    expect(next.received.flat()).toEqual(accepted);
    await spooling.shutdown();
  });

  it('sets a batch refused on direct delivery aside, keeping it, and goes on', async () => {
    const next = new Downstream();
    next.refuse.add('bad');
    const counts = { spooled: 0, replayed: 0, rejected: 0, backpressure: 0 };
    const spooling = make(next, {}, counts);
    await expect(spooling.consume(batch('bad'))).resolves.toBeUndefined();
    await spooling.consume(batch('good'));
    expect(next.received).toEqual([['good']]);
    expect(counts.rejected).toBe(1);
    const files = (await readdir(join(dir, 'rejected'))).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^direct-.*\.batch$/);
    expect(decodeBatch(await readFile(join(dir, 'rejected', files[0]))).map((s) => s.name)).toEqual(['bad']);
    expect(await readFile(join(dir, 'rejected', files[1]), 'utf8')).toMatch(/refused: bad data/);
    await spooling.shutdown();
  });

  it('without isolation below and replayMaxBytes 0, sets only the refused spooled batch aside', async () => {
    const next = new Downstream();
    next.refuse.add('bad');
    const counts = { spooled: 0, replayed: 0, rejected: 0, backpressure: 0 };
    const spooling = make(next, { replayMaxBytes: 0 }, counts);

    next.up = false;
    await spooling.consume(batch('bad'));
    await spooling.consume(batch('good'));
    next.up = true;
    await until(() => spooling.stats().spooledBatches === 0);
    expect(next.received).toEqual([['good']]);
    expect(counts.rejected).toBe(1);
    expect((await readdir(join(dir, 'rejected'))).sort()).toEqual(['00000000000000000001.batch', '00000000000000000001.batch.reason']);
    await spooling.shutdown();
  });

  it('sets every file of a joined replay aside when it is refused by a PermanentError that names no spans', async () => {
    await spoolWhileDown(['bad'], ['good']);
    const next = new Downstream();
    next.refuse.add('bad');
    const rejected: number[] = [];
    let setAside!: () => void;
    const done = new Promise<void>((r) => (setAside = r));
    const spooling = new SpoolingConsumer(next, { directory: dir, replay: fastReplay }, {
      logger: silentLogger,
      onRejected: (n) => {
        rejected.push(n);
        setAside();
      },
    });
    await spooling.start();
    await done;
    expect(rejected).toEqual([2]); // reported once, for both
    expect(next.received).toEqual([]);
    expect((await readdir(join(dir, 'rejected'))).filter((f) => f.endsWith('.batch')).sort()).toEqual(['00000000000000000001.batch', '00000000000000000002.batch']);
    expect(spooling.stats()).toMatchObject({ spooledBatches: 0, healthy: true });
    await spooling.shutdown();
  });

  it('sets aside only the spans isolated as refused on a direct delivery; the rest is stored, consume resolves, health stays', async () => {
    const next = new Downstream();
    next.refuse.add('bad1').add('bad2');
    next.refuseAsData = true;
    const rejected: Array<[number, string]> = [];
    const logged: string[] = [];
    const logger: HelperLogger = { warn: (m) => logged.push(m), error: (m) => logged.push(m) };
    const spooling = new SpoolingConsumer(new IsolatingConsumer(next), { directory: dir, replay: fastReplay }, { logger, onRejected: (n, reason) => rejected.push([n, reason]) });
    const names = ['g0', 'bad1', 'g2', 'g3', 'g4', 'bad2', 'g6', 'g7'];
    await expect(spooling.consume(batch(...names))).resolves.toBeUndefined();

    expect(next.received.flat()).toEqual(['g0', 'g2', 'g3', 'g4', 'g6', 'g7']);
    expect(rejected).toEqual([[2, 'refused: Code: 25, bad escape in bad1']]);
    expect(spooling.stats()).toMatchObject({ healthy: true, spooledBatches: 0 });
    expect(logged).toHaveLength(1); // once per batch
    expect(logged[0]).toMatch(/^2 of 8 spans refused, set aside in .*rejected\/direct-.*\.batch \(first reason: Code: 25, bad escape in bad1\)$/);

    const files = (await readdir(join(dir, 'rejected'))).sort();
    expect(files).toHaveLength(2);
    const setAside = decodeBatch(await readFile(join(dir, 'rejected', files[0])));
    expect(setAside.map((s) => s.name)).toEqual(['bad1', 'bad2']);
    expect(setAside[0].attributes.big).toBe(2n ** 63n - 1n); // the batch format, exact
    const reason = (await readFile(join(dir, 'rejected', files[1]), 'utf8')).trim().split('\n');
    expect(reason).toHaveLength(3);
    expect(reason[0]).toMatch(/^\S+Z 2 of 8 spans refused as bad data \(first: Code: 25, bad escape in bad1\)$/);
    expect(reason[1]).toBe(`trace_id=${'a'.repeat(32)} span_id=0000000000000001 Code: 25, bad escape in bad1`);
    expect(reason[2]).toBe(`trace_id=${'a'.repeat(32)} span_id=0000000000000005 Code: 25, bad escape in bad2`);

    // The next batch goes straight through: nothing was spooled.
    await spooling.consume(batch('after'));
    expect(next.received.at(-1)).toEqual(['after']);
    await spooling.shutdown();
  });

  it('isolates a poison batch inside a joined replay; the batches after it are delivered and the spool ends empty', async () => {
    await spoolWhileDown(['v1', 'v1b'], ['p0', 'poison', 'p2'], ['v3'], ['v4', 'v4b']);
    expect((await readdir(dir)).filter((f) => f.endsWith('.batch'))).toHaveLength(4);

    const next = new Downstream();
    next.refuse.add('poison');
    next.refuseAsData = true;
    const counts = { replayed: 0, rejected: 0 };
    const reasons: string[] = [];
    let drained!: () => void;
    const done = new Promise<void>((r) => (drained = r));
    const check = () => counts.replayed + counts.rejected === 8 && drained();
    const spooling = new SpoolingConsumer(new IsolatingConsumer(next), { directory: dir, replay: fastReplay }, {
      logger: silentLogger,
      onReplayed: (n) => {
        counts.replayed += n;
        check();
      },
      onRejected: (n, reason) => {
        counts.rejected += n;
        reasons.push(reason);
        check();
      },
    });
    await spooling.start();
    await done;

    expect(next.calls).toBeGreaterThan(1); // one joined delivery, refused, then the search
    expect(next.received.flat()).toEqual(['v1', 'v1b', 'p0', 'p2', 'v3', 'v4', 'v4b']);
    expect(counts).toEqual({ replayed: 7, rejected: 1 });
    expect(reasons).toEqual(['refused: Code: 25, bad escape in poison']);
    expect(spooling.stats()).toMatchObject({ spooledBatches: 0, spooledBytes: 0, healthy: true });
    expect((await readdir(dir)).filter((f) => f.endsWith('.batch'))).toEqual([]);
    const rejectedFiles = (await readdir(join(dir, 'rejected'))).sort();
    expect(rejectedFiles).toEqual([expect.stringMatching(/^spooled-1-.*\.batch$/), expect.stringMatching(/^spooled-1-.*\.batch\.reason$/)]);
    expect(decodeBatch(await readFile(join(dir, 'rejected', rejectedFiles[0]))).map((s) => s.name)).toEqual(['poison']);
    await spooling.shutdown();
  });

  it('persists a batch still in flight at shutdown, and refuses batches after it', async () => {
    const next = new Downstream();
    next.hang = true;
    const spooling = make(next, { drainTimeoutMs: 50 });
    const inFlight = spooling.consume(batch('slow'));
    await until(() => next.calls === 1);
    await spooling.shutdown().then(() => next.unhang());
    await expect(inFlight).resolves.toBeUndefined();
    await expect(spooling.consume(batch('late'))).rejects.toBeInstanceOf(BackpressureError);
    expect(existsSync(join(dir, '00000000000000000001.batch'))).toBe(true);

    const after = new Downstream();
    const restarted = make(after);
    await restarted.start();
    await until(() => restarted.stats().spooledBatches === 0);
    expect(after.received).toEqual([['slow']]);
    await restarted.shutdown();
  });
});
