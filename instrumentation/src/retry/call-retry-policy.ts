/** Which retry policy, if any, governs one captured call: configuration, then context, then headers. */
import type { Context } from '@opentelemetry/api';
import { getTrackingContext } from '../context/tracking-context.js';
import type { RetryOptions, TrackingContext } from '../types.js';
import { mergeRetryOptions, retryPolicyOf, type RetryPolicy } from './retry-options.js';

/** The policy for a call: the configured defaults, under the context's options, under the call's headers. */
export function callRetryPolicy(
  config: { defaults?: RetryOptions },
  headerTracking: TrackingContext | undefined,
  parent: Context,
): RetryPolicy | undefined {
  const contextual = getTrackingContext(parent)?.retry;
  if (!config.defaults && !contextual && !headerTracking?.retry) return undefined;
  return retryPolicyOf(config.defaults, mergeRetryOptions(contextual, headerTracking?.retry));
}
