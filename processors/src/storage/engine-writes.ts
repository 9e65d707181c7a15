/**
 * The writes to the embedded engine in flight in this process (issue 11). In embedded mode the
 * collector's process is the engine's only client, so it knows every write that has started and
 * not yet ended; the usage rollup's builder uses that instead of a wall-clock grace
 * (usage-rollup-state.ts): a build that reads its `built_at`, then waits until every write in
 * flight at that moment has ended (`settled`), sees every span whose insert was marked in
 * `dirty_hours` before its `built_at` (a write that starts later is marked later).
 *
 * A write counts from the call until the engine has finished it: the embedded engine tracks its
 * statements unaborted (embedded-engine.ts), so a settled write is one the engine has committed
 * or refused, never one still running in the background.
 */
export class EngineWrites {
  private readonly inFlight = new Set<Promise<unknown>>();

  /** Counts `write` as in flight until it settles; returns it. */
  track<T>(write: Promise<T>): Promise<T> {
    const done = write.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(done);
    void done.then(() => this.inFlight.delete(done));
    return write;
  }

  /** How many writes are in flight now. */
  get size(): number {
    return this.inFlight.size;
  }

  /** Resolves once every write in flight at the call has ended (writes started later are not waited for). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }
}
