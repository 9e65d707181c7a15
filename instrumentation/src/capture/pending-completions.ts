/**
 * The completions under way. A call's completion (LlmCall.complete) runs after its response has
 * ended, in one or several turns of the event loop; a shutdown (register's flush on SIGTERM,
 * SIGINT or beforeExit, TokentraceHandle.shutdown) waits for them first, so that the span of a
 * call the app has already finished is among those exported. The wait is bounded: a completion
 * that hangs must not keep a process that is being stopped alive.
 *
 * A count and a list of waiters, not a set of promises: this runs once per captured call, and a
 * promise, its reactions and a set entry per call were allocations for a shutdown that rarely comes.
 */
let running = 0;
let waiters: Array<() => void> = [];

/** How long a shutdown waits for completions under way, at most. */
export const COMPLETION_WAIT_MS = 2_000;

/** Runs `completion` in a setImmediate and keeps track of it until it has settled. */
export function scheduleCompletion(completion: () => Promise<void>): void {
  running++;
  setImmediate(run, completion);
}

function run(completion: () => Promise<void>): void {
  let settling: Promise<void>;
  try {
    settling = completion();
  } catch {
    settled();
    return;
  }
  settling.then(settled, settled);
}

function settled(): void {
  if (--running > 0 || waiters.length === 0) return;
  const ready = waiters;
  waiters = [];
  for (const resolve of ready) resolve();
}

/**
 * Resolves once no completion is under way (those scheduled before the call, and any scheduled
 * meanwhile), or after COMPLETION_WAIT_MS.
 */
export function completionsSettled(): Promise<void> {
  if (running === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, COMPLETION_WAIT_MS);
    timer.unref();
    waiters.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
