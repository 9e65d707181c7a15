/**
 * Whether message content may be recorded, shared by the call capture and the agent API. Set by
 * the instrumentation from its resolved config; until then the environment variable decides.
 */
import { captureContentFromEnv } from '../config.js';

let enabled: boolean | undefined;

export function setContentCaptureEnabled(value: boolean): void {
  enabled = value;
}

export function contentCaptureEnabled(): boolean {
  if (enabled !== undefined) return enabled;
  try {
    return captureContentFromEnv();
  } catch {
    return false; // an invalid value is reported where the instrumentation resolves its config
  }
}
