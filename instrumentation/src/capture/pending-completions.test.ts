import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  COMPLETION_BATCH_BYTES,
  COMPLETION_BATCH_MS,
  COMPLETION_BATCH_SIZE,
  COMPLETION_WAIT_MS,
  completionsSettled,
  scheduleCompletion,
} from './pending-completions.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A completion that runs until `finish` is called. */
function controlledCompletion(batchMs = 0) {
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  let started = false;
  let finished = false;
  scheduleCompletion(async () => {
    started = true;
    await gate;
    finished = true;
  }, batchMs);
  return { finish, started: () => started, finished: () => finished };
}

/** Completions that only note their order of running. */
function noted(count: number, batchMs: number, log: number[], onRun?: () => void) {
  for (let i = 0; i < count; i++) {
    scheduleCompletion(async () => {
      log.push(i);
      onRun?.();
    }, batchMs);
  }
}

describe('pending completions', () => {
  it('resolves at once when none is under way', async () => {
    await expect(completionsSettled()).resolves.toBeUndefined();
  });

  it('without a batch delay, runs in the next turn, not in the caller’s', async () => {
    const c = controlledCompletion(0);
    expect(c.started()).toBe(false);
    await nextTurn();
    expect(c.started()).toBe(true);
    c.finish();
    await completionsSettled();
  });

  it('a shutdown waits for a completion scheduled before it, also one not started yet', async () => {
    const c = controlledCompletion(0);
    expect(c.started()).toBe(false); // runs in a setImmediate
    let settled = false;
    const waiting = completionsSettled().then(() => (settled = true));
    await nextTurn();
    expect(c.started()).toBe(true);
    expect(settled).toBe(false);
    c.finish();
    await waiting;
    expect(c.finished()).toBe(true);
  });

  it('waits at most COMPLETION_WAIT_MS for a completion that hangs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const c = controlledCompletion(0);
    let settled = false;
    const waiting = completionsSettled().then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(COMPLETION_WAIT_MS - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(c.finished()).toBe(false);
    c.finish();
  });
});

describe('completion in batches', () => {
  it('runs the calls that ended within the batch delay together, once it has passed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const log: number[] = [];
    noted(3, COMPLETION_BATCH_MS, log);
    await nextTurn();
    await vi.advanceTimersByTimeAsync(COMPLETION_BATCH_MS - 1);
    await nextTurn();
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await nextTurn();
    expect(log).toEqual([0, 1, 2]);
    await completionsSettled();
  });

  it('a flush runs the waiting calls at once, without waiting for the delay', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const log: number[] = [];
    noted(2, COMPLETION_BATCH_MS, log);
    const settled = completionsSettled();
    await nextTurn();
    expect(log).toEqual([0, 1]);
    await settled;
  });

  it('starts a batch without waiting once COMPLETION_BATCH_SIZE calls wait', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const log: number[] = [];
    noted(COMPLETION_BATCH_SIZE, COMPLETION_BATCH_MS, log);
    await nextTurn();
    expect(log).toHaveLength(COMPLETION_BATCH_SIZE);
    await completionsSettled();
  });

  it('starts a batch without waiting once the waiting calls hold COMPLETION_BATCH_BYTES of bodies', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const log: number[] = [];
    scheduleCompletion(async () => void log.push(0), COMPLETION_BATCH_MS, COMPLETION_BATCH_BYTES / 2);
    await nextTurn();
    expect(log).toEqual([]); // half the bound: waits for its batch
    scheduleCompletion(async () => void log.push(1), COMPLETION_BATCH_MS, COMPLETION_BATCH_BYTES / 2);
    await nextTurn();
    expect(log).toEqual([0, 1]);
    await completionsSettled();
  });

  it('yields to the event loop once a batch has run 2 ms, and goes on in a later turn', async () => {
    let now = 1_000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const log: number[] = [];
    // Each completion "takes" 1.5 ms: the second one passes the 2 ms slice.
    noted(4, 0, log, () => (now += 1.5));
    await nextTurn();
    expect(log).toEqual([0, 1]);
    await nextTurn();
    expect(log).toEqual([0, 1, 2, 3]);
    await completionsSettled();
  });
});
