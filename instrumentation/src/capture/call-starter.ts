/**
 * The decision shared by both HTTP hooks: given a recognised endpoint, open an LlmCall unless
 * another GenAI instrumentation (OpenLLMetry, OpenInference, ...) already traces this very call,
 * and merge the tracking values from headers over those of the context API.
 */
import { trace, type Context } from '@opentelemetry/api';
import { ATTR_GEN_AI_OPERATION_NAME, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_SYSTEM, MODEL_CALL_OPERATIONS } from '@tokentrace/semconv';
import { getTrackingContext, mergeTracking } from '../context/tracking-context.js';
import type { LlmEndpoint } from '../providers/types.js';
import type { TrackingContext } from '../types.js';
import { LlmCall, type CaptureDeps } from './llm-call.js';

export function startLlmCall(
  deps: CaptureDeps,
  endpoint: LlmEndpoint,
  headerTracking: TrackingContext | undefined,
  parent: Context,
): LlmCall | undefined {
  if (isInsideModelCallSpan(parent)) return undefined;
  const tracking = mergeTracking(getTrackingContext(parent), headerTracking);
  return new LlmCall(deps, endpoint, tracking, parent);
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
  return attributes[ATTR_GEN_AI_SYSTEM] !== undefined || attributes[ATTR_GEN_AI_PROVIDER_NAME] !== undefined;
}
