import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackpressureError, PermanentError, type SpanConsumer } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { decodeBatch } from './batch-codec.js';
import { silentLogger } from './logger.js';
import { SpoolingConsumer, type SpoolConfig } from './spooling-consumer.js';

function batch(...names: string[]): SpanRecord[] {
  return names.map((name, i) => ({
    projectId: 'p', traceId: 'a'.repeat(32), spanId: i.toString(16).padStart(16, '0'), parentSpanId: '', name, kind: 1,
    startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i), endTimeUnixNano: 1_700_000_001_000_000_000n, statusCode: 0, statusMessage: '',
    attributes: { big: 2n ** 63n - 1n }, resourceAttributes: {}, scopeName: '', scopeVersion: '', events: [],
  }));
}

/** A downstream exporter that can be taken down, made to refuse some spans, or made to hang. */
class Downstream implements SpanConsumer {
  up = true;
  hang = false;
  refuse = new Set<string>();
  received: string[][] = [];
  calls = 0;
  private release?: () => void;
  async consume(spans: SpanRecord[]): Promise<void> {
    this.calls++;
    if (this.hang) await new Promise<void>((r) => (this.release = r));
    if (!this.up) throw new Error('connect ECONNREFUSED');
    if (spans.some((s) => this.refuse.has(s.name))) throw new PermanentError('bad data');
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

  it('sets a refused spooled batch aside without blocking the rest', async () => {
    const next = new Downstream();
    next.refuse.add('bad');
    const counts = { spooled: 0, replayed: 0, rejected: 0, backpressure: 0 };
    const spooling = make(next, {}, counts);

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
