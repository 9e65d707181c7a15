/**
 * The completions under way. A call's completion (LlmCall.complete: reading the bodies, the span's
 * attributes, metrics, the span's end) runs after its response has ended, off the app's path, in
 * batches: the calls that ended within the batch delay (config `completionBatchMs`: 50 ms under
 * tokentrace's own SDK, COMPLETION_BATCH_MS; else 0, the next turn) run together, one after the other.
 *
 * Why batches (issue 12): run one at a time between the app's calls, a completion ran on caches
 * the app's own HTTP client and SDK had just filled, and cost 3–5× what the same code costs warm;
 * run back to back, each completion finds the code and data the one before it used. Measured in
 * process (raw fetch, paired blocks, calls back to back): the capture's whole cost per call went
 * from +213–270 µs to +164–175 µs. Spans and metrics reach the exporters at most
 * COMPLETION_BATCH_MS later, well inside the batch span processor's own delay (5 s by default).
 *
 * A batch yields to the event loop every BATCH_SLICE_MS, so that a long batch never holds the
 * app's next response for more than that. A flush or a shutdown (completionsSettled; the providers'
 * forceFlush of tokentrace's own SDK, through env-sdk.ts's `beforeFlush`) runs the waiting completions at
 * once and waits for them, so that the span of a call the app has already finished is exported.
 * The wait is bounded: a completion that hangs must not keep a process that is being stopped alive.
 *
 * A count, a queue and a list of waiters, not a set of promises: this runs once per captured call.
 */
type Completion = () => Promise<void>;

let running = 0;
let queue: Completion[] = [];
/** Bytes of bodies the waiting calls hold (as their callers said). */
let queuedBytes = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let sliceScheduled = false;
let waiters: Array<() => void> = [];

/** How long a shutdown waits for completions under way, at most. */
export const COMPLETION_WAIT_MS = 2_000;
/** How long a finished call waits for others to be completed with it under tokentrace's own SDK. */
export const COMPLETION_BATCH_MS = 50;
/** A batch starts at once when this many calls wait, or when they hold this many bytes of bodies. */
export const COMPLETION_BATCH_SIZE = 64;
export const COMPLETION_BATCH_BYTES = 4 * 1024 * 1024;
/** A batch yields to the event loop after running this long. */
const BATCH_SLICE_MS = 2;

/**
 * Queues `completion` for a batch at most `batchMs` later, and keeps track of it until it has
 * settled. `heldBytes`: what the call keeps until then (its bodies), which bounds a batch too.
 */
export function scheduleCompletion(completion: Completion, batchMs: number, heldBytes = 0): void {
  running++;
  queue.push(completion);
  queuedBytes += heldBytes;
  if (batchMs <= 0 || queue.length >= COMPLETION_BATCH_SIZE || queuedBytes >= COMPLETION_BATCH_BYTES) runSoon();
  else if (timer === undefined && !sliceScheduled) {
    timer = setTimeout(runSoon, batchMs);
    // A process whose work is done does not wait for this timer: the exit flush of the SDK that
    // batches (register's, on beforeExit and signals) runs the batch through completionsSettled.
    timer.unref();
  }
}

/** The batch in a turn of its own (setImmediate), not inside the caller's. */
function runSoon(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  if (sliceScheduled) return;
  sliceScheduled = true;
  setImmediate(runSlice);
}

/** Runs waiting completions for up to BATCH_SLICE_MS, then leaves the rest to another turn. */
function runSlice(): void {
  sliceScheduled = false;
  const deadline = performance.now() + BATCH_SLICE_MS;
  while (queue.length > 0) {
    const batch = queue;
    queue = [];
    queuedBytes = 0;
    for (let i = 0; i < batch.length; i++) {
      run(batch[i]!);
      if (i + 1 < batch.length && performance.now() > deadline) {
        queue = batch.slice(i + 1).concat(queue);
        runSoon();
        return;
      }
    }
  }
}

function run(completion: Completion): void {
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
 * Runs the completions waiting for their batch, and resolves once none is under way (those
 * scheduled before the call, and any scheduled meanwhile), or after COMPLETION_WAIT_MS.
 */
export function completionsSettled(): Promise<void> {
  if (running === 0) return Promise.resolve();
  if (queue.length > 0) runSoon();
  return new Promise((resolve) => {
    const timeout = setTimeout(resolve, COMPLETION_WAIT_MS);
    timeout.unref();
    waiters.push(() => {
      clearTimeout(timeout);
      resolve();
    });
  });
}
