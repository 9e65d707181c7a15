/**
 * The completions under way. A call's completion (LlmCall.complete) runs over several turns of the
 * event loop, after its response has ended; a shutdown (register's flush on SIGTERM, SIGINT or
 * beforeExit, TokentraceHandle.shutdown) waits for them first, so that the span of a call the app
 * has already finished is among those exported. The wait is bounded: a completion that hangs must
 * not keep a process that is being stopped alive.
 */
const pending = new Set<Promise<void>>();

/** How long a shutdown waits for completions under way, at most. */
export const COMPLETION_WAIT_MS = 2_000;

/** Runs `completion` in a setImmediate and keeps track of it until it has settled. */
export function scheduleCompletion(completion: () => Promise<void>): void {
  const done = new Promise<void>((resolve) => setImmediate(() => void completion().finally(resolve)));
  pending.add(done);
  void done.then(() => pending.delete(done));
}

/** Resolves once every completion scheduled so far has settled, or after COMPLETION_WAIT_MS. */
export function completionsSettled(): Promise<void> {
  if (pending.size === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, COMPLETION_WAIT_MS);
    timer.unref();
    void Promise.all([...pending]).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
