/**
 * The gates of one instrumentation, in order, and the run of a request through them: each
 * concerned gate decides in turn; the first local answer ends the run. A gate that throws or
 * rejects is recorded on the span and skipped (fail open): nothing reaches the app.
 */
import type { LlmCall } from '../capture/llm-call.js';
import type { LlmEndpoint } from '../providers/types.js';
import { recordCaptureError } from '../telemetry/guard.js';
import type { TrackingContext } from '../types.js';
import type { LocalResponse, ObservedResponse } from './local-response.js';
import type { GateRequest, RequestGate } from './request-gate.js';

/** What the gates decided for one request, all together. */
export interface GateOutcome {
  /** The local answer, with the headers of the gates before the one that gave it. */
  respond?: LocalResponse;
  /** Headers added to the provider's response. */
  responseHeaders: [string, string][];
  /** Called once the app has the response (see notify). */
  observers: ((response: ObservedResponse) => void)[];
}

/** The gates concerned by one call, and what the HTTP hooks need to run them. */
export interface GateSelection {
  chain: GateChain;
  gates: RequestGate[];
  call: LlmCall;
  endpoint: LlmEndpoint;
  protocol: 'http:' | 'https:';
  controls: Readonly<Record<string, string>> | undefined;
}

export class GateChain {
  constructor(readonly gates: readonly RequestGate[]) {}

  /** The gates concerned by a call, or undefined when none is: the only cost of gates for other calls. */
  select(controls: Readonly<Record<string, string>> | undefined, tracking: TrackingContext | undefined): RequestGate[] | undefined {
    let selected: RequestGate[] | undefined;
    for (const gate of this.gates) if (gate.wants(controls, tracking)) (selected ??= []).push(gate);
    return selected;
  }

  async close(): Promise<void> {
    await Promise.all(this.gates.map((g) => g.close?.().catch((err: unknown) => recordCaptureError(`${g.name} gate close`, err))));
  }

  async run(gates: readonly RequestGate[], request: GateRequest): Promise<GateOutcome> {
    const outcome: GateOutcome = { responseHeaders: [], observers: [] };
    for (const gate of gates) {
      let decision;
      try {
        decision = await gate.admit(request);
      } catch (err) {
        recordCaptureError(`${gate.name} gate`, err, request.span);
        continue;
      }
      if (!decision) continue;
      if (decision.observe) outcome.observers.push(decision.observe.bind(decision));
      if (decision.respond) {
        const { respond } = decision;
        outcome.respond = { ...respond, headers: [...respond.headers, ...outcome.responseHeaders] };
        return outcome;
      }
      if (decision.responseHeaders) outcome.responseHeaders.push(...decision.responseHeaders);
    }
    return outcome;
  }
}

/** Hands the response to each observer; one failing observer does not stop the others. */
export function notify(outcome: GateOutcome, response: ObservedResponse, request: GateRequest): void {
  for (const observe of outcome.observers) {
    try {
      observe(response);
    } catch (err) {
      recordCaptureError('gate observer', err, request.span);
    }
  }
}
