// The evaluation schedule on a fake clock: rounds at multiples of the interval, at the clock's
// time, never overlapping; a failing round is logged and the schedule goes on; stop() waits for a
// round under way.
import { describe, expect, it } from 'vitest';
import { AlertScheduler, type SchedulerClock } from './alert-scheduler.js';

/** A clock whose timers fire only when the test advances it. */
function fakeClock(startMs: number) {
  let now = startMs;
  let timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let nextId = 0;
  const clock: SchedulerClock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = ++nextId;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  return {
    clock,
    pending: () => timers.length,
    /** Moves time to `toMs`, firing the timers due on the way. */
    advance(toMs: number) {
      for (;;) {
        const due = timers.filter((t) => t.at <= toMs).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.fn();
      }
      now = toMs;
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('AlertScheduler', () => {
  it('runs a round at each multiple of the interval, with the clock\'s time, and stops', async () => {
    const fake = fakeClock(Date.UTC(2026, 0, 1, 0, 0, 30));
    const rounds: number[] = [];
    const scheduler = new AlertScheduler(async (now) => void rounds.push(now), 60_000, fake.clock);
    scheduler.start();
    fake.advance(Date.UTC(2026, 0, 1, 0, 0, 59));
    expect(rounds).toEqual([]);
    for (const minute of [1, 2, 3]) {
      fake.advance(Date.UTC(2026, 0, 1, 0, minute, 0));
      await flush();
    }
    expect(rounds.map((t) => new Date(t).toISOString())).toEqual(['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z', '2026-01-01T00:03:00.000Z']);
    await scheduler.stop();
    expect(fake.pending()).toBe(0);
  });

  it('never overlaps rounds, logs a failed one and goes on, and stop() waits for the round under way', async () => {
    const fake = fakeClock(0);
    const logged: string[] = [];
    let release: () => void = () => undefined;
    let calls = 0;
    const scheduler = new AlertScheduler(
      async () => {
        calls++;
        if (calls === 1) throw new Error('store down');
        await new Promise<void>((resolve) => (release = resolve));
      },
      60_000,
      fake.clock,
      (m) => logged.push(m),
    );
    scheduler.start();
    fake.advance(60_000);
    await flush();
    expect(logged).toEqual(['evaluation round failed: store down']);
    fake.advance(120_000); // the second round starts and hangs
    await flush();
    fake.advance(600_000); // no timer while it runs: no overlap
    expect(calls).toBe(2);
    expect(fake.pending()).toBe(0);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(fake.pending()).toBe(0); // stopped: nothing scheduled after the round
  });
});
