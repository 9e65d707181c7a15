/**
 * The decision shared by the HTTP hooks (fetch, node:http, node:http2): given a recognised endpoint, open an LlmCall unless
 * another GenAI instrumentation (OpenLLMetry, OpenInference, or the SDK itself, as
 * @anthropic-ai/sdk v1 does with its `anthropic.messages.create` span) already traces this very
 * call: then the call is captured on that span, borrowed (no second LLM span), and still gets
 * the conventions' attributes it lacks, the tracking values and the metrics.
 */
import { trace, type Context } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_SYSTEM,
  ATTR_OPENINFERENCE_SPAN_KIND,
  MODEL_CALL_OPERATIONS,
  OPENINFERENCE_MODEL_CALL_KINDS,
} from '@tokentrace/semconv';
import { getTrackingContext, mergeTracking } from '../context/tracking-context.js';
import type { GateSelection } from '../gate/gate-chain.js';
import type { HeaderShape } from '../context/tracking-headers.js';
import type { LlmEndpoint } from '../providers/types.js';
import type { TrackingContext } from '../types.js';
import { LlmCall, type AttemptInfo, type CaptureDeps } from './llm-call.js';
import { resendCountFromHeaders } from './resend-count.js';

/** The request as the HTTP client was given it, before tracking headers were stripped. */
export interface RequestShape {
  /** Path and query. */
  path: string;
  headers?: HeaderShape;
}

export function startLlmCall(
  deps: CaptureDeps,
  endpoint: LlmEndpoint,
  headerTracking: TrackingContext | undefined,
  parent: Context,
  request: RequestShape,
  /** Set when tokentrace itself resends the request (retry/): 0 for the first attempt. */
  resendCount?: number,
): LlmCall {
  const tracking = mergeTracking(getTrackingContext(parent), headerTracking);
  const foreign = isInsideModelCallSpan(parent) ? trace.getSpan(parent) : undefined;
  const attempt = new RequestAttempt(resendCount ?? resendCountFromHeaders(request.headers), endpoint, request.path, parent);
  return new LlmCall(deps, endpoint, tracking, parent, attempt, foreign);
}

class RequestAttempt implements AttemptInfo {
  constructor(
    readonly resendCount: number | undefined,
    private readonly endpoint: LlmEndpoint,
    private readonly path: string,
    private readonly parent: Context,
  ) {}

  /**
   * The same URL under the same parent span: where a resend of this request would come from.
   * Read only when the SDK states no resend count.
   */
  get key(): string {
    return `${this.endpoint.serverAddress}:${this.endpoint.serverPort}${this.path} ${trace.getSpanContext(this.parent)?.spanId ?? ''}`;
  }
}

/**
 * True when the active span is a model-call span opened by someone else. SDK spans expose their
 * attributes; agent, workflow and tool spans (ours or others') do not count.
 */
function isInsideModelCallSpan(parent: Context): boolean {
  const span = trace.getSpan(parent);
  if (!span || !span.isRecording()) return false;
  const attributes = (span as { attributes?: Record<string, unknown> }).attributes;
  if (!attributes) return false;
  const operation = attributes[ATTR_GEN_AI_OPERATION_NAME];
  if (typeof operation === 'string') return MODEL_CALL_OPERATIONS.has(operation);
  const openInferenceKind = attributes[ATTR_OPENINFERENCE_SPAN_KIND];
  if (typeof openInferenceKind === 'string') return OPENINFERENCE_MODEL_CALL_KINDS.has(openInferenceKind);
  return attributes[ATTR_GEN_AI_SYSTEM] !== undefined || attributes[ATTR_GEN_AI_PROVIDER_NAME] !== undefined;
}

/**
 * The request gates concerned by this call (cache, limits), or undefined: for a call no gate is
 * concerned with, one select() (a few property reads) is all gates cost.
 */
export function selectGates(
  deps: CaptureDeps,
  call: LlmCall,
  endpoint: LlmEndpoint,
  protocol: 'http:' | 'https:',
  controls: Readonly<Record<string, string>> | undefined,
): GateSelection | undefined {
  const chain = deps.gates;
  const gates = chain?.select(controls, call.tracking);
  return gates && { chain: chain!, gates, call, endpoint, protocol, controls };
}
