// EngineWrites: settled() waits for the writes in flight when it is called, failed ones
// included, and not for writes started after; a settled write no longer counts. Explicit
// promises, no timers.
import { describe, expect, it } from 'vitest';
import { EngineWrites } from './engine-writes.js';

function gate(): { promise: Promise<void>; open: () => void; fail: () => void } {
  let open = () => undefined as void;
  let fail = () => undefined as void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = () => reject(new Error('refused'));
  });
  return { promise, open, fail };
}

describe('EngineWrites', () => {
  it('settled() waits for the writes in flight at the call, failed or not, and not for later ones', async () => {
    const writes = new EngineWrites();
    const [a, b, later] = [gate(), gate(), gate()];
    void writes.track(a.promise);
    writes.track(b.promise).catch(() => undefined);
    expect(writes.size).toBe(2);
    let done = false;
    const settled = writes.settled().then(() => (done = true));
    void writes.track(later.promise);
    a.open();
    await a.promise;
    expect(done).toBe(false);
    b.fail();
    await settled;
    expect(done).toBe(true);
    expect(writes.size).toBe(1);
    later.open();
    await writes.settled();
    expect(writes.size).toBe(0);
  });

  it('returns the write itself, its value or its error', async () => {
    const writes = new EngineWrites();
    await expect(writes.track(Promise.resolve(7))).resolves.toBe(7);
    await expect(writes.track(Promise.reject(new Error('x')))).rejects.toThrow('x');
    await writes.settled();
    expect(writes.size).toBe(0);
  });
});
