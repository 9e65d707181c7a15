/**
 * Hands the gates' observers the response the app got, once both halves are known: the HTTP
 * response (status, headers, body chunks, whether it arrived in full) from the hook, and how the
 * call ended from its span (error.type, usage), so that an observer never keeps an answer the
 * span calls an error (a 200 whose stream carried an error event, an invalid body). The call then
 * completes at once when its response ends, not in a later turn of the event loop: an answer is
 * kept before the app, which gets the end at the same time or after, makes its next call.
 */
import type { CallResult, LlmCall } from '../capture/llm-call.js';
import { notify, type GateOutcome } from './gate-chain.js';
import type { ObservedResponse } from './local-response.js';
import type { GateRequest } from './request-gate.js';

export type ResponseSeen = Omit<ObservedResponse, 'call'>;

export class GateObservation {
  private seen?: ResponseSeen;
  private result?: CallResult;
  private done = false;

  constructor(private readonly outcome: GateOutcome, private readonly request: GateRequest, call: LlmCall) {
    if (outcome.observers.length > 0) {
      call.onCompleted = (result) => this.callEnded(result);
      call.completeAtOnce = true;
    } else this.done = true;
  }

  /** The HTTP response ended (complete) or failed; the first report counts. */
  responseEnded(seen: ResponseSeen): void {
    if (this.seen) return;
    this.seen = seen;
    this.flush();
  }

  private callEnded(result: CallResult): void {
    this.result ??= result;
    this.flush();
  }

  private flush(): void {
    if (this.done || !this.seen || !this.result) return;
    this.done = true;
    notify(this.outcome, { ...this.seen, call: this.result }, this.request);
  }
}
