/**
 * Request gates: code that runs in the app's process before a recognised LLM request leaves it
 * (issue 14: response cache, budgets and rate limits). A gate sees the complete request and may
 * answer it locally (a cache hit, a provider-shaped 429) or let it through and observe the
 * complete response (to store it, to charge its cost). Gates are chained in a fixed order; the
 * first local answer wins and the gates after it are not asked.
 *
 * The HTTP hooks (undici-gate.ts, node-http-gate.ts) do the plumbing; a gate sees only these
 * shapes, never sockets or handlers.
 */
import type { Context, Span } from '@opentelemetry/api';
import type { LlmEndpoint, Usage } from '../providers/types.js';
import type { GateSelection } from './gate-chain.js';
import type { TrackingContext } from '../types.js';
import type { LocalResponse, ObservedResponse } from './local-response.js';

/** The request as it will leave the process (tracking headers removed). */
export interface GateRequest {
  readonly endpoint: LlmEndpoint;
  readonly method: string;
  readonly protocol: 'http:' | 'https:';
  /** Path and query, as sent. */
  readonly path: string;
  /** Reads a request header as it will be sent (`name` lower case). */
  header(name: string): string | undefined;
  /** The gate headers the app sent (`Helicone-Cache-Enabled` → `cache-enabled`), removed from the request. */
  readonly controls: Readonly<Record<string, string>> | undefined;
  /** The call's tracking values, `withContext` options included. */
  readonly tracking: TrackingContext | undefined;
  /** The complete request body. */
  readonly body: Buffer;
  /** The call's span: gates record their decisions on it. */
  readonly span: Span;
  /** The call's context (the span's). */
  readonly context: Context;
  /**
   * Says the answer is a stored one (a cache hit): the usage it reports was not billed again and
   * goes to `record` instead of the span's gen_ai.usage.
   */
  replayedUsage(record: (span: Span, usage: Usage) => void): void;
}

/** A GateRequest for a selected call. */
export function gateRequest(
  selection: GateSelection,
  parts: { method: string; path: string; header(name: string): string | undefined; body: Buffer },
): GateRequest {
  const { call } = selection;
  return {
    ...parts,
    endpoint: selection.endpoint,
    protocol: selection.protocol,
    controls: selection.controls,
    tracking: call.tracking,
    span: call.span,
    context: call.context,
    replayedUsage: (record) => {
      call.replayedUsage = record;
    },
  };
}

/** What a gate decided for one request; every field optional. */
export interface GateDecision {
  /** Answer the request locally: the provider is not called. */
  respond?: LocalResponse;
  /** Headers added to the response the app sees (e.g. `Helicone-Cache: MISS`), when not answered locally by this gate. */
  responseHeaders?: [string, string][];
  /** Called once with the response the app got (from the provider, or a later gate's local answer), after the call's span ended. */
  observe?(response: ObservedResponse): void;
}

export interface RequestGate {
  /** For logs and error messages: `cache`, `limits`. */
  readonly name: string;
  /** Cheap test, run for every recognised LLM call: whether this gate has anything to do with it. */
  wants(controls: Readonly<Record<string, string>> | undefined, tracking: TrackingContext | undefined): boolean;
  /** Decides; must not throw into the app (a rejection is recorded and the gate skipped: fail open). */
  admit(request: GateRequest): GateDecision | undefined | Promise<GateDecision | undefined>;
  /** Releases what the gate holds (a Redis connection); called when the instrumentation's config changes. */
  close?(): Promise<void>;
}
