/**
 * How the retry loop waits: a timer by default; the programmatic `retry.sleep` option replaces it
 * (tests record the waits instead of spending them, so that they depend on no wall time).
 */
export type RetrySleep = (ms: number) => Promise<void>;

export const timerSleep: RetrySleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
