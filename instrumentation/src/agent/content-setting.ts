/**
 * Whether message content may be recorded, shared by the call capture and the agent API. Set by
 * the instrumentation from its resolved config; until then the environment variable decides.
 */
import { ENV_CAPTURE_MESSAGE_CONTENT } from '../config.js';

let enabled: boolean | undefined;

export function setContentCaptureEnabled(value: boolean): void {
  enabled = value;
}

export function contentCaptureEnabled(): boolean {
  return enabled ?? process.env[ENV_CAPTURE_MESSAGE_CONTENT]?.trim().toLowerCase() === 'true';
}
