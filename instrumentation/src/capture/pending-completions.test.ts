import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMPLETION_WAIT_MS, completionsSettled, scheduleCompletion } from './pending-completions.js';

afterEach(() => vi.useRealTimers());

/** A completion that runs until `finish` is called. */
function controlledCompletion() {
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  let started = false;
  let finished = false;
  scheduleCompletion(async () => {
    started = true;
    await gate;
    finished = true;
  });
  return { finish, started: () => started, finished: () => finished };
}

describe('pending completions', () => {
  it('resolves at once when none is under way', async () => {
    await expect(completionsSettled()).resolves.toBeUndefined();
  });

  it('a shutdown waits for a completion scheduled before it, also one not started yet', async () => {
    const c = controlledCompletion();
    expect(c.started()).toBe(false); // runs in a setImmediate
    let settled = false;
    const waiting = completionsSettled().then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(c.started()).toBe(true);
    expect(settled).toBe(false);
    c.finish();
    await waiting;
    expect(c.finished()).toBe(true);
  });

  it('waits at most COMPLETION_WAIT_MS for a completion that hangs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const c = controlledCompletion();
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
